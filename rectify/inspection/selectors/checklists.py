"""Reads of self-examination checklists: who is asked, by rule, and how far the answers are.

Progress is counted in SQL, one aggregate per page, whatever the number of
people: answers are counted per assignment in a correlated subquery and
rolled up per branch of the tree by the branch's path prefix.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.org.models import PATH_END, PATH_STEP, Person, Rank, Unit
from rectify.org.scoping import (
    VIEW,
    can_see_unit_for_campaign,
    person_of,
    scope_paths,
    visible_to,
)

from ..models import Checklist, ChecklistAnswer, ChecklistAssignment, ChecklistQuestion


class AssignRule(models.TextChoices):
    """Whom an assignment by rule picks in a subtree (分级分类)."""

    COUNTY_UP = "county_up", _("Leading cadres at county level and above")
    LEADERSHIP = "leadership", _("Members of the leadership groups")
    EVERYONE = "everyone", _("Everyone")


def persons_by_rule(unit: Unit, rule: str) -> QuerySet[Person]:
    """The live people of ``unit``'s subtree (live units only) whom ``rule`` picks."""
    persons = Person.objects.filter(
        unit__path__gte=unit.path,
        unit__path__lt=unit.path + PATH_END,
        unit__deleted_at__isnull=True,
    )
    if rule == AssignRule.COUNTY_UP:
        return persons.filter(rank=Rank.COUNTY_LEVEL_AND_ABOVE)
    if rule == AssignRule.LEADERSHIP:
        return persons.filter(is_leadership_member=True)
    if rule == AssignRule.EVERYONE:
        return persons
    raise ValueError(f"unknown assignment rule {rule!r}")


def checklists_visible_to(user) -> QuerySet[Checklist]:
    """Live checklists of the campaigns the user takes part in, organizes or answers for."""
    return Checklist.objects.filter(
        campaign__in=campaigns_visible_to(user).values("pk")
    ).select_related("campaign", "campaign__organizer")


def with_answer_counts(assignments: QuerySet[ChecklistAssignment]) -> QuerySet:
    """Annotate ``answered`` (questions answered, blank answers not counted) and
    ``question_count`` (questions on the checklist), each a correlated count."""
    answered = (
        ChecklistAnswer.objects.filter(assignment=OuterRef("pk"))
        .exclude(text="")
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    questions = (
        ChecklistQuestion.objects.filter(checklist=OuterRef("checklist"))
        .order_by()
        .values("checklist")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return assignments.annotate(
        answered=Coalesce(Subquery(answered), Value(0)),
        question_count=Coalesce(Subquery(questions), Value(0)),
    )


def my_assignments(user) -> QuerySet[ChecklistAssignment]:
    """The checklists assigned to the person of this login, newest campaign first, with counts."""
    person = person_of(user)
    if person is None:
        return ChecklistAssignment.objects.none()
    mine = ChecklistAssignment.objects.filter(
        person=person,
        checklist__deleted_at__isnull=True,
        checklist__campaign__deleted_at__isnull=True,
    )
    return (
        with_answer_counts(mine)
        .select_related("checklist", "checklist__campaign", "unit")
        .order_by("-checklist__campaign__start_date", "checklist_id")
    )


def assignment_visible_to(user, pk: int) -> ChecklistAssignment | None:
    """The assignment ``pk`` when the user may see it (its person, or scope over its unit)."""
    assignments = ChecklistAssignment.objects.filter(
        checklist__deleted_at__isnull=True, checklist__campaign__deleted_at__isnull=True
    ).select_related("checklist", "checklist__campaign", "person", "unit")
    return visible_to(assignments, user).filter(pk=pk).first()


def answers_of(assignment: ChecklistAssignment) -> dict[int, ChecklistAnswer]:
    """The assignment's answers by question pk, each with its findings prefetched."""
    answers = assignment.answers.prefetch_related("findings")
    return {answer.question_id: answer for answer in answers}


def _in_subtree(assignments: QuerySet, unit: Unit) -> QuerySet:
    return assignments.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)


@dataclass
class UnitProgress:
    """Counts of one row of the progress table: a unit with its subtree, or the unit alone."""

    unit: Unit
    own: bool = False
    assigned: int = 0
    complete: int = 0
    submitted: int = 0

    @property
    def pending(self) -> int:
        """Assigned but not yet submitted."""
        return self.assigned - self.submitted


def unit_progress(user, checklist: Checklist, unit: Unit) -> list[UnitProgress]:
    """Progress of ``unit``'s own people, then of each child branch that has assignments.

    Counts (assigned, every question answered, submitted) are rolled up over
    each branch's subtree in one query; the branches' units are one more.
    """
    branch_length = len(unit.path) + PATH_STEP
    visible = visible_to(ChecklistAssignment.objects.filter(checklist=checklist), user)
    counts = (
        with_answer_counts(_in_subtree(visible, unit))
        # A person of ``unit`` itself has a shorter path: their branch is ``unit.path``.
        .annotate(branch=Substr("unit__path", 1, branch_length))
        .order_by()
        .values("branch")
        .annotate(
            n_assigned=Count("pk"),
            n_complete=Count("pk", filter=Q(answered__gte=F("question_count"))),
            n_submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        )
    )
    by_branch = {row["branch"]: row for row in counts}
    units = {u.path: u for u in Unit.all_objects.filter(path__in=list(by_branch))}
    units.setdefault(unit.path, unit)
    rows = [UnitProgress(unit=unit, own=True)]
    rows += [UnitProgress(unit=units[path]) for path in sorted(units) if path != unit.path]
    for row in rows:
        counted = by_branch.get(row.unit.path)
        if counted:
            row.assigned = counted["n_assigned"]
            row.complete = counted["n_complete"]
            row.submitted = counted["n_submitted"]
    return rows


def person_progress(
    user, checklist: Checklist, unit: Unit, *, pending_only: bool = False
) -> QuerySet[ChecklistAssignment]:
    """Each assignment of ``unit``'s subtree with how many questions its person answered.

    ``pending_only`` keeps those not yet submitted (who has not answered).
    """
    visible = visible_to(ChecklistAssignment.objects.filter(checklist=checklist), user)
    assignments = _in_subtree(visible, unit)
    if pending_only:
        assignments = assignments.filter(submitted_at__isnull=True)
    return (
        with_answer_counts(assignments)
        .select_related("person", "unit")
        .order_by("unit__path", "person__name", "pk")
    )


def progress_start(user, campaign: Campaign) -> Unit | None:
    """Where the user's progress page opens: the campaign's first participating unit they
    may read, else their own first scope root inside the campaign; ``None`` when neither."""
    for root in campaign.participating_units.order_by("path"):
        if can_see_unit_for_campaign(user, root, campaign.pk):
            return root
    for unit in Unit.objects.filter(path__in=scope_paths(user, VIEW)).order_by("path"):
        if campaign.includes_unit(unit):
            return unit
    return None
