"""Every write to the ledger. Views, the API, the importer and commands call these."""

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign, Target
from rectify.core.services import attribute_history, claim_version, restore, soft_delete
from rectify.core.uploads import store_uploads, validate_evidence_files
from rectify.org.models import Person, Unit
from rectify.org.scoping import can_change_unit, is_system_admin, person_of

from .. import tallies
from ..models import (
    DONE_STATUSES,
    Evidence,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    ProgressNote,
    Review,
    ReviewAction,
    Source,
)

PROBLEM_FIELDS = (
    "target",
    "description",
    "source",
    "level",
    "found_on",
    "concerned_person",
    "root_cause",
)
MEASURE_FIELDS = (
    "content",
    "expected_outcome",
    "kind",
    "deadline",
    "responsible_leader",
    "responsible_department",
)


def _require_unit_admin(user, unit: Unit) -> None:
    if not can_change_unit(user, unit):
        raise PermissionDenied(_("You may not change the ledger of “%(unit)s”.") % {"unit": unit})


def _validate_problem(problem: Problem) -> None:
    errors = {}
    if problem.target_id and problem.target.campaign_id != problem.campaign_id:
        errors["target"] = _("This target does not belong to the problem's campaign.")
    if not problem.campaign.includes_unit(problem.unit):
        errors["unit"] = _("This unit does not take part in the campaign.")
    if errors:
        raise ValidationError(errors)
    problem.full_clean()


@transaction.atomic
def problem_create(
    *,
    campaign: Campaign,
    unit: Unit,
    target: Target,
    description: str,
    source: str = Source.OTHER,
    level: str = Level.UNIT,
    found_on: dt.date | None = None,
    concerned_person: Person | None = None,
    root_cause: str = "",
    acting_user,
    reason: str = "",
) -> Problem:
    """Record a problem of ``unit`` found against ``target`` of ``campaign``."""
    _require_unit_admin(acting_user, unit)
    problem = Problem(
        campaign=campaign,
        unit=unit,
        target=target,
        description=description,
        source=source,
        level=level,
        found_on=found_on or timezone.localdate(),
        concerned_person=concerned_person,
        root_cause=root_cause,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    _validate_problem(problem)
    attribute_history(problem, acting_user=acting_user, reason=reason)
    problem.save()
    tallies.counted([problem.pk])
    return problem


@transaction.atomic
def problem_update(
    *, problem: Problem, expected_version: int, acting_user, reason: str = "", **fields
) -> Problem:
    """Change a problem's fields; refused if someone saved it since ``expected_version``."""
    _require_unit_admin(acting_user, problem.unit)
    unknown = set(fields) - set(PROBLEM_FIELDS)
    if unknown:
        raise ValueError(f"problem_update cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(problem, name, value)
    _validate_problem(problem)
    found_on = problem.found_on
    late = problem.measures.filter(deadline__lt=found_on).exists()
    if late:
        raise ValidationError(
            {"found_on": _("A measure of this problem has a deadline before this date.")}
        )
    claim_version(problem, expected_version=expected_version)
    attribute_history(problem, acting_user=acting_user, reason=reason)
    with tallies.following([problem.pk]):
        problem.save()
    return problem


@transaction.atomic
def problem_delete(*, problem: Problem, acting_user, reason: str = "") -> None:
    """Soft-delete a problem and its measures; an administrator can restore them."""
    _require_unit_admin(acting_user, problem.unit)
    # One timestamp for all: problem_restore brings back the measures deleted at the same instant.
    now = timezone.now()
    with tallies.following([problem.pk]):
        for measure in problem.measures.all():
            soft_delete(measure, acting_user=acting_user, reason=reason, at=now)
        soft_delete(problem, acting_user=acting_user, reason=reason, at=now)


@transaction.atomic
def problem_restore(*, problem: Problem, acting_user, reason: str = "") -> None:
    """Bring back a soft-deleted problem with the measures deleted along with it."""
    if not is_system_admin(acting_user):
        _require_unit_admin(acting_user, problem.unit)
    deleted_at = problem.deleted_at
    with tallies.following([problem.pk]):
        restore(problem, acting_user=acting_user, reason=reason)
        for measure in Measure.all_objects.filter(problem=problem, deleted_at=deleted_at):
            restore(measure, acting_user=acting_user, reason=reason)


def _validate_measure(measure: Measure, persons: Sequence[Person] | None) -> None:
    errors: dict[str, str] = {}
    if measure.kind != MeasureKind.LONG_TERM and not measure.deadline:
        errors["deadline"] = _("A deadline is required unless the measure is long-term.")
    if measure.deadline and measure.deadline < measure.problem.found_on:
        errors["deadline"] = _(
            "The deadline cannot be before the date the problem was found (%(date)s)."
        ) % {"date": measure.problem.found_on.isoformat()}
    if persons is not None and not persons:
        errors["responsible_persons"] = _("Name at least one responsible person.")
    if errors:
        raise ValidationError(errors)
    measure.full_clean(exclude=["problem", "campaign", "unit"])


@transaction.atomic
def measure_create(
    *,
    problem: Problem,
    content: str,
    responsible_persons: Iterable[Person],
    kind: str = MeasureKind.DEADLINE,
    deadline: dt.date | None = None,
    expected_outcome: str = "",
    responsible_leader: Person | None = None,
    responsible_department: Unit | None = None,
    status: str = MeasureStatus.NOT_STARTED,
    acting_user,
    reason: str = "",
) -> Measure:
    """Add a measure to ``problem`` with the persons who answer for it."""
    _require_unit_admin(acting_user, problem.unit)
    persons = list(responsible_persons)
    measure = Measure(
        problem=problem,
        campaign_id=problem.campaign_id,
        unit_id=problem.unit_id,
        content=content,
        expected_outcome=expected_outcome,
        kind=kind,
        deadline=deadline,
        responsible_leader=responsible_leader,
        responsible_department=responsible_department,
        status=status,
    )
    if status in (MeasureStatus.COMPLETED, MeasureStatus.SIGNED_OFF):
        measure.completed_on = timezone.localdate()
    _validate_measure(measure, persons)
    attribute_history(measure, acting_user=acting_user, reason=reason)
    with tallies.following([problem.pk]):
        measure.save()
    attribute_history(measure, acting_user=acting_user, reason=reason)
    measure.responsible_persons.set(persons)
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    expected_version: int,
    acting_user,
    reason: str = "",
    responsible_persons: Iterable[Person] | None = None,
    **fields,
) -> Measure:
    """Change a measure; refused if someone saved it since ``expected_version``."""
    _require_unit_admin(acting_user, measure.unit)
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise ValueError(f"measure_update cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(measure, name, value)
    persons = None if responsible_persons is None else list(responsible_persons)
    _validate_measure(measure, persons)
    claim_version(measure, expected_version=expected_version)
    attribute_history(measure, acting_user=acting_user, reason=reason)
    if persons is not None and set(persons) != set(measure.responsible_persons.all()):
        # The m2m change writes its own history row; the field save below
        # then records the rest, so both carry the same user and reason.
        measure.responsible_persons.set(persons)
        attribute_history(measure, acting_user=acting_user, reason=reason)
    with tallies.following([measure.problem_id]):
        measure.save()
    return measure


@transaction.atomic
def measure_set_status(
    *, measure: Measure, status: str, expected_version: int, acting_user, reason: str = ""
) -> Measure:
    """Set a measure's status directly: an administrator's correction outside the workflow.

    Only a system administrator may put a measure past acceptance, and that
    decision is recorded as an acceptance like any other, so that every signed-off
    measure carries the record of who accepted it.
    """
    _require_unit_admin(acting_user, measure.unit)
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    accepted = status in (MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF)
    if accepted and not is_system_admin(acting_user):
        raise PermissionDenied(_("Only the sign-off workflow moves a measure past acceptance."))
    previous = measure.status
    claim_version(measure, expected_version=expected_version)
    measure.status = status
    done = status in DONE_STATUSES
    measure.completed_on = (measure.completed_on or timezone.localdate()) if done else None
    attribute_history(measure, acting_user=acting_user, reason=reason)
    with tallies.following([measure.problem_id]):
        measure.save()
        if previous != status:
            action = {
                MeasureStatus.COMPLETED: ReviewAction.SUBMIT,
                MeasureStatus.CONFIRMED: ReviewAction.CONFIRM,
                MeasureStatus.SIGNED_OFF: ReviewAction.ACCEPT,
            }.get(status, ReviewAction.REOPEN)
            Review.objects.create(
                measure=measure,
                action=action,
                from_status=previous,
                to_status=status,
                actor=acting_user if getattr(acting_user, "pk", None) else None,
                text=reason,
            )
    return measure


@transaction.atomic
def measure_delete(*, measure: Measure, acting_user, reason: str = "") -> None:
    """Soft-delete a measure; an administrator can restore it."""
    _require_unit_admin(acting_user, measure.unit)
    with tallies.following([measure.problem_id]):
        soft_delete(measure, acting_user=acting_user, reason=reason)


@transaction.atomic
def measure_restore(*, measure: Measure, acting_user, reason: str = "") -> None:
    """Undo a measure's soft delete (its problem must be alive)."""
    _require_unit_admin(acting_user, measure.unit)
    if measure.problem.deleted_at:
        raise ValidationError(_("Restore the problem first."))
    with tallies.following([measure.problem_id]):
        restore(measure, acting_user=acting_user, reason=reason)


def answers_for(user, measure: Measure) -> bool:
    """True when the user's person is one of the measure's responsible persons."""
    person = person_of(user)
    return person is not None and measure.responsible_persons.filter(pk=person.pk).exists()


def can_report_progress(user, measure: Measure) -> bool:
    """Administrators of the measure's unit and its responsible persons may report progress."""
    return can_change_unit(user, measure.unit) or answers_for(user, measure)


@transaction.atomic
def progress_record(
    *,
    measure: Measure,
    text: str,
    acting_user,
    reported_on: dt.date | None = None,
    files: Sequence[UploadedFile] = (),
) -> ProgressNote:
    """Record dated progress on a measure, with evidence files; a first report starts the work."""
    if not can_report_progress(acting_user, measure):
        raise PermissionDenied(_("You do not answer for this measure."))
    if not text.strip():
        raise ValidationError({"text": _("Describe the progress.")})
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("The date cannot be in the future.")})
    validate_evidence_files(files)
    note = ProgressNote.objects.create(
        measure=measure, text=text, reported_on=reported_on, author=acting_user
    )
    store_uploads(files, partial(Evidence, note=note))
    if measure.status == MeasureStatus.NOT_STARTED:
        claim_version(measure, expected_version=measure.version)
        measure.status = MeasureStatus.IN_PROGRESS
        attribute_history(measure, acting_user=acting_user, reason=_("Progress reported"))
        with tallies.following([measure.problem_id]):
            measure.save()
    return note


from .bulk import (  # noqa: E402
    BulkValidationError,
    MeasureDraft,
    ProblemDraft,
    ledger_bulk_create,
)
from .extensions import (  # noqa: E402
    can_decide_extension,
    can_request_extension,
    extension_decide,
    extension_request,
)
from .signoff import (  # noqa: E402 - the workflow builds on the helpers above
    DECISIONS,
    available_actions,
    measure_accept,
    measure_confirm,
    measure_decide,
    measure_reopen,
    measure_send_back,
    measure_submit,
)
from .urging import can_urge, can_urge_unit, measure_urge, unit_urge_red  # noqa: E402

__all__ = [
    "DECISIONS",
    "BulkValidationError",
    "MeasureDraft",
    "ProblemDraft",
    "available_actions",
    "can_decide_extension",
    "can_request_extension",
    "can_urge",
    "can_urge_unit",
    "extension_decide",
    "extension_request",
    "ledger_bulk_create",
    "measure_accept",
    "measure_confirm",
    "measure_decide",
    "measure_reopen",
    "measure_send_back",
    "measure_submit",
    "measure_urge",
    "unit_urge_red",
]
