"""Write a checked plan: one transaction, every row or none, history with the import as reason.

New problems (with their measures) go through the ledger's bulk service;
problems and measures named by Rectify's hidden id are changed through the
same services a user's edit goes through (``problem_update``,
``measure_update``, ``measure_set_status``, ``progress_record``), field by
field, only where the file differs — so an unchanged re-import writes nothing.
People the user chose to create are created through the org app's service.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign
from rectify.core.services import history_reason
from rectify.ledger import services as ledger
from rectify.ledger.models import Measure, MeasureStatus, Problem
from rectify.org.models import Person, Unit
from rectify.org.scoping import is_system_admin
from rectify.org.services import person_create

from .memory import collector_paused
from .plan import Issue, Plan, PlannedMeasure, PlannedProblem


def import_reason(file_name: str) -> str:
    """The reason recorded in the history of everything an import writes."""
    return history_reason(_("Import of %(name)s") % {"name": file_name})


@dataclass
class Outcome:
    """What an import wrote."""

    problems_created: int = 0
    problems_updated: int = 0
    measures_created: int = 0
    measures_updated: int = 0
    persons_created: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        """For ``Job.result``."""
        return dict(self.__dict__)


class ImportFailed(ValidationError):
    """The plan cannot be written; ``issues`` say where (nothing was written)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__([f"{i.row}: {i.reason}" for i in issues[:20]] or [_("Nothing to import.")])


@collector_paused
@transaction.atomic
def import_plan(
    plan: Plan,
    *,
    campaign: Campaign,
    acting_user,
    reason: str,
    progress=None,
) -> Outcome:
    """Write ``plan`` into ``campaign`` as ``acting_user``; raises :class:`ImportFailed`."""
    if not plan.can_import:
        issues = plan.blocking or [
            Issue(q.rows[0], "", q.name, _("Decide who this person is.")) for q in plan.undecided
        ]
        raise ImportFailed(issues)
    outcome = Outcome()
    persons = dict(plan.persons)
    for question in plan.questions:
        kind, _sep, value = question.decision.partition(":")
        if kind == "new":
            person = person_create(
                name=question.name, unit=Unit.objects.get(pk=int(value)), acting_user=acting_user
            )
            persons[question.name] = person.pk
            outcome.persons_created += 1
        else:
            persons[question.name] = int(value)
    mapped = set(plan.columns.values())
    new = [p for p in plan.problems if p.existing_id is None]
    ids_of = _PersonIds(persons)
    drafts = [
        ledger.ProblemDraft(
            unit_id=p.unit_id,
            target_id=p.target_id,
            description=p.description,
            source=p.source,
            level=p.level,
            found_on=p.found_on,
            root_cause=p.root_cause,
            measures=[_measure_draft(m, persons, ids_of) for m in p.measures],
        )
        for p in new
    ]
    try:
        ledger.ledger_bulk_create(
            campaign=campaign,
            problems=drafts,
            acting_user=acting_user,
            reason=reason,
            progress=progress,
        )
    except ledger.BulkValidationError as exc:
        raise ImportFailed(
            [
                Issue(
                    new[p].measures[m].row if m is not None else new[p].row,
                    "",
                    "",
                    "; ".join(error.messages),
                )
                for p, m, error in exc.errors
            ]
        ) from exc
    outcome.problems_created = len(new)
    outcome.measures_created = sum(len(p.measures) for p in new)
    updater = _Updater(acting_user, reason, mapped, persons, outcome)
    for planned in plan.problems:
        if planned.existing_id is not None:
            try:
                updater.problem(planned)
            except ValidationError as exc:
                raise ImportFailed([Issue(planned.row, "", "", "; ".join(exc.messages))]) from exc
    return outcome


class _PersonIds(dict):
    """``ids_of[names]``: the ids of the persons ``names`` names, worked out once per names."""

    def __init__(self, persons: dict[str, int]):
        super().__init__()
        self.persons = persons

    def __missing__(self, names: tuple[str, ...]) -> tuple[int, ...]:
        ids = self[names] = tuple(self.persons[name] for name in names)
        return ids


def _measure_draft(
    m: PlannedMeasure, persons: dict[str, int], ids_of: _PersonIds | None = None
) -> "ledger.MeasureDraft":
    ids_of = ids_of if ids_of is not None else _PersonIds(persons)
    return ledger.MeasureDraft(
        content=m.content,
        responsible_persons=ids_of[tuple(m.persons)],
        kind=m.kind,
        deadline=m.deadline,
        expected_outcome=m.expected_outcome,
        responsible_leader_id=persons[m.leader] if m.leader else None,
        responsible_department_id=m.department_id,
        status=m.status,
        progress=m.progress,
    )


class _Updater:
    """Applies the differences between the file and the objects it names."""

    def __init__(self, user, reason: str, mapped: set[str], persons: dict[str, int], outcome):
        self.user = user
        self.reason = reason
        self.mapped = mapped
        self.persons = persons
        self.outcome = outcome
        self.may_accept = is_system_admin(user)

    def problem(self, planned: PlannedProblem) -> None:
        problem = Problem.objects.select_related("unit").get(pk=planned.existing_id)
        fields = {}
        if planned.description and planned.description != problem.description:
            fields["description"] = planned.description
        if planned.target_id and planned.target_id != problem.target_id:
            fields["target"] = problem.campaign.targets.get(pk=planned.target_id)
        for key in ("source", "level"):
            if key in planned.given and getattr(planned, key) != getattr(problem, key):
                fields[key] = getattr(planned, key)
        if "root_cause" in self.mapped and planned.root_cause != problem.root_cause:
            fields["root_cause"] = planned.root_cause
        if fields:
            ledger.problem_update(
                problem=problem,
                expected_version=problem.version,
                acting_user=self.user,
                reason=self.reason,
                **fields,
            )
            self.outcome.problems_updated += 1
        else:
            self.outcome.unchanged += 1
        for measure in planned.measures:
            if measure.existing_id is None:
                self.new_measure(problem, measure)
            else:
                self.measure(measure)

    def new_measure(self, problem: Problem, planned: PlannedMeasure) -> None:
        draft = _measure_draft(planned, self.persons)
        measure = ledger.measure_create(
            problem=problem,
            content=draft.content,
            responsible_persons=Person.objects.filter(pk__in=draft.responsible_persons),
            kind=draft.kind,
            deadline=draft.deadline,
            expected_outcome=draft.expected_outcome,
            responsible_leader=_person(draft.responsible_leader_id),
            responsible_department=_unit(draft.responsible_department_id),
            status=draft.status,
            acting_user=self.user,
            reason=self.reason,
        )
        if planned.progress:
            ledger.progress_record(measure=measure, text=planned.progress, acting_user=self.user)
        self.outcome.measures_created += 1

    def measure(self, planned: PlannedMeasure) -> None:
        measure = Measure.objects.get(pk=planned.existing_id)
        fields = {}
        if planned.content and planned.content != measure.content:
            fields["content"] = planned.content
        if "expected_outcome" in self.mapped and planned.expected_outcome != (
            measure.expected_outcome
        ):
            fields["expected_outcome"] = planned.expected_outcome
        if "kind" in planned.given and planned.kind != measure.kind:
            fields["kind"] = planned.kind
        if "deadline" in self.mapped and planned.deadline != measure.deadline:
            fields["deadline"] = planned.deadline
        if "responsible_leader" in self.mapped:
            leader = self.persons.get(planned.leader) if planned.leader else None
            if leader != measure.responsible_leader_id:
                fields["responsible_leader"] = _person(leader)
        if "responsible_department" in self.mapped:
            department = planned.department_id
            if not planned.department and measure.responsible_department_id is not None:
                fields["responsible_department"] = None
            elif department and department != measure.responsible_department_id:
                fields["responsible_department"] = _unit(department)
        persons = None
        if planned.persons:
            wanted = {self.persons[name] for name in planned.persons}
            if wanted != set(measure.responsible_persons.values_list("pk", flat=True)):
                persons = Person.objects.filter(pk__in=wanted)
        changed = bool(fields or persons is not None)
        if changed:
            measure = ledger.measure_update(
                measure=measure,
                expected_version=measure.version,
                acting_user=self.user,
                reason=self.reason,
                responsible_persons=persons,
                **fields,
            )
        if planned.progress:
            latest = measure.progress_notes.order_by("-reported_on", "-id").first()
            if latest is None or latest.text != planned.progress:
                ledger.progress_record(
                    measure=measure, text=planned.progress, acting_user=self.user
                )
                measure.refresh_from_db()
                changed = True
        if planned.status_given and planned.status != measure.status:
            accepted = (MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF)
            past = measure.status in accepted or planned.status in accepted
            if not past or self.may_accept:
                ledger.measure_set_status(
                    measure=measure,
                    status=planned.status,
                    expected_version=measure.version,
                    acting_user=self.user,
                    reason=self.reason,
                )
                changed = True
        if changed:
            self.outcome.measures_updated += 1
        else:
            self.outcome.unchanged += 1


def _person(pk: int | None) -> Person | None:
    return Person.objects.get(pk=pk) if pk else None


def _unit(pk: int | None) -> Unit | None:
    return Unit.objects.get(pk=pk) if pk else None
