"""An import as a job: the upload kept in private storage, the user's choices, the run.

The page flow is: :func:`import_job_create` (upload checked and stored, the
campaign and unit in ``Job.params``) → the preview, which calls
:func:`import_job_plan` with the options of the page → :func:`import_job_start`
(options saved, the task queued) → :func:`import_job_run` in the worker, which
plans again from the stored file and writes in one transaction, reporting
progress on ``Job.done`` / ``Job.total`` while it reads.
"""

import logging
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit

from ..models import Job, JobKind, JobStatus
from .commit import ImportFailed, import_plan, import_reason
from .plan import Options, Plan, build_plan
from .read import ImportRefused, Spreadsheet, check_file

logger = logging.getLogger(__name__)

#: Issues kept in a failed job's result (the error file has them all).
ISSUES_KEPT = 500


def require_importer(user, campaign: Campaign, unit: Unit) -> None:
    """Refuse unless ``user`` may change ``unit`` and ``unit`` takes part in ``campaign``."""
    if not can_change_unit(user, unit):
        raise PermissionDenied(_("You may not change the ledger of “%(unit)s”.") % {"unit": unit})
    if not campaign.includes_unit(unit):
        raise ValidationError(
            {"unit": _("“%(unit)s” does not take part in this campaign.") % {"unit": unit}}
        )


@transaction.atomic
def import_job_create(*, user, campaign: Campaign, unit: Unit, upload: UploadedFile) -> Job:
    """Check ``upload`` (refused files are never stored) and keep it for the preview."""
    require_importer(user, campaign, unit)
    fmt = check_file(upload.name, upload)
    job = Job(
        kind=JobKind.IMPORT,
        owner=user,
        source_name=Path(upload.name).name[:255],
        params={
            "campaign": campaign.pk,
            "campaign_slug": campaign.slug,
            "unit": unit.pk,
            **Options().to_params(),
        },
    )
    job.source.save(f"{uuid.uuid4().hex}.{fmt}", upload, save=False)
    job.save()
    return job


@contextmanager
def source_path(job: Job):
    """A local path of the job's upload (a temporary copy when storage is remote)."""
    try:
        local = job.source.path
    except NotImplementedError:
        local = None
    if local:
        yield Path(local)
        return
    suffix = Path(job.source.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy, job.source.open("rb") as stored:
        shutil.copyfileobj(stored, copy)
        copy.flush()
        yield Path(copy.name)


def job_target(job: Job) -> tuple[Campaign, Unit]:
    """The campaign and unit an import job writes into."""
    campaign = Campaign.objects.get(pk=job.params["campaign"])
    unit = Unit.objects.get(pk=job.params["unit"])
    return campaign, unit


def import_job_plan(job: Job, options: Options | None = None, *, progress=None) -> Plan:
    """The plan of the job's file with ``options`` (default: the job's saved ones)."""
    campaign, unit = job_target(job)
    options = options or Options.from_params(job.params)
    with source_path(job) as path:
        fmt = Path(job.source.name).suffix.lstrip(".")
        with Spreadsheet(path, fmt, job.source_name) as book:
            return build_plan(
                book,
                campaign=campaign,
                unit=unit,
                user=job.owner,
                options=options,
                progress=progress,
            )


def import_job_start(job: Job, options: Options) -> None:
    """Save the user's options and queue the import (it runs after this transaction commits)."""
    from ..tasks import run_import

    job.params = {**job.params, **options.to_params()}
    job.status = JobStatus.PENDING
    job.done = 0
    job.total = 0
    job.result = {}
    job.error = ""
    job.save(update_fields=["params", "status", "done", "total", "result", "error"])
    transaction.on_commit(lambda: run_import.enqueue(job.pk))


def import_job_run(job_id: int) -> None:
    """Run a queued import: plan from the stored file, then write all rows or none."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING
    )
    if not claimed:
        return
    job = Job.objects.select_related("owner").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job_id).update(done=done, total=total)

    status, result, error = JobStatus.FAILED, {}, ""
    try:
        campaign, _unit = job_target(job)
        plan = import_job_plan(job, progress=progress)
        outcome = import_plan(
            plan,
            campaign=campaign,
            acting_user=job.owner,
            reason=import_reason(job.source_name),
        )
    except ImportFailed as exc:
        error = _("Nothing was imported: %(count)s rows need attention.") % {
            "count": len({i.row for i in exc.issues})
        }
        result = {"issues": [_issue_json(i) for i in exc.issues[:ISSUES_KEPT]]}
    except (ImportRefused, ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
    except Exception:
        logger.exception("Import job %s failed", job_id)
        error = _("The import stopped on an unexpected error; nothing was imported.")
    else:
        status, result = JobStatus.DONE, outcome.as_dict()
    Job.objects.filter(pk=job_id).update(
        status=status, result=result, error=error, finished_at=timezone.now()
    )


def _issue_json(issue) -> dict:
    return {"row": issue.row, "column": issue.column, "value": issue.value, "reason": issue.reason}
