"""The page of a background import or export: its progress, then its file. Owner only."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from ..models import Job, JobKind, JobStatus
from ..rows import LIST_TITLES


def _job_of(request: HttpRequest, pk: int) -> Job:
    """The user's own job; anyone else's is 404, like a job that does not exist."""
    return get_object_or_404(Job, pk=pk, owner=request.user)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; HTMX polls the status fragment until the job ends."""
    job = _job_of(request, pk)
    context = {
        "job": job,
        "running": job.status in (JobStatus.PENDING, JobStatus.RUNNING),
        "what": _what(job),
    }
    if request.headers.get("HX-Request"):
        return render(request, "exchange/partials/job_status.html", context)
    return render(request, "exchange/job_detail.html", context)


def _what(job: Job) -> str:
    """What the job makes, for its page's title: "导出 整改台账 (.xlsx)"."""
    params = job.params or {}
    if job.kind == JobKind.EXPORT and params.get("list_name") in LIST_TITLES:
        return f"{LIST_TITLES[params['list_name']]} (.{params.get('format', 'xlsx')})"
    return job.source_name or ""


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file a finished job wrote."""
    job = _job_of(request, pk)
    if job.status != JobStatus.DONE or not job.output:
        raise Http404(_("This job has no file."))
    try:
        handle = job.output.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(handle, as_attachment=True, filename=job.output_name or job.output.name)
