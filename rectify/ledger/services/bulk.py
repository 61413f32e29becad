"""Many problems with their measures at once (a ledger import), under the one-by-one rules.

:func:`ledger_bulk_create` checks what :func:`problem_create` and
:func:`measure_create` check — the acting user administers every unit, the
units take part in the campaign, targets belong to it, a deadline unless
long-term and not before the problem was found, at least one responsible
person, no status past acceptance unless a system administrator — and then
writes with a handful of INSERTs per thousand rows, history included: one
"created" record per problem and per measure (with its persons, as
django-simple-history records them), with the acting user and the reason.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from rectify.campaigns.models import Campaign, Target
from rectify.org.models import Person, Unit
from rectify.org.scoping import is_system_admin

from ..models import (
    DONE_STATUSES,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    ProgressNote,
    Source,
)

BATCH = 500


@dataclass
class MeasureDraft:
    """A measure to create: persons, leader and department by id."""

    content: str
    responsible_persons: Sequence[int]
    kind: str = MeasureKind.DEADLINE
    deadline: dt.date | None = None
    expected_outcome: str = ""
    responsible_leader_id: int | None = None
    responsible_department_id: int | None = None
    status: str = MeasureStatus.NOT_STARTED
    progress: str = ""


@dataclass
class ProblemDraft:
    """A problem to create with its measures."""

    unit_id: int
    target_id: int
    description: str
    source: str = Source.OTHER
    level: str = Level.UNIT
    found_on: dt.date | None = None
    root_cause: str = ""
    measures: list[MeasureDraft] = field(default_factory=list)


class BulkValidationError(ValidationError):
    """Some drafts break the rules; ``errors`` lists ``(problem index, measure index, error)``."""

    def __init__(self, errors: list[tuple[int, int | None, ValidationError]]):
        self.errors = errors
        messages = []
        for problem, measure, error in errors[:20]:
            where = _("Problem %(p)s") % {"p": problem + 1}
            if measure is not None:
                where += ", " + _("measure %(m)s") % {"m": measure + 1}
            messages.append(f"{where}: {'; '.join(error.messages)}")
        super().__init__(messages)


def _check_access(campaign: Campaign, drafts: Sequence[ProblemDraft], acting_user) -> None:
    """Every unit administered by the user and taking part; every target the campaign's."""
    from . import _require_unit_admin

    units = Unit.objects.in_bulk({d.unit_id for d in drafts})
    roots = [u.path for u in campaign.participating_units.all()]
    for unit_id in {d.unit_id for d in drafts}:
        unit = units.get(unit_id)
        if unit is None:
            raise ValidationError({"unit": _("This unit does not exist.")})
        _require_unit_admin(acting_user, unit)
        if not any(unit.path.startswith(root) for root in roots):
            raise ValidationError(
                {
                    "unit": _("This unit does not take part in the campaign: %(unit)s")
                    % {"unit": unit}
                }
            )
    targets = set(Target.objects.filter(campaign=campaign).values_list("pk", flat=True))
    if not {d.target_id for d in drafts} <= targets:
        raise ValidationError(
            {"target": _("This target does not belong to the problem's campaign.")}
        )


def _existing(model, ids: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(i for i in ids if i is not None)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        found.update(model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


@transaction.atomic
def ledger_bulk_create(
    *,
    campaign: Campaign,
    problems: Sequence[ProblemDraft],
    acting_user,
    reason: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> list[Problem]:
    """Create ``problems`` with their measures in one transaction; all or none.

    Raises :class:`BulkValidationError` naming each draft that breaks a rule
    (nothing is written), ``PermissionDenied`` when the user may not change a unit.
    """
    if not problems:
        return []
    _check_access(campaign, problems, acting_user)
    measures_all = [m for d in problems for m in d.measures]
    person_ids = {p for m in measures_all for p in m.responsible_persons}
    person_ids |= {m.responsible_leader_id for m in measures_all if m.responsible_leader_id}
    people = _existing(Person, person_ids)
    departments = _existing(
        Unit, {m.responsible_department_id for m in measures_all if m.responsible_department_id}
    )
    today = timezone.localdate()
    may_accept = is_system_admin(acting_user)
    user = acting_user if getattr(acting_user, "pk", None) else None
    errors: list[tuple[int, int | None, ValidationError]] = []
    rows: list[Problem] = []
    for index, draft in enumerate(problems):
        problem = Problem(
            campaign=campaign,
            unit_id=draft.unit_id,
            target_id=draft.target_id,
            description=draft.description,
            source=draft.source,
            level=draft.level,
            found_on=draft.found_on or today,
            root_cause=draft.root_cause,
            created_by=user,
        )
        try:
            # Related rows were checked above, once for all (clean_fields would query each).
            problem.full_clean(
                exclude=["campaign", "unit", "target", "concerned_person", "created_by"]
            )
        except ValidationError as exc:
            errors.append((index, None, exc))
        rows.append(problem)
        for position, draft_measure in enumerate(draft.measures):
            error = _measure_error(draft_measure, problem.found_on, people, departments, may_accept)
            if error:
                errors.append((index, position, ValidationError(error)))
    if errors:
        raise BulkValidationError(errors)

    total = len(rows) + len(measures_all)
    created = bulk_create_with_history(
        rows, Problem, batch_size=BATCH, default_user=user, default_change_reason=reason
    )
    if progress:
        progress(len(created), total)
    measures: list[Measure] = []
    for problem, draft in zip(created, problems, strict=True):
        for m in draft.measures:
            measures.append(
                Measure(
                    problem_id=problem.pk,
                    campaign_id=campaign.pk,
                    unit_id=problem.unit_id,
                    content=m.content,
                    expected_outcome=m.expected_outcome,
                    kind=m.kind,
                    deadline=m.deadline,
                    responsible_leader_id=m.responsible_leader_id,
                    responsible_department_id=m.responsible_department_id,
                    status=m.status,
                    completed_on=today if m.status in DONE_STATUSES else None,
                )
            )
    Measure.objects.bulk_create(measures, batch_size=BATCH)
    through = Measure.responsible_persons.through
    links = [
        through(measure_id=measure.pk, person_id=person)
        for measure, draft in zip(measures, measures_all, strict=True)
        for person in dict.fromkeys(draft.responsible_persons)
    ]
    through.objects.bulk_create(links, batch_size=BATCH)
    # The measures' history after their persons are linked, as measure_create leaves it.
    records = Measure.history.bulk_history_create(
        measures, batch_size=BATCH, default_user=user, default_change_reason=reason
    )
    record_of = {record.id: record for record in records}
    m2m_history = Measure.history.model.responsible_persons.model
    m2m_history.objects.bulk_create(
        [
            m2m_history(
                history=record_of[link.measure_id],
                id=link.pk,
                measure_id=link.measure_id,
                person_id=link.person_id,
            )
            for link in links
        ],
        batch_size=BATCH,
    )
    ProgressNote.objects.bulk_create(
        [
            ProgressNote(measure=measure, text=draft.progress, reported_on=today, author=user)
            for measure, draft in zip(measures, measures_all, strict=True)
            if draft.progress.strip()
        ],
        batch_size=BATCH,
    )
    if progress:
        progress(total, total)
    return created


def _measure_error(
    draft: MeasureDraft, found_on: dt.date, people: set[int], departments: set[int], may_accept
) -> dict[str, str] | None:
    """What :func:`measure_create` would refuse about ``draft``, as field errors."""
    errors: dict[str, str] = {}
    if not draft.content.strip():
        errors["content"] = _("Describe the measure.")
    if draft.kind not in MeasureKind.values:
        errors["kind"] = _("Unknown kind.")
    if draft.kind != MeasureKind.LONG_TERM and not draft.deadline:
        errors["deadline"] = _("A deadline is required unless the measure is long-term.")
    elif draft.deadline and draft.deadline < found_on:
        errors["deadline"] = _(
            "The deadline cannot be before the date the problem was found (%(date)s)."
        ) % {"date": found_on.isoformat()}
    if not draft.responsible_persons:
        errors["responsible_persons"] = _("Name at least one responsible person.")
    elif not set(draft.responsible_persons) <= people:
        errors["responsible_persons"] = _("A responsible person does not exist.")
    if draft.responsible_leader_id and draft.responsible_leader_id not in people:
        errors["responsible_leader"] = _("The responsible leader does not exist.")
    if draft.responsible_department_id and draft.responsible_department_id not in departments:
        errors["responsible_department"] = _("The responsible department does not exist.")
    if draft.status not in MeasureStatus.values:
        errors["status"] = _("Unknown status.")
    elif draft.status in (MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF) and not may_accept:
        errors["status"] = _("Only the sign-off workflow moves a measure past acceptance.")
    return errors or None
