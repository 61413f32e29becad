"""An import as a job: the upload kept in private storage, the user's choices, the run.

The page flow is: :func:`import_job_create` (upload checked and stored, the
campaign and unit in ``Job.params``) → the preview, which calls
:func:`import_job_plan` with the options of the page → "Import", which plans
once more with the options posted and, if every row can land, calls
:func:`import_job_start` (options saved, that plan kept beside the upload — see
:mod:`.stored` — and the task queued) → :func:`import_job_run` in the worker,
which writes the kept plan in one transaction, reporting progress on
``Job.done`` / ``Job.total``. A job without a usable kept plan plans again from
the stored file first.
"""

import logging
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign
from rectify.core.spreadsheets import ImportRefused, Spreadsheet, check_file
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit

from ..models import Job, JobKind, JobStatus
from .commit import ImportFailed, import_plan, import_reason
from .memory import collector_paused
from .plan import Options, Plan, build_plan
from .stored import dump_plan, load_plan

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
            plan = build_plan(
                book,
                campaign=campaign,
                unit=unit,
                user=job.owner,
                options=options,
                progress=progress,
            )
    # Travels with this Job object: import_job_start keeps it for the worker.
    job._plan = (options.to_params(), plan)
    return plan


def import_job_start(job: Job, options: Options) -> None:
    """Save the user's options and queue the import (it runs after this transaction commits).

    The plan :func:`import_job_plan` just made of this job with these options, if
    every row of it can land, is kept for the worker to write.
    """
    from ..tasks import run_import

    _drop_kept_plan(job)
    job.params = {**job.params, **options.to_params()}
    planned = getattr(job, "_plan", None)
    if planned is not None and planned[0] == options.to_params() and planned[1].can_import:
        name = f"{job.source.name}.plan"
        job.params["plan"] = job.source.storage.save(name, ContentFile(dump_plan(planned[1])))
    job.status = JobStatus.PENDING
    job.done = 0
    job.total = 0
    job.result = {}
    job.error = ""
    job.save(update_fields=["params", "status", "done", "total", "result", "error"])
    transaction.on_commit(lambda: run_import.enqueue(job.pk))


@collector_paused
def import_job_run(job_id: int) -> None:
    """Run a queued import: write the plan kept at "Import" (or plan the file again).

    Every row lands, or none. The collector is paused for the whole job: the plan
    it reads is freed before the collector runs again, never walked by it.
    """
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
        plan = _kept_plan(job) or import_job_plan(job, progress=progress)
        outcome = import_plan(
            plan,
            campaign=campaign,
            acting_user=job.owner,
            reason=import_reason(job.source_name),
            progress=progress,
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
    _drop_kept_plan(job)
    Job.objects.filter(pk=job_id).update(
        status=status, result=result, error=error, finished_at=timezone.now(), params=job.params
    )


def _kept_plan(job: Job) -> Plan | None:
    """The plan :func:`import_job_start` kept for ``job``, if there is one it can read."""
    name = job.params.get("plan")
    if not name:
        return None
    try:
        with job.source.storage.open(name, "rb") as stored:
            return load_plan(stored.read())
    except OSError:
        logger.warning("Import job %s: its kept plan is unreadable; planning again", job.pk)
        return None


def _drop_kept_plan(job: Job) -> None:
    """Delete the plan kept for ``job`` (written, or replaced by a new one)."""
    name = job.params.pop("plan", None)
    if name:
        try:
            job.source.storage.delete(name)
        except OSError:
            logger.warning("Import job %s: its kept plan %s could not be deleted", job.pk, name)


def _issue_json(issue) -> dict:
    return {"row": issue.row, "column": issue.column, "value": issue.value, "reason": issue.reason}
