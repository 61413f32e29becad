"""Import pages: upload a ledger, preview what would land (changing the mapping), import it.

Only the owner of an import job sees it (another user's job is a 404). The
preview reads the stored file again on every change; nothing is written
before "Import", which queues the background job and shows its progress.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.core.spreadsheets import Spreadsheet
from rectify.core.xlsx import Column, add_sheet, new_workbook, xlsx_response

from ..import_forms import ImportUploadForm, options_from_post
from ..importer import ImportRefused
from ..importer.header import NOT_STORED, choices
from ..importer.jobs import (
    import_job_create,
    import_job_plan,
    import_job_start,
    job_target,
    source_path,
)
from ..importer.plan import Options, Plan
from ..models import Job, JobKind, JobStatus

#: Row issues listed on the page (all of them are in the error file).
ISSUES_SHOWN = 300


def _import_job(request: HttpRequest, pk: int) -> Job:
    """The user's own import job; anyone else's is 404, like one that does not exist."""
    return get_object_or_404(Job, pk=pk, owner=request.user, kind=JobKind.IMPORT)


def _queued(job: Job) -> bool:
    return job.status in (JobStatus.RUNNING, JobStatus.DONE) or (
        job.status == JobStatus.PENDING and job.params.get("queued")
    )


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload a ledger for a campaign and unit; a refused file is explained, never stored."""
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                user=request.user,
                campaign=form.cleaned_data["campaign"],
                unit=form.cleaned_data["unit"],
                upload=form.cleaned_data["file"],
            )
        except ImportRefused as exc:
            form.add_error("file", exc)
        else:
            return redirect("exchange:import-preview", pk=job.pk)
    return render(request, "exchange/import_new.html", {"form": form})


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the import would do; a POST (HTMX on every change) updates the options."""
    job = _import_job(request, pk)
    if _queued(job):
        return redirect("exchange:job", pk=job.pk)
    options = Options.from_params(job.params)
    if request.method == "POST":
        options = options_from_post(request.POST, options)
        job.params = {**job.params, **options.to_params()}
        job.save(update_fields=["params"])
    return _render_preview(request, job, options)


def _render_preview(request: HttpRequest, job: Job, options: Options) -> HttpResponse:
    campaign, unit = job_target(job)
    try:
        plan = import_job_plan(job, options)
    except ImportRefused as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exchange:import-new")
    mapping = [
        {
            "column": column,
            "letter": plan.column_label(column).split(" · ")[0],
            "label": plan.header.label(column) if plan.header else "",
            "key": plan.columns.get(column, ""),
        }
        for column in range(plan.width)
    ]
    context = {
        "job": job,
        "plan": plan,
        "campaign": campaign,
        "unit": unit,
        "options": options,
        "mapping": mapping,
        "fields": choices(),
        "not_stored": NOT_STORED,
        "counts": plan.counts(),
        "rows": plan.preview(),
        "issues": plan.issues[:ISSUES_SHOWN],
        "more_issues": max(0, len(plan.issues) - ISSUES_SHOWN),
        "questions": plan.questions[:200],
        "targets": list(campaign.targets.all()),
        "head": [(row.number, " · ".join(str(v) for v in row.cells if str(v).strip())[:80])
                 for row in plan.head],
    }  # fmt: skip
    return render(request, "exchange/import_preview.html", context)


@require_POST
@login_required
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Import with the options on the page, if every row can land; then show the job."""
    job = _import_job(request, pk)
    if _queued(job):
        return redirect("exchange:job", pk=job.pk)
    options = options_from_post(request.POST, Options.from_params(job.params))
    job.params = {**job.params, **options.to_params()}
    plan = import_job_plan(job, options)
    if not plan.can_import:
        job.save(update_fields=["params"])
        messages.error(
            request,
            _("Nothing was imported: settle every problem marked below first."),
        )
        return _render_preview(request, job, options)
    job.params["queued"] = True
    import_job_start(job, options)
    return redirect("exchange:job", pk=job.pk)


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows of the file as read, with a last column saying what is wrong with each."""
    job = _import_job(request, pk)
    plan = import_job_plan(job)
    if plan.header is None:
        raise Http404(_("No header row was found, so there are no rows to list."))
    return xlsx_response(_error_workbook(job, plan), _error_file_name(job.source_name))


def _error_file_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0] or "ledger"
    return _("%(name)s (errors).xlsx") % {"name": stem}


def _error_workbook(job: Job, plan: Plan):
    by_row: dict[int, list[str]] = {}
    general = []
    for issue in plan.issues:
        text = f"{issue.column}: {issue.reason}" if issue.column else issue.reason
        if issue.row:
            by_row.setdefault(issue.row, []).append(text)
        else:
            general.append(text)
    header = plan.header
    width = plan.width
    columns = [Column(header.label(c) or plan.column_label(c), 16) for c in range(width)]
    columns.append(Column(_("Import errors"), 60))

    def rows():
        with source_path(job) as path:
            fmt = path.suffix.lstrip(".")
            with Spreadsheet(path, fmt, job.source_name) as book:
                for row in book.rows(plan.sheet):
                    if row.number <= header.row_number:
                        continue
                    if row.number > plan.rows_read:
                        break
                    cells = (row.cells + [""] * width)[:width]
                    yield [*cells, "\n".join(by_row.get(row.number, []))]

    workbook = new_workbook()
    add_sheet(workbook, plan.sheet_names[plan.sheet], columns, rows(), heading=general)
    return workbook
