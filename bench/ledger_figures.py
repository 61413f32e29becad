"""The dashboard's figures counted straight from the ledger: the aggregate SQL it needs.

The dashboard reads most of its figures from the ledger's tallies
(:mod:`rectify.ledger.tallies`), the pre-aggregated rows the ledger services
keep in each write's transaction. This module writes the aggregate queries
that would count those same figures from the problems and measures
themselves, with no tallies:

- problems per target, source and level, and how many are done and signed off
  (a problem's status is derived from its live measures);
- measures per status and kind, and the grey ones;
- per row of the by-unit table (the node's own, each child's subtree): problems,
  problems signed off, measures, measures signed off;
- measures created, completed and signed off per day (the burn-down);
- the measures urged, and those with an approved deadline extension: how many,
  and the most pressed (the page reads the measures' counters of them).

:func:`check` runs them and compares every figure with the dashboard's, so a
timing of these statements is a timing of the right ones. Imported by
``dashboard.py`` after Django is set up.
"""

import datetime as dt

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest, TruncDate

from rectify.dashboard.selectors import TOP_LIMIT, Dashboard, campaign_measures
from rectify.inspection.selectors.gaps import subtree_q, tally, tally_sql
from rectify.ledger.lights import Light, light_q
from rectify.ledger.models import (
    DONE_STATUSES,
    ExtensionRequest,
    ExtensionStatus,
    MeasureStatus,
    Problem,
    Urge,
)
from rectify.ledger.tallies import _last_acceptance, days_of

SIGNED_OFF = MeasureStatus.SIGNED_OFF


def _problems(campaign, node) -> QuerySet:
    """The campaign's live problems in ``node``'s subtree."""
    problems = Problem.objects.filter(campaign=campaign).order_by()
    if not all(path.startswith(node.path) for path in campaign.participating_paths):
        problems = problems.filter(subtree_q(node))
    return problems


def _per_problem(campaign, node) -> QuerySet:
    """The live measures of those problems counted per problem: all (``n``), done, signed
    off. A measure lies in its problem's unit and campaign."""
    return (
        campaign_measures(campaign, node)
        .values("problem_id", "unit_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status__in=DONE_STATUSES)),
            signed=Count("pk", filter=Q(status=SIGNED_OFF)),
        )
    )


def _problem_figures(campaign, node) -> tuple[str, list]:
    """Problems per target, source and level, with how many are done (every live measure
    done, and at least one) and signed off (every live measure signed off)."""
    problems = _problems(campaign, node).values("id", "target_id", "source", "level")
    problems, problem_params = problems.query.sql_with_params()
    measures, measure_params = _per_problem(campaign, node).query.sql_with_params()
    sql = f"""
        SELECT p.target_id, p.source, p.level, COUNT(*),
            SUM(CASE WHEN m.n > 0 AND m.done = m.n THEN 1 ELSE 0 END),
            SUM(CASE WHEN m.n > 0 AND m.signed = m.n THEN 1 ELSE 0 END)
        FROM ({problems}) p LEFT JOIN ({measures}) m ON m.problem_id = p.id
        GROUP BY p.target_id, p.source, p.level
    """
    return sql, [*problem_params, *measure_params]


class LocalDay(TruncDate):
    """The local day of a timestamp; on SQLite with its own ``date()`` (Django sets the
    process's time zone to its own) rather than Django's function in Python, per row."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'localtime')", params


#: The by-unit table's columns counted per row: ``{statement: UnitFigures attribute}``.
UNIT_COLUMNS = {
    "unit problems": "problems",
    "unit problems signed off": "problems_signed_off",
    "unit measures": "measures",
    "unit measures signed off": "measures_signed_off",
}


def _per_unit(campaign, node) -> dict[str, QuerySet]:
    """The rows the by-unit table counts per row (:func:`tally`), by statement name."""
    problems = _problems(campaign, node)
    measures = campaign_measures(campaign, node)
    # A problem's measures lie in its unit: its problems signed off are counted there.
    signed = _per_problem(campaign, node).values("unit_id").filter(signed=F("n"))
    return {
        "unit problems": problems,
        "unit problems signed off": signed,
        "unit measures": measures,
        "unit measures signed off": measures.filter(status=SIGNED_OFF),
    }


def statements(campaign, node) -> dict[str, object]:
    """``{name: queryset or (sql, params)}``: the aggregates that count from the ledger what
    the dashboard reads from its tallies."""
    measures = campaign_measures(campaign, node)
    per_unit = {name: tally_sql(rows, node) for name, rows in _per_unit(campaign, node).items()}
    created = LocalDay("created_at")
    accepted = LocalDay(_last_acceptance())
    return {
        "problems": _problem_figures(campaign, node),
        "measures": measures.values("status", "kind").annotate(
            n=Count("pk"), grey=Count("pk", filter=light_q(Light.GREY))
        ),
        **per_unit,
        "created per day": measures.annotate(day=created).values("day").annotate(n=Count("pk")),
        "completed per day": measures.filter(status__in=DONE_STATUSES, completed_on__isnull=False)
        .annotate(day=Greatest("completed_on", created))
        .values("day")
        .annotate(n=Count("pk")),
        **_pressed(campaign, node),
        "signed off per day": measures.filter(status=SIGNED_OFF)
        .annotate(day=Coalesce(accepted, "completed_on", created))
        .values("day")
        .annotate(n=Count("pk")),
    }


def _pressed(campaign, node) -> dict[str, object]:
    """``{"urged (top)": …, "urged (count)": …, "extended (top)": …, "extended (count)": …}``:
    the node's live measures most urged (or extended, approved), grouped from the urges
    (the approved extensions) as the dashboard lists them, and how many were pressed."""
    found = {}
    for name, rows in (
        ("urged", Urge.objects.all()),
        ("extended", ExtensionRequest.objects.filter(status=ExtensionStatus.APPROVED)),
    ):
        rows = rows.filter(measure__in=campaign_measures(campaign, node).values("pk"))
        per_measure = rows.order_by().values("measure").annotate(times=Count("*"))
        found[f"{name} (top)"] = per_measure.order_by("-times", "measure__deadline", "measure")[
            :TOP_LIMIT
        ]
        sql, params = per_measure.query.sql_with_params()
        found[f"{name} (count)"] = (f"SELECT COUNT(*) FROM ({sql}) pressed", params)
    return found


def sql_of(statement) -> tuple[str, object]:
    """``(sql, params)`` of a statement of :func:`statements`."""
    if isinstance(statement, tuple):
        return statement
    return statement.query.sql_with_params()


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def check(board: Dashboard) -> None:
    """Count every figure of :func:`statements` and compare it with ``board``'s:
    :class:`AssertionError` naming the first that differs."""
    campaign, node = board.campaign, board.node
    found = statements(campaign, node)
    with connection.cursor() as cursor:
        cursor.execute(*found["problems"])
        problems = cursor.fetchall()
    by_target: dict[str, int] = {}
    by_source: dict[str, int] = {}
    by_level: dict[str, int] = {}
    for target, source, level, n, _done, _signed in problems:
        for counts, key in ((by_target, str(target)), (by_source, source), (by_level, level)):
            counts[key] = counts.get(key, 0) + n
    done = sum(row[4] for row in problems)
    signed = sum(row[5] for row in problems)
    totals = board.totals
    _same("problems", sum(by_target.values()), totals.problems)
    _same("problems signed off", signed, totals.problems_signed_off)
    _same("problems completed", done - signed, totals.problems_completed)
    for name, counts, slices in (
        ("by target", by_target, board.by_target),
        ("by source", by_source, board.by_source),
        ("by level", by_level, board.by_level),
    ):
        _same(name, {s.key: counts.get(s.key, 0) for s in slices}, {s.key: s.count for s in slices})

    measures = list(found["measures"])
    statuses: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for row in measures:
        statuses[row["status"]] = statuses.get(row["status"], 0) + row["n"]
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + row["n"]
    _same("measures", sum(statuses.values()), totals.measures)
    for status, n in totals.measure_statuses.items():
        _same(f"measures {status}", statuses.get(status, 0), n)
    for s in board.by_kind:
        _same(f"measures {s.key}", kinds.get(s.key, 0), s.count)
    _same("grey", sum(row["grey"] for row in measures), board.lights[Light.GREY])

    for name, rows in _per_unit(campaign, node).items():
        counted = tally(rows, node)
        attribute = UNIT_COLUMNS[name]
        shown = {row.unit.path: getattr(row, attribute) for row in board.by_unit}
        _same(name, {path: counted.get(path, 0) for path in shown}, shown)
        _same(f"{name} outside the table", set(counted) - set(shown), set())

    days: dict[dt.date, list[int]] = {}
    for index, name in enumerate(("created per day", "completed per day", "signed off per day")):
        for row in found[name]:
            days.setdefault(_day(row["day"]), [0, 0, 0])[index] += row["n"]
    for name, ranked in (("urged", board.most_urged), ("extended", board.most_extended)):
        top = [(row["measure"], row["times"]) for row in found[f"{name} (top)"]]
        _same(f"{name} (top)", top, [(measure.pk, measure.times) for measure in ranked.measures])
        with connection.cursor() as cursor:
            cursor.execute(*found[f"{name} (count)"])
            _same(f"{name} (count)", cursor.fetchone()[0], ranked.total)

    kept = days_of(campaign.pk, node.pk)
    kept = {day: list(counts) for day, counts in kept.items() if any(counts)}
    _same("days", {day: counts for day, counts in days.items() if any(counts)}, kept)


def _same(name: str, counted, shown) -> None:
    if counted != shown:
        raise AssertionError(f"{name}: the ledger counts {counted!r}, the dashboard {shown!r}")
