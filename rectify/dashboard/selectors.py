"""Reads across the stages, through each stage's own selectors and models.

The pipeline (以学促研、以研促查、以查促改) counts, for one campaign, every
stage of each unit below a node — study sessions, research topics, findings,
problems, measures, problems signed off — with one count per stage grouped by
child unit (:func:`rectify.inspection.selectors.gaps.tally`): the same handful
of queries for any number of children.
"""

import datetime as dt
from dataclasses import dataclass, fields

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from rectify.campaigns.models import Campaign
from rectify.evaluation.models import Round, Survey
from rectify.evaluation.selectors import round_results, surveys_visible_to
from rectify.inspection.models import Finding, ResearchTopic
from rectify.inspection.selectors.gaps import problem_counts, row_units, subtree_q, tally
from rectify.ledger import tallies
from rectify.ledger.lights import Light, light_q
from rectify.ledger.models import (
    OPEN_STATUSES,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Source,
)
from rectify.org.models import Unit
from rectify.org.scoping import can_see_unit_for_campaign
from rectify.study.models import Meeting
from rectify.study.selectors import CoverageRow, coverage_total


@dataclass
class PipelineRow:
    """One unit's funnel; ``own`` for what is recorded on the node itself, else a child's subtree.

    ``study_sessions`` counts the meetings held that count as study (for coverage).
    """

    unit: Unit | None
    own: bool = False
    study_sessions: int = 0
    research_topics: int = 0
    findings: int = 0
    problems: int = 0
    measures: int = 0
    signed_off: int = 0

    def add(self, other: "PipelineRow") -> None:
        """Add ``other``'s counts to this row (for the total)."""
        for name in STAGES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


#: The counted stages, in the order of the funnel.
STAGES = tuple(f.name for f in fields(PipelineRow) if f.name not in ("unit", "own"))


@dataclass
class Pipeline:
    """The funnel of ``campaign`` over ``node``: own row first, then the children, and the total."""

    campaign: Campaign
    node: Unit
    rows: list[PipelineRow]
    total: PipelineRow


def _counts(queryset, node: Unit) -> dict[str, int]:
    """``{row path: rows}`` of ``queryset`` under ``node``."""
    return tally(queryset, node)


def pipeline(user, campaign: Campaign, node: Unit) -> Pipeline:
    """The pipeline of ``campaign`` per unit below ``node`` (each child with its subtree).

    Scope is checked once on the node, as for the gap matrix; a node out of the
    user's scope in this campaign raises :class:`PermissionDenied`.
    """
    if not can_see_unit_for_campaign(user, node, campaign.pk):
        raise PermissionDenied
    stages = {
        "study_sessions": _counts(
            Meeting.objects.filter(campaign=campaign, counts_for_coverage=True), node
        ),
        "research_topics": _counts(ResearchTopic.objects.filter(campaign=campaign), node),
        "findings": _counts(Finding.objects.filter(campaign=campaign), node),
    }
    ledger = problem_counts(campaign, node, by_target=False)
    for stage, column in (
        ("problems", "total"),
        ("measures", "measures"),
        ("signed_off", "signed_off"),
    ):
        stages[stage] = {path: row[column] for (path, _all), row in ledger.items()}
    keys = {key for counts in stages.values() for key in counts}
    rows = []
    for unit, own in row_units(campaign, node, keys):
        figures = {name: counts.get(unit.path, 0) for name, counts in stages.items()}
        rows.append(PipelineRow(unit=unit, own=own, **figures))
    total = PipelineRow(unit=None)
    for row in rows:
        total.add(row)
    return Pipeline(campaign=campaign, node=node, rows=rows, total=total)


# ---------------------------------------------------------------------------
# The campaign dashboard (/dashboard/): one function per figure, each taking
# ``(user, campaign, node)`` and checking the scope itself (the user's grants are
# cached on the user object, so the check costs no query after the first). Each
# counts the live rows of the campaign in ``node``'s subtree: whoever may read a
# node in a campaign reads its whole subtree there, which is exactly what the
# ledger's lists show under ``?campaign=…&unit=…``. A later pre-aggregated table
# can replace any one of them without touching the page.
# ---------------------------------------------------------------------------

#: The red list and the most-urged and most-extended lists stop here (totals are given).
TOP_LIMIT = 10
RED_LIST_LIMIT = 20
#: The burn-down shows at most this many weeks (the most recent), from the first week
#: that holds a measure: a campaign's quiet first weeks say nothing.
BURNDOWN_WEEKS = 156


def _require_scope(user, campaign: Campaign, node: Unit) -> None:
    """:class:`PermissionDenied` unless ``user`` reads ``node``'s subtree in ``campaign``."""
    if not can_see_unit_for_campaign(user, node, campaign.pk):
        raise PermissionDenied


def _covers(campaign: Campaign, node: Unit) -> bool:
    """True when ``node``'s subtree holds every unit taking part in ``campaign``."""
    return all(path.startswith(node.path) for path in campaign.participating_paths)


def campaign_measures(campaign: Campaign, node: Unit) -> QuerySet[Measure]:
    """The campaign's live measures in ``node``'s subtree (unscoped: callers check).

    Over a node that holds the whole campaign, no condition on the units: the
    indexes on status and deadline then serve the lights without a join.
    """
    measures = Measure.objects.filter(campaign=campaign).order_by()
    return measures if _covers(campaign, node) else measures.filter(subtree_q(node))


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


def as_percent(rate: float | None) -> str:
    """A rate as printed ("66.7%"), or a dash when there is nothing to divide."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass
class Totals:
    """The headline figures: problems by how far they are, measures by status."""

    problems: int
    problems_completed: int
    problems_signed_off: int
    measures: int
    measure_statuses: dict[str, int]

    @property
    def completion_rate(self) -> float | None:
        """Problems whose measures are all done (signed off or not), of all problems."""
        return _percent(self.problems_completed + self.problems_signed_off, self.problems)

    @property
    def sign_off_rate(self) -> float | None:
        """Problems signed off (销号), of all problems."""
        return _percent(self.problems_signed_off, self.problems)


class LedgerRows(dict):
    """``{(row path, target id): counts}`` of the ledger's tallies (columns as
    :data:`rectify.ledger.tallies.COLUMNS`), with their sums worked out once for
    the several figures that read them."""

    @cached_property
    def summed(self) -> dict[str, int]:
        """The node's whole subtree, by tally column: every row summed."""
        summed = [0] * len(tallies.COLUMNS)
        for counts in self.values():
            summed = [a + b for a, b in zip(summed, counts, strict=True)]
        return tallies.named(summed)

    @cached_property
    def by_path(self) -> dict[str, dict[str, int]]:
        """``{row path: {column: n}}``: the rows summed over the targets."""
        summed: dict[str, list[int]] = {}
        for (path, _target), counts in self.items():
            row = summed.get(path)
            summed[path] = (
                list(counts) if row is None else [a + b for a, b in zip(row, counts, strict=True)]
            )
        return {path: tallies.named(counts) for path, counts in summed.items()}


def ledger_rows(user, campaign: Campaign, node: Unit) -> LedgerRows:
    """The ledger's tallies of the node's own row and each child's subtree
    (:class:`LedgerRows`), one query whatever lies below them."""
    _require_scope(user, campaign, node)
    return LedgerRows(tallies.totals_by_row(campaign.pk, node))


def _rows(rows: LedgerRows | None, user, campaign: Campaign, node: Unit) -> LedgerRows:
    """``rows`` if given (even empty), else :func:`ledger_rows`."""
    return ledger_rows(user, campaign, node) if rows is None else rows


def measure_figures(
    user, campaign: Campaign, node: Unit, *, rows: LedgerRows | None = None
) -> dict[str, dict[str, int]]:
    """``{"status": {…}, "light": {…}, "kind": {…}}``: the node's measures counted per status,
    per light and per kind.

    Statuses, kinds and grey (long-term, no date) are in the ledger's tallies
    (:func:`ledger_rows` unless given as ``rows``); the lights a date moves are
    counted from the open measures due by the end of the campaign's warning
    window (:func:`rectify.ledger.lights.light_q`, the window a constant, as the
    standing report counts them), which the (status, deadline) indexes serve.
    Green is the rest.
    """
    _require_scope(user, campaign, node)
    counted = _rows(rows, user, campaign, node).summed
    today = timezone.localdate()
    days = campaign.warning_days
    measures = campaign_measures(campaign, node)
    due = measures.filter(
        status__in=OPEN_STATUSES, deadline__lte=today + dt.timedelta(days=days)
    ).aggregate(
        red=Count("pk", filter=light_q(Light.RED, today, warning_days=days)),
        yellow=Count("pk", filter=light_q(Light.YELLOW, today, warning_days=days)),
    )
    lit = {Light.RED: due["red"], Light.YELLOW: due["yellow"], Light.GREY: counted["grey"]}
    # Every measure has a deadline or is long-term (a constraint of the table): the rest
    # are green.
    lit[Light.GREEN] = counted["measures"] - sum(lit.values())
    return {
        "status": {value: counted[f"status_{value}"] for value in MeasureStatus.values},
        "light": {value: lit[value] for value in Light.values},
        "kind": {value: counted[f"kind_{value}"] for value in MeasureKind.values},
    }


def totals(
    user,
    campaign: Campaign,
    node: Unit,
    *,
    measures: dict | None = None,
    rows: LedgerRows | None = None,
) -> Totals:
    """Problems (in all, completed awaiting sign-off, signed off) and measures per status.

    All from the ledger's tallies (:func:`ledger_rows` unless given as ``rows``),
    with :func:`measure_figures` unless given as ``measures``.
    """
    _require_scope(user, campaign, node)
    rows = _rows(rows, user, campaign, node)
    summed = rows.summed
    statuses = (measures or measure_figures(user, campaign, node, rows=rows))["status"]
    return Totals(
        problems=summed["problems"],
        problems_completed=summed["problems_done"] - summed["problems_signed_off"],
        problems_signed_off=summed["problems_signed_off"],
        measures=summed["measures"],
        measure_statuses=statuses,
    )


def lights(user, campaign: Campaign, node: Unit, *, measures: dict | None = None) -> dict:
    """How many measures show each light (red, yellow, green, grey): :func:`measure_figures`."""
    return (measures or measure_figures(user, campaign, node))["light"]


#: What the dashboard shows of a listed measure (and its unit): the rest is deferred.
LISTED_FIELDS = ("content", "deadline", "unit", "unit__name", "unit__short_name")


def red_list(user, campaign: Campaign, node: Unit, *, limit: int = RED_LIST_LIMIT) -> list:
    """The first ``limit`` overdue measures, most overdue first (counted by :func:`lights`),
    with their units; of each only :data:`LISTED_FIELDS`."""
    _require_scope(user, campaign, node)
    red = campaign_measures(campaign, node).filter(light_q(Light.RED))
    if not _covers(campaign, node):
        # A subtree's red measures are found through its units and are few: sort them.
        listed = red.select_related("unit").only(*LISTED_FIELDS).order_by("deadline", "pk")
        return list(listed[:limit])
    # Over the whole campaign, per open status the (campaign, status, deadline) index hands
    # the earliest deadlines in order and stops at ``limit``; over both statuses at once
    # the database would sort every red measure of the campaign first.
    earliest = []
    for status in OPEN_STATUSES:
        by_status = red.filter(status=status).order_by("deadline", "pk")
        earliest += by_status.values_list("deadline", "pk")[:limit]
    ids = [pk for _deadline, pk in sorted(earliest)[:limit]]
    listed = Measure.objects.filter(pk__in=ids).select_related("unit").only(*LISTED_FIELDS)
    return list(listed.order_by("deadline", "pk"))


@dataclass
class Slice:
    """One value of a breakdown (a target, a source, a level, a kind) and its count."""

    key: str
    label: str
    count: int


def _slices(counts: dict, choices) -> list[Slice]:
    return [
        Slice(key=str(key), label=str(label), count=counts.get(key, 0)) for key, label in choices
    ]


def by_target(
    user, campaign: Campaign, node: Unit, *, rows: LedgerRows | None = None
) -> list[Slice]:
    """Problems per target of the campaign, in the targets' order (empty targets included):
    the ledger's tallies (:func:`ledger_rows` unless given as ``rows``) and the targets."""
    _require_scope(user, campaign, node)
    problems = tallies.COLUMNS.index("problems")
    counts: dict[int, int] = {}
    for (_path, target), figures in _rows(rows, user, campaign, node).items():
        counts[target] = counts.get(target, 0) + figures[problems]
    targets = campaign.targets.all()
    return _slices(counts, [(target.pk, f"{target.code} {target.title}") for target in targets])


def problem_figures(
    user, campaign: Campaign, node: Unit, *, rows: LedgerRows | None = None
) -> dict[str, dict[str, int]]:
    """``{"source": {…}, "level": {…}}``: the node's problems counted per source and per level,
    from the ledger's tallies (:func:`ledger_rows` unless given as ``rows``)."""
    _require_scope(user, campaign, node)
    counted = _rows(rows, user, campaign, node).summed
    groups = {"source": Source.values, "level": Level.values}
    return {
        group: {value: counted[f"{group}_{value}"] for value in values}
        for group, values in groups.items()
    }


def by_source(user, campaign: Campaign, node: Unit, *, problems: dict | None = None) -> list:
    """Problems per source (self-examination, solicited opinions, …)."""
    counts = (problems or problem_figures(user, campaign, node))["source"]
    return _slices(counts, Source.choices)


def by_level(user, campaign: Campaign, node: Unit, *, problems: dict | None = None) -> list:
    """Problems per level (leadership group, leading cadre, members, unit)."""
    counts = (problems or problem_figures(user, campaign, node))["level"]
    return _slices(counts, Level.choices)


def by_kind(user, campaign: Campaign, node: Unit, *, measures: dict | None = None) -> list:
    """Measures per kind (at once, by a deadline, long-term)."""
    counts = (measures or measure_figures(user, campaign, node))["kind"]
    return _slices(counts, MeasureKind.choices)


@dataclass
class UnitFigures:
    """One row of the by-unit table: ``own`` for the node's own rows, else a child's subtree."""

    unit: Unit
    own: bool = False
    problems: int = 0
    problems_signed_off: int = 0
    measures: int = 0
    measures_signed_off: int = 0
    red: int = 0

    @property
    def sign_off_rate(self) -> float | None:
        """Problems signed off, of the row's problems."""
        return _percent(self.problems_signed_off, self.problems)

    @property
    def sign_off_percent(self) -> str:
        """:attr:`sign_off_rate` as printed."""
        return as_percent(self.sign_off_rate)


def by_unit(
    user, campaign: Campaign, node: Unit, *, rows: LedgerRows | None = None
) -> list[UnitFigures]:
    """The node's own figures, then each child's subtree (those in the campaign or holding rows).

    Three queries whatever the number of children: the ledger's tallies of the
    node and its children (:func:`ledger_rows`, unless given as ``rows``), the red
    measures counted per child (:func:`tally`), and the child units.
    """
    _require_scope(user, campaign, node)
    counted = _rows(rows, user, campaign, node).by_path
    red = tally(campaign_measures(campaign, node).filter(light_q(Light.RED)), node)
    rows = []
    for unit, own in row_units(campaign, node, set(counted) | set(red)):
        figures = counted.get(unit.path, {})
        rows.append(
            UnitFigures(
                unit=unit,
                own=own,
                problems=figures.get("problems", 0),
                problems_signed_off=figures.get("problems_signed_off", 0),
                measures=figures.get("measures", 0),
                measures_signed_off=figures.get("status_signed_off", 0),
                red=red.get(unit.path, 0),
            )
        )
    return rows


@dataclass
class Week:
    """One week of the burn-down: open measures at its end, and those signed off in it."""

    start: dt.date
    open: int
    signed_off: int

    @property
    def end(self) -> dt.date:
        """The week's last day (a Sunday)."""
        return self.start + dt.timedelta(days=6)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def burndown(user, campaign: Campaign, node: Unit, today: dt.date | None = None) -> list[Week]:
    """Open measures at the end of each week since the campaign started, and sign-offs per week.

    One read of the ledger's tallies by day (:func:`rectify.ledger.tallies.days_of`)
    for the node's subtree: its live measures created per day, completed per day
    (those done now, never before the day they were created) and signed off per
    day (those signed off now, on the day of their last acceptance). A measure
    counts as open from its creation until the day it was completed, if it is
    done now; a reopened measure counts as open again — the measure list's
    ``open_on`` (the week's last day) and ``signed_off_from``/``signed_off_to``
    list exactly the measures counted. Weeks start on Monday; before the first
    week holding a measure nothing is shown, and at most :data:`BURNDOWN_WEEKS`
    of the latest weeks.
    """
    _require_scope(user, campaign, node)
    today = today or timezone.localdate()
    days = tallies.days_of(campaign.pk, node.pk)
    created = {day: n for day, (n, _done, _signed) in days.items() if n}
    done = {day: n for day, (_created, n, _signed) in days.items() if n}
    signed = {day: n for day, (_created, _done, n) in days.items() if n}
    first = _monday(max(campaign.start_date, min(created, default=today)))
    last = _monday(max(today, first))
    weeks = (last - first).days // 7 + 1
    if weeks > BURNDOWN_WEEKS:
        first += dt.timedelta(weeks=weeks - BURNDOWN_WEEKS)
        weeks = BURNDOWN_WEEKS
    result = []
    for index in range(weeks):
        start = first + dt.timedelta(weeks=index)
        end = start + dt.timedelta(days=6)
        opened = sum(n for day, n in created.items() if day <= end)
        closed = sum(n for day, n in done.items() if day <= end)
        in_week = sum(n for day, n in signed.items() if start <= day <= end)
        result.append(Week(start=start, open=opened - closed, signed_off=in_week))
    return result


@dataclass
class Ranked:
    """The measures pressed most (urged, or extended), the first few, and how many in all."""

    total: int
    measures: list[Measure]


def _ranked(counter: str, campaign: Campaign, node: Unit, limit: int) -> Ranked:
    """The node's live measures pressed at least once by ``counter`` (urges, or approved
    extensions: :data:`rectify.ledger.models.COUNTERS`): how many, and the ``limit``
    pressed most (``times``), the earliest deadline first among equals.

    Read from the measures' own counters, which partial indexes of the pressed measures
    serve (of a whole campaign in this order, and per unit), instead of grouping
    every urge or extension of the campaign.
    """
    pressed = campaign_measures(campaign, node).filter(**{f"{counter}__gt": 0})
    top = pressed.select_related("unit").only(*LISTED_FIELDS, counter)
    measures = list(top.order_by(f"-{counter}", "deadline", "pk")[:limit])
    for measure in measures:
        measure.times = getattr(measure, counter)
    return Ranked(total=pressed.count(), measures=measures)


def most_urged(user, campaign: Campaign, node: Unit, *, limit: int = TOP_LIMIT) -> Ranked:
    """Measures urged at least once: how many, and the ``limit`` urged most (``times``)."""
    _require_scope(user, campaign, node)
    return _ranked("urge_count", campaign, node, limit)


def most_extended(user, campaign: Campaign, node: Unit, *, limit: int = TOP_LIMIT) -> Ranked:
    """Measures with an approved deadline change: how many, and the ``limit`` extended most."""
    _require_scope(user, campaign, node)
    return _ranked("extension_count", campaign, node, limit)


def study_coverage(user, campaign: Campaign, node: Unit) -> CoverageRow:
    """Study coverage of the node's whole subtree (its study page shows it per unit)."""
    _require_scope(user, campaign, node)
    return coverage_total(user, campaign, node)


@dataclass
class Satisfaction:
    """The overall satisfaction of one evaluated unit in a survey's latest round."""

    survey: Survey
    round: Round
    unit: Unit
    responses: int
    rate: float | None


def satisfaction(user, campaign: Campaign, node: Unit) -> list[Satisfaction]:
    """The latest round's overall rate of every evaluated unit in the node's subtree, for the
    campaign's surveys the user may see (their own pages show the rest)."""
    _require_scope(user, campaign, node)
    found = []
    # An evaluated unit in the subtree, as a condition: a join would repeat a survey per unit
    # and need a DISTINCT over every column of the survey, its campaign and its unit.
    evaluated = Survey.units.through.objects.filter(survey=OuterRef("pk")).filter(subtree_q(node))
    surveys = surveys_visible_to(user).filter(Exists(evaluated), campaign=campaign)
    for survey in surveys.order_by("pk"):
        latest = survey.rounds.order_by("-order").first()
        if latest is None:
            continue
        results, _total = round_results(survey, latest)
        for result in results:
            if result.unit.path.startswith(node.path):
                found.append(
                    Satisfaction(
                        survey=survey,
                        round=latest,
                        unit=result.unit,
                        responses=result.responses,
                        rate=result.overall.rate,
                    )
                )
    return found


@dataclass
class Dashboard:
    """Every figure of the campaign dashboard over ``node``'s subtree."""

    campaign: Campaign
    node: Unit
    today: dt.date
    totals: Totals
    lights: dict[str, int]
    red_list: list[Measure]
    by_target: list[Slice]
    by_source: list[Slice]
    by_level: list[Slice]
    by_kind: list[Slice]
    by_unit: list[UnitFigures]
    burndown: list[Week]
    most_urged: Ranked
    most_extended: Ranked
    coverage: CoverageRow
    satisfaction: list[Satisfaction]


def dashboard(user, campaign: Campaign, node: Unit) -> Dashboard:
    """The whole dashboard of ``campaign`` over ``node``; :class:`PermissionDenied` out of scope."""
    _require_scope(user, campaign, node)
    rows = ledger_rows(user, campaign, node)
    measures = measure_figures(user, campaign, node, rows=rows)
    problems = problem_figures(user, campaign, node, rows=rows)
    return Dashboard(
        campaign=campaign,
        node=node,
        today=timezone.localdate(),
        totals=totals(user, campaign, node, measures=measures, rows=rows),
        lights=lights(user, campaign, node, measures=measures),
        red_list=red_list(user, campaign, node),
        by_target=by_target(user, campaign, node, rows=rows),
        by_source=by_source(user, campaign, node, problems=problems),
        by_level=by_level(user, campaign, node, problems=problems),
        by_kind=by_kind(user, campaign, node, measures=measures),
        by_unit=by_unit(user, campaign, node, rows=rows),
        burndown=burndown(user, campaign, node),
        most_urged=most_urged(user, campaign, node),
        most_extended=most_extended(user, campaign, node),
        coverage=study_coverage(user, campaign, node),
        satisfaction=satisfaction(user, campaign, node),
    )
