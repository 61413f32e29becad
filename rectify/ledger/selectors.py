"""Reads of the ledger that are more than a ``get``; all of them scoped to the user."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from rectify.campaigns.models import Campaign, GuidanceAssignment
from rectify.core.ordering import SortRules
from rectify.org.models import Person, Role, RoleGrant, Unit
from rectify.org.scoping import visible_to

from .lights import Light, light_expression, light_q, stalled_q, warning_windows
from .models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    Measure,
    MeasureStatus,
    Problem,
    ProblemStatus,
    ProgressNote,
    Review,
)


def _measure_count(condition: Q | None = None) -> Coalesce:
    """Correlated count of a problem's live measures (evaluated only for fetched rows)."""
    measures = Measure.objects.filter(problem=OuterRef("pk"))
    if condition is not None:
        measures = measures.filter(condition)
    counted = measures.order_by().values("problem").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def problem_status_expression() -> Case:
    """The problem's status derived from its measures (待制定措施/整改中/已完成/已销号)."""
    return Case(
        When(measure_total=0, then=Value(ProblemStatus.NO_MEASURE)),
        When(measure_total=F("measure_signed_off"), then=Value(ProblemStatus.SIGNED_OFF)),
        When(measure_total=F("measure_done"), then=Value(ProblemStatus.COMPLETED)),
        default=Value(ProblemStatus.IN_PROGRESS),
    )


#: Not a derived status: every problem not signed off (the problem list's "open" choice).
NOT_SIGNED_OFF = "open"


def problem_status_q(status: str) -> Q:
    """The problems whose derived status is ``status`` (:func:`problem_status_expression`),
    or with :data:`NOT_SIGNED_OFF` every problem not signed off,
    as conditions on their live measures: an index lookup per problem, or, for signed-off
    problems, starting from the signed-off measures. Filtering on the annotation instead
    counts every problem's measures three times (2.6 s on PostgreSQL for the signed-off
    problems among 400,000; 0.26 s this way).
    """
    live = Measure.objects.filter(problem=OuterRef("pk"))
    has_measure = Exists(live)
    open_measure = Exists(live.filter(status__in=OPEN_STATUSES))
    not_signed_off = Exists(live.exclude(status=MeasureStatus.SIGNED_OFF))
    if status == ProblemStatus.NO_MEASURE:
        return ~has_measure
    if status == ProblemStatus.IN_PROGRESS:
        return Q(open_measure)
    if status == ProblemStatus.COMPLETED:
        return has_measure & ~open_measure & not_signed_off
    if status == ProblemStatus.SIGNED_OFF:
        signed_off = Measure.objects.filter(status=MeasureStatus.SIGNED_OFF).values("problem")
        return Q(pk__in=signed_off) & ~not_signed_off
    if status == NOT_SIGNED_OFF:
        return ~has_measure | not_signed_off
    raise ValueError(status)


def with_problem_status(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """Annotate measure counts and the derived ``derived_status``."""
    return problems.annotate(
        measure_total=_measure_count(),
        measure_done=_measure_count(Q(status__in=DONE_STATUSES)),
        measure_signed_off=_measure_count(Q(status=MeasureStatus.SIGNED_OFF)),
    ).annotate(derived_status=problem_status_expression())


def problems_visible_to(user) -> QuerySet[Problem]:
    """Problems the user may see, with their derived status."""
    problems = visible_to(Problem.objects.all(), user).select_related(
        "campaign", "unit", "target", "concerned_person"
    )
    return with_problem_status(problems)


def with_light(measures: QuerySet[Measure], today: dt.date | None = None) -> QuerySet[Measure]:
    """Annotate each measure's deadline ``light``."""
    return measures.annotate(light=light_expression(today))


def measures_visible_to(user, today: dt.date | None = None) -> QuerySet[Measure]:
    """Measures the user may see, with their light, ready for a list (no per-row queries).

    Only what a list row shows is joined: every related object costs a model
    instance per row, and rows are what a list page spends its time on.
    """
    measures = visible_to(Measure.objects.all(), user)
    return (
        with_light(measures, today)
        .select_related("problem", "unit", "campaign")
        .prefetch_related(
            Prefetch("responsible_persons", queryset=Person.objects.only("id", "name", "unit_id"))
        )
    )


#: How measure lists sort: no deadline is the latest, one status by deadline, then by id.
MEASURE_SORT = SortRules(latest_if_empty=frozenset({"deadline"}), then={"status": ("deadline",)})


def by_deadline() -> list:
    """Earliest deadline first, measures without one (long-term) last, then by id: the
    responsibility lists' order, the same on every database."""
    return MEASURE_SORT.order_by(["deadline"])


def measures_answered_by(person: Person, user) -> QuerySet[Measure]:
    """The responsibility list (责任清单) of one person, across units and campaigns."""
    return measures_visible_to(user).filter(responsible_persons=person).order_by(*by_deadline())


def measures_of_department(department: Unit, user) -> QuerySet[Measure]:
    """The measures a department answers for."""
    return (
        measures_visible_to(user).filter(responsible_department=department).order_by(*by_deadline())
    )


def light_counts(
    measures: QuerySet[Measure],
    today: dt.date | None = None,
    *,
    cap: int | None = None,
    stalled: bool = False,
) -> dict[str, int]:
    """How many of ``measures`` show each light; with ``stalled``, also how many have had no
    recent progress (key ``"stalled"``).

    Without ``cap``: one aggregate query over the whole set, the stalled count
    included (it reads each open row's notes: keep such sets small). With
    ``cap``: one bounded count per light that stops at ``cap + 1`` (each served
    by an index), for sets too large to aggregate on every page view; no stalled
    count then.
    """
    today = today or timezone.localdate()
    measures = measures.order_by()
    windows = warning_windows()  # asked once, not by each light
    conditions = {light: light_q(light, today, windows=windows) for light in Light.values}
    if cap is not None:
        return {
            light: measures.filter(condition).values("pk")[: cap + 1].count()
            for light, condition in conditions.items()
        }
    aggregates = {light: Count("pk", filter=condition) for light, condition in conditions.items()}
    if stalled:
        aggregates["stalled"] = Count("pk", filter=stalled_q(today))
    return {name: n or 0 for name, n in measures.aggregate(**aggregates).items()}


def reviews_of(measure: Measure) -> QuerySet[Review]:
    """The sign-off decisions on a measure, oldest first (its timeline)."""
    return measure.reviews.select_related("actor__person")


def progress_of(measure: Measure) -> QuerySet[ProgressNote]:
    """A measure's progress notes, newest first, with their evidence."""
    return measure.progress_notes.select_related("author").prefetch_related("evidence")


def history_of(obj) -> list[dict]:
    """The object's change history, newest first: who, when, why, and each field's old → new."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append({"field": field.verbose_name, "old": change.old, "new": change.new})
        entries.append({"record": record, "changes": changes})
    return entries


# Who hears of a measure (the inbox's recipients). Each is one query, users only
# (people without a login hear nothing), active logins only.


def responsible_users_of(measure: Measure) -> QuerySet:
    """The logins of the persons who answer for ``measure``."""
    return get_user_model().objects.filter(
        is_active=True,
        pk__in=Person.objects.filter(measures=measure, user__isnull=False).values("user"),
    )


def responsible_user_pairs(measure_ids: Iterable[int]) -> list[tuple[int, int]]:
    """``(measure id, user id)`` for every login answering for one of ``measure_ids``."""
    through = Measure.responsible_persons.through.objects.filter(
        measure_id__in=list(measure_ids),
        person__deleted_at__isnull=True,
        person__user__isnull=False,
        person__user__is_active=True,
    )
    return list(through.values_list("measure_id", "person__user_id"))


def leaders_of(unit: Unit) -> QuerySet:
    """Logins holding the leader role on ``unit`` or a unit above it (who confirm its work)."""
    grants = RoleGrant.objects.filter(
        role=Role.LEADER, unit__path__in=unit.ancestor_paths(), unit__deleted_at__isnull=True
    )
    return get_user_model().objects.filter(is_active=True, pk__in=grants.values("user"))


def guidance_members_of(unit: Unit, campaign: Campaign) -> QuerySet:
    """Logins leading or belonging to a live group assigned ``unit`` (or above) on ``campaign``.

    The same people :func:`rectify.campaigns.selectors.guidance_supervises` lets act.
    """
    groups = GuidanceAssignment.objects.filter(
        campaign=campaign,
        group__deleted_at__isnull=True,
        units__path__in=unit.ancestor_paths(),
        units__deleted_at__isnull=True,
    ).values("group")
    members = Person.all_objects.filter(guidance_groups__in=groups).values("user")
    leaders = Person.all_objects.filter(led_guidance_groups__in=groups).values("user")
    return get_user_model().objects.filter(Q(pk__in=members) | Q(pk__in=leaders), is_active=True)
