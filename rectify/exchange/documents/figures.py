"""What the plan and the report say: the scoped reads behind the two Word documents.

Every read starts from the rows the user may see (:func:`visible_to`) of one
campaign in one unit's subtree, so a document holds no more than the list
pages would show the same user. Counts are aggregates (a few queries at any
size); item lists stop at :data:`DOCUMENT_ROWS` rows and carry their total.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone

from rectify.campaigns.models import Campaign, Phase, Target
from rectify.ledger.lights import Light, light_q
from rectify.ledger.models import (
    DONE_STATUSES,
    ExtensionRequest,
    ExtensionStatus,
    Level,
    Measure,
    MeasureStatus,
    Problem,
    Review,
    ReviewAction,
    Urge,
)
from rectify.ledger.report import attach_last_urged, overdue_measures
from rectify.ledger.selectors import measures_visible_to, with_light
from rectify.org.models import PATH_END, PATH_STEP, Unit
from rectify.org.scoping import visible_to

from ..rows import RowSource

#: Each table of items (problems, measures, overdue, extended, urged) stops here and says so.
DOCUMENT_ROWS = 2000
#: Typical cases the report tells at most.
TYPICAL_CASES = 5


def _in_subtree(prefix: str, unit: Unit) -> Q:
    """Rows whose unit lies in ``unit``'s subtree (a range on the unit path)."""
    return Q(**{f"{prefix}path__gte": unit.path, f"{prefix}path__lt": unit.path + PATH_END})


def scoped_problems(user, campaign: Campaign, unit: Unit) -> QuerySet[Problem]:
    """The problems of ``campaign`` in ``unit``'s subtree that ``user`` may see."""
    problems = Problem.objects.filter(_in_subtree("unit__", unit), campaign=campaign)
    return visible_to(problems, user)


def scoped_measures(user, campaign: Campaign, unit: Unit) -> QuerySet[Measure]:
    """The measures of ``campaign`` in ``unit``'s subtree that ``user`` may see."""
    measures = Measure.objects.filter(_in_subtree("unit__", unit), campaign=campaign)
    return visible_to(measures, user)


@dataclass
class Bounded:
    """The first rows of a list and how many there are in all."""

    rows: list
    total: int

    @property
    def truncated(self) -> bool:
        """True when :attr:`rows` holds fewer than :attr:`total`."""
        return self.total > len(self.rows)


# The plan (整改方案)


@dataclass
class PlanData:
    """What the rectification plan of a unit in a campaign is made of."""

    campaign: Campaign
    unit: Unit
    today: dt.date
    phases: list[Phase]
    targets: list[Target]
    problems_by_target: dict[int, int]
    problems: Bounded
    measures: Bounded


def plan_data(user, campaign: Campaign, unit: Unit, today: dt.date | None = None) -> PlanData:
    """The campaign's requirements and targets, and the unit subtree's three lists (bounded).

    The lists are read by the same :class:`RowSource` as the Excel exports,
    so a row says the same in both.
    """
    today = today or timezone.localdate()
    problems = scoped_problems(user, campaign, unit)
    measures = with_light(scoped_measures(user, campaign, unit), today)
    by_target = dict(
        problems.order_by().values("target").annotate(n=Count("pk")).values_list("target", "n")
    )
    problem_rows = RowSource("problems", problems=problems).rows()
    measure_rows = RowSource("measures", measures=measures).rows()
    return PlanData(
        campaign=campaign,
        unit=unit,
        today=today,
        phases=list(campaign.phases.all()),
        targets=list(campaign.targets.all()),
        problems_by_target=by_target,
        problems=Bounded(list(islice(problem_rows, DOCUMENT_ROWS)), sum(by_target.values())),
        measures=Bounded(list(islice(measure_rows, DOCUMENT_ROWS)), measures.count()),
    )


# The report (整改情况报告)


@dataclass
class Tally:
    """The figures of one group of the report (a target, a level, a unit, or all)."""

    label: str
    problems: int = 0
    measures: int = 0
    done: int = 0
    signed_off: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        """Measures whose work is not done yet."""
        return self.measures - self.done


@dataclass
class ReportData:
    """What the progress report of a unit in a campaign says, on ``today``."""

    campaign: Campaign
    unit: Unit
    today: dt.date
    total: Tally
    statuses: dict[str, int]
    lights: dict[str, int]
    problems_completed: int
    problems_signed_off: int
    by_target: list[Tally]
    by_level: list[Tally]
    by_unit: list[Tally]
    overdue: Bounded
    extended: Bounded
    extension_approvals: int
    urged: Bounded
    urges: int
    typical: list[Measure] = field(default_factory=list)


def _tallies(measures: QuerySet, problems: QuerySet, key: str, problem_key: str, today, days):
    """``{group key: Tally}`` from one GROUP BY of the measures and one of the problems."""
    if isinstance(key, str):
        key, problem_key = F(key), F(problem_key)
    tallies: dict = {}
    grouped = (
        measures.order_by()
        .values(group=key)
        .annotate(
            measures=Count("pk"),
            done=Count("pk", filter=Q(status__in=DONE_STATUSES)),
            signed_off=Count("pk", filter=Q(status=MeasureStatus.SIGNED_OFF)),
            overdue=Count("pk", filter=light_q(Light.RED, today, warning_days=days)),
        )
    )
    for row in grouped:
        group = row.pop("group")
        tallies[group] = Tally(label="", **row)
    problem_counts = problems.order_by().values(group=problem_key).annotate(n=Count("pk"))
    for group, count in problem_counts.values_list("group", "n"):
        tallies.setdefault(group, Tally(label="")).problems = count
    return tallies


def _by_unit(measures, problems, unit: Unit, today, days) -> list[Tally]:
    """The unit's own figures (本级) and each child's subtree; empty for a unit without any."""
    cut = len(unit.path) + PATH_STEP
    tallies = _tallies(
        measures, problems, Substr("unit__path", 1, cut), Substr("unit__path", 1, cut), today, days
    )
    children = Unit.all_objects.filter(
        Q(parent=unit, deleted_at__isnull=True) | Q(parent=unit, path__in=list(tallies))
    ).order_by("order", "path")
    if not children:
        return []
    rows = []
    own = tallies.get(unit.path, Tally(label=""))
    own.label = str(unit)
    rows.append(own)
    for child in children:
        tally = tallies.get(child.path, Tally(label=""))
        tally.label = str(child)
        rows.append(tally)
    return rows


def _sum(label: str, tallies: list[Tally]) -> Tally:
    total = Tally(label=label)
    for tally in tallies:
        for name in ("problems", "measures", "done", "signed_off", "overdue"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
    return total


def _problems_finished(measures: QuerySet) -> tuple[int, int]:
    """Problems all of whose (at least one) measures are done, and those all signed off."""
    per_problem = (
        measures.order_by()
        .values("problem")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status__in=DONE_STATUSES)),
            signed_off=Count("pk", filter=Q(status=MeasureStatus.SIGNED_OFF)),
        )
    )
    completed = per_problem.filter(n=F("done")).count()
    signed_off = per_problem.filter(n=F("signed_off")).count()
    return completed, signed_off


def report_data(user, campaign: Campaign, unit: Unit, today: dt.date | None = None) -> ReportData:
    """The figures of the progress report: totals, rates, groups, and the items behind them.

    Typical cases (典型案例) are the signed-off measures whose completion
    statement (the text submitted for acceptance, 整改完成情况) is not empty:
    long-term ones that left a standing mechanism (长效机制) first, then the
    earliest completed; at most :data:`TYPICAL_CASES`.
    """
    today = today or timezone.localdate()
    days = campaign.warning_days
    problems = scoped_problems(user, campaign, unit)
    measures = scoped_measures(user, campaign, unit)

    aggregates = {status: Count("pk", filter=Q(status=status)) for status in MeasureStatus.values}
    for light in Light.values:
        aggregates[light] = Count("pk", filter=light_q(light, today, warning_days=days))
    counts = measures.order_by().aggregate(**aggregates)
    statuses = {status: counts[status] for status in MeasureStatus.values}
    lights = {light: counts[light] for light in Light.values}

    targets = list(campaign.targets.all())
    by_target_keys = _tallies(measures, problems, "problem__target", "target", today, days)
    by_target = []
    for target in targets:
        tally = by_target_keys.pop(target.pk, Tally(label=""))
        tally.label = target.title
        by_target.append(tally)
    by_level_keys = _tallies(measures, problems, "problem__level", "level", today, days)
    by_level = []
    for level in Level:
        tally = by_level_keys.pop(level.value, Tally(label=""))
        tally.label = str(level.label)
        by_level.append(tally)
    # A problem's target is one of its campaign's; anything left over still counts.
    total = _sum("", by_target + list(by_target_keys.values()))

    completed, signed_off = _problems_finished(measures)
    return ReportData(
        campaign=campaign,
        unit=unit,
        today=today,
        total=total,
        statuses=statuses,
        lights=lights,
        problems_completed=completed,
        problems_signed_off=signed_off,
        by_target=by_target,
        by_level=by_level,
        by_unit=_by_unit(measures, problems, unit, today, days),
        overdue=Bounded(
            overdue_measures(user, campaign, unit, today, limit=DOCUMENT_ROWS), lights[Light.RED]
        ),
        **_extensions(user, measures, today),
        **_urges(user, measures, today),
        typical=_typical_cases(user, measures, today),
    )


def _extensions(user, measures: QuerySet, today) -> dict:
    """The measures whose deadline was moved by an approved request, latest deadline last."""
    approved = ExtensionRequest.objects.filter(
        status=ExtensionStatus.APPROVED, measure__in=measures.values("pk")
    )
    # No ordering: DISTINCT would count the (measure, ordering columns) pairs instead.
    extended = approved.order_by().values("measure")
    rows = list(
        measures_visible_to(user, today)
        .filter(pk__in=extended)
        .order_by("deadline", "pk")[:DOCUMENT_ROWS]
    )
    return {
        "extended": Bounded(attach_last_urged(rows), extended.distinct().count()),
        "extension_approvals": approved.count(),
    }


def _urges(user, measures: QuerySet, today) -> dict:
    """The urged measures (督办), most urged first."""
    urges = Urge.objects.filter(measure__in=measures.values("pk"))
    per_measure = urges.order_by().values("measure").annotate(n=Count("*"))
    ids = [row["measure"] for row in per_measure.order_by("-n", "measure")[:DOCUMENT_ROWS]]
    found = measures_visible_to(user, today).filter(pk__in=ids).in_bulk()
    rows = attach_last_urged([found[pk] for pk in ids if pk in found])
    return {"urged": Bounded(rows, per_measure.count()), "urges": urges.count()}


def _typical_cases(user, measures: QuerySet, today) -> list[Measure]:
    statement = (
        Review.objects.filter(measure=OuterRef("pk"), action=ReviewAction.SUBMIT)
        .order_by("-created_at", "-id")
        .values("text")[:1]
    )
    cases = (
        measures_visible_to(user, today)
        .filter(pk__in=measures.filter(status=MeasureStatus.SIGNED_OFF).values("pk"))
        .annotate(statement=Subquery(statement))
        .exclude(Q(statement__isnull=True) | Q(statement=""))
        .annotate(
            has_mechanism=Case(
                When(mechanism="", then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .select_related("problem__target")
        .order_by("has_mechanism", "completed_on", "pk")
    )
    return list(cases[:TYPICAL_CASES])
