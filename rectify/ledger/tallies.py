"""The ledger's running tallies: what a campaign holds per unit subtree, by target and by day.

Each live problem counts in the :class:`~rectify.ledger.models.Tally` rows of
its unit and of every ancestor of that unit, under its target: one problem
(done, signed off — its status is derived from its live measures — or not; of
its source and level), and its live measures by status and kind. Each of its
live measures counts in the :class:`~rectify.ledger.models.TallyDay` rows of
those units on the day it was created, completed and signed off. Reading a
node's figures is then reading the rows of the node and its children, whatever
the size of their subtrees.

The ledger services keep the rows right in the transaction of each change::

    with following([problem.pk]):
        ...change the problem or its measures...

reads what those problems contribute before and after the change, and adds
the difference to the rows of their units and ancestors with one upsert that
adds to the stored numbers (never overwrites them), so concurrent changes of
other problems do not lose each other's counts. The problems followed are
locked for the transaction on PostgreSQL (SQLite has one writer at a time).

:func:`rebuild` recomputes a campaign's rows from the ledger: after a bulk load
that bypassed the services, and as the reference the tests compare with.
"""

import datetime as dt
import operator
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.utils import timezone

from rectify.org.models import PATH_STEP, Unit

from .lights import day_start
from .models import (
    DONE_STATUSES,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    Review,
    ReviewAction,
    Source,
    Tally,
    TallyDay,
)

#: The counted columns of a tally row, in this order in every vector below.
COLUMNS = (
    "problems",
    "problems_done",
    "problems_signed_off",
    *(f"source_{value}" for value in Source.values),
    *(f"level_{value}" for value in Level.values),
    "measures",
    *(f"status_{value}" for value in MeasureStatus.values),
    *(f"kind_{value}" for value in MeasureKind.values),
    "grey",
)
#: The counted columns of a day's row.
DAY_COLUMNS = ("created", "done", "signed_off")
_INDEX = {column: i for i, column in enumerate(COLUMNS)}
#: ``(campaign id, unit id, target id or day)``: where one problem's rows count, before
#: being spread over the unit's ancestors.
Key = tuple[int, int, object]


def _add(into: dict, key, counts: list[int] | tuple[int, ...], sign: int = 1) -> None:
    """``counts`` (or their opposite, ``sign=-1``) added to ``into[key]``, as a new list."""
    base = into.get(key)
    if base is None:
        into[key] = list(counts) if sign == 1 else [-b for b in counts]
        return
    if len(base) != len(counts):
        raise ValueError(f"Vectors of different lengths: {base!r}, {counts!r}")
    into[key] = list(map(operator.add if sign == 1 else operator.sub, base, counts))


def problem_vector(
    source: str, level: str, statuses: Mapping[str, int], kinds: Mapping[str, int], grey: int
) -> list[int]:
    """What one live problem counts, given its live measures per status and per kind."""
    counts = [0] * len(COLUMNS)
    measures = sum(statuses.values())
    done = sum(statuses.get(status, 0) for status in DONE_STATUSES)
    signed = statuses.get(MeasureStatus.SIGNED_OFF, 0)
    counts[_INDEX["problems"]] = 1
    counts[_INDEX["problems_done"]] = int(0 < measures == done)
    counts[_INDEX["problems_signed_off"]] = int(0 < measures == signed)
    counts[_INDEX[f"source_{source}"]] = 1
    counts[_INDEX[f"level_{level}"]] = 1
    counts[_INDEX["measures"]] = measures
    for status, n in statuses.items():
        counts[_INDEX[f"status_{status}"]] = n
    for kind, n in kinds.items():
        counts[_INDEX[f"kind_{kind}"]] = n
    counts[_INDEX["grey"]] = grey
    return counts


def _day_events(campaign, unit, created, status, completed_on, accepted) -> Iterator:
    """``(key, counts)`` of one live measure's days: created, completed and signed off.

    A measure completed before the day it was created (imported as done) counts
    as completed on the day it was created: it is never closed before it is
    opened, so the measures open at the end of a day are those created up to it
    less those completed up to it (the measure list's ``open_on``). The day of a
    sign-off is that of the last acceptance to signed off, else (a measure
    imported as signed off has none) the day it was completed.
    """
    yield (campaign, unit, created), (1, 0, 0)
    if status in DONE_STATUSES and completed_on is not None:
        yield (campaign, unit, max(completed_on, created)), (0, 1, 0)
    if status == MeasureStatus.SIGNED_OFF:
        yield (campaign, unit, accepted or completed_on or created), (0, 0, 1)


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _last_acceptance() -> Subquery:
    """When the measure (the outer row) was last accepted as signed off, if ever."""
    accepted = Review.objects.filter(
        measure=OuterRef("pk"), action=ReviewAction.ACCEPT, to_status=MeasureStatus.SIGNED_OFF
    ).order_by("-created_at", "-pk")
    return Subquery(accepted.values("created_at")[:1])


def open_on_q(day: dt.date) -> Q:
    """Measures open at the end of ``day``, as the day rows count them: created on or before
    it and not, now, done with a completion on or before it (a reopened measure is open)."""
    return Q(created_at__lt=day_start(day + dt.timedelta(days=1))) & ~Q(
        status__in=DONE_STATUSES, completed_on__lte=day
    )


def signed_off_between(measures, first: dt.date | None, last: dt.date | None):
    """The measures of ``measures`` signed off now whose day of sign-off (as the day rows
    count it: the last acceptance, else the completion, else the creation) lies in
    ``first``–``last`` (both included; either open when ``None``)."""
    measures = measures.filter(status=MeasureStatus.SIGNED_OFF)
    if "signed_off_at" not in measures.query.annotations:
        measures = measures.alias(signed_off_at=_last_acceptance())
    unaccepted = Q(signed_off_at__isnull=True)
    if first is not None:
        start = day_start(first)
        measures = measures.filter(
            Q(signed_off_at__gte=start)
            | unaccepted & Q(completed_on__gte=first)
            | unaccepted & Q(completed_on__isnull=True, created_at__gte=start)
        )
    if last is not None:
        end = day_start(last + dt.timedelta(days=1))
        measures = measures.filter(
            Q(signed_off_at__lt=end)
            | unaccepted & Q(completed_on__lte=last)
            | unaccepted & Q(completed_on__isnull=True, created_at__lt=end)
        )
    return measures


def contributions(problems) -> tuple[dict[Key, list[int]], dict[Key, list[int]]]:
    """``(by target, by day)``: what the live problems of the ``problems`` queryset (or ids)
    and their live measures count, summed per key — before being spread over ancestors."""
    if not hasattr(problems, "query"):
        problems = Problem.objects.filter(pk__in=list(problems))
    live = Q(measures__deleted_at__isnull=True)
    counts = {
        f"s_{value}": Count("measures", filter=live & Q(measures__status=value))
        for value in MeasureStatus.values
    }
    counts |= {
        f"k_{value}": Count("measures", filter=live & Q(measures__kind=value))
        for value in MeasureKind.values
    }
    counts["grey"] = Count(
        "measures",
        filter=live & Q(measures__kind=MeasureKind.LONG_TERM, measures__deadline__isnull=True),
    )
    rows = (
        problems.order_by()
        .values("pk", "campaign_id", "unit_id", "target_id", "source", "level")
        .annotate(**counts)
    )
    by_target: dict[Key, list[int]] = {}
    for row in rows:
        statuses = {value: row[f"s_{value}"] for value in MeasureStatus.values}
        kinds = {value: row[f"k_{value}"] for value in MeasureKind.values}
        vector = problem_vector(row["source"], row["level"], statuses, kinds, row["grey"])
        _add(by_target, (row["campaign_id"], row["unit_id"], row["target_id"]), vector)

    measures = (
        Measure.objects.filter(problem__in=problems.values("pk"))
        .order_by()
        .values_list("campaign_id", "unit_id", "created_at", "status", "completed_on")
        .annotate(accepted=Case(When(status=MeasureStatus.SIGNED_OFF, then=_last_acceptance())))
    )
    by_day: dict[Key, list[int]] = {}
    for campaign, unit, created, status, completed_on, accepted_at in measures.iterator(
        chunk_size=10_000
    ):
        events = _day_events(
            campaign, unit, _local_day(created), status, completed_on, _local_day(accepted_at)
        )
        for key, vector in events:
            _add(by_day, key, vector)
    return by_target, by_day


def _spread(own: Mapping[Key, Iterable[int]]) -> dict[Key, list[int]]:
    """``own`` counts added to the rows of each unit and all its ancestors."""
    unit_ids = {unit for _campaign, unit, _rest in own}
    paths = dict(Unit.all_objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    ancestors = {
        path[:end] for path in paths.values() for end in range(PATH_STEP, len(path) + 1, PATH_STEP)
    }
    ids = dict(Unit.all_objects.filter(path__in=ancestors).values_list("path", "pk"))
    spread: dict[Key, list[int]] = {}
    for (campaign, unit, rest), counts in own.items():
        path = paths[unit]
        for end in range(PATH_STEP, len(path) + 1, PATH_STEP):
            key = (campaign, ids[path[:end]], rest)
            row = spread.get(key)
            if row is None:
                spread[key] = list(counts)
            else:  # a row of this function's own making: added to in place
                row[:] = map(operator.add, row, counts)
    return spread


#: Rows one upsert statement writes.
_ROWS_PER_STATEMENT = 100


def _upsert(model, key_column: str, columns: tuple[str, ...], spread: Mapping) -> None:
    """Add ``spread`` (``{(campaign, unit, key value): counts}``) to ``model``'s rows."""
    # In key order, the same in every transaction: two writers upserting the rows of their
    # shared ancestors take the rows' locks in the same order, never in a cycle.
    rows = sorted((*key, *counts) for key, counts in spread.items() if any(counts))
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    keys = f"campaign_id, unit_id, {key_column}"
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    width = 3 + len(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # One row per statement, the statement prepared once: SQLite upserts rows
            # four times faster so than a hundred to a statement (ten thousand rows of a
            # ledger import: 0.03 s against 0.12 s).
            row = "(" + ", ".join(["%s"] * width) + ")"
            cursor.executemany(
                f"INSERT INTO {table} ({keys}, {', '.join(columns)}) VALUES {row} "
                f"ON CONFLICT ({keys}) DO UPDATE SET {added}",
                rows,
            )
            return
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({keys}, {', '.join(columns)}) VALUES {values} "
                f"ON CONFLICT ({keys}) DO UPDATE SET {added}",
                [value for row in chunk for value in row],
            )


def apply(by_target: Mapping[Key, Iterable[int]], by_day: Mapping[Key, Iterable[int]]) -> None:
    """Add what problems count (per their own unit) to the rows of those units and ancestors."""
    _upsert(Tally, "target_id", COLUMNS, _spread(by_target))
    _upsert(TallyDay, "day", DAY_COLUMNS, _spread(by_day))


@contextmanager
def following(problem_ids: Iterable[int]) -> Iterator[None]:
    """Keep the tallies right across a change, in its transaction, of these problems (alive or
    deleted, before or after) and their measures (and the reviews that sign them off)."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("Tallies follow changes in a transaction.")
    ids = sorted({pk for pk in problem_ids if pk is not None})
    if connection.vendor == "postgresql":
        list(Problem.all_objects.select_for_update().filter(pk__in=ids).values_list("pk"))
    before = contributions(ids)
    yield
    after = contributions(ids)
    for was, now in zip(before, after, strict=True):
        for key, counts in was.items():
            _add(now, key, counts, sign=-1)
    apply(*after)


def counted(problem_ids: Iterable[int]) -> None:
    """Count problems just written (with their measures) into the tallies."""
    apply(*contributions(problem_ids))


def count_drafts(campaign_id: int, drafts: Iterable) -> None:
    """Count new problems written from ``drafts`` (of :mod:`rectify.ledger.services.bulk`), read
    from the drafts themselves rather than back from the database: created today, completed
    today when done (as the bulk writer dates them), and without reviews.

    What :func:`problem_vector` and :func:`_day_events` count, added up in place per key
    (a ledger import brings a hundred thousand measures, one dict and list apiece would
    cost half a second): each problem's own counts, and per unit the measures created
    today, done today and signed off today.
    """
    today = timezone.localdate()
    width = len(COLUMNS)
    problems, done_col, signed_col = (
        _INDEX["problems"],
        _INDEX["problems_done"],
        _INDEX["problems_signed_off"],
    )
    measures_col, grey_col = _INDEX["measures"], _INDEX["grey"]
    source_col = {value: _INDEX[f"source_{value}"] for value in Source.values}
    level_col = {value: _INDEX[f"level_{value}"] for value in Level.values}
    status_col = {value: _INDEX[f"status_{value}"] for value in MeasureStatus.values}
    kind_col = {value: _INDEX[f"kind_{value}"] for value in MeasureKind.values}
    done_statuses = frozenset(DONE_STATUSES)
    signed_off, long_term = MeasureStatus.SIGNED_OFF, MeasureKind.LONG_TERM
    by_target: dict[Key, list[int]] = {}
    by_day: dict[Key, list[int]] = {}
    for draft in drafts:
        key = (campaign_id, draft.unit_id, draft.target_id)
        counts = by_target.get(key)
        if counts is None:
            counts = by_target[key] = [0] * width
        counts[problems] += 1
        counts[source_col[draft.source]] += 1
        counts[level_col[draft.level]] += 1
        measures = draft.measures
        if not measures:
            continue
        done = signed = 0
        for measure in measures:
            status, kind = measure.status, measure.kind
            counts[status_col[status]] += 1
            counts[kind_col[kind]] += 1
            if status in done_statuses:
                done += 1
                signed += status == signed_off
            if kind == long_term and measure.deadline is None:
                counts[grey_col] += 1
        total = len(measures)
        counts[measures_col] += total
        counts[done_col] += done == total
        counts[signed_col] += signed == total
        day_key = (campaign_id, draft.unit_id, today)
        days = by_day.get(day_key)
        if days is None:
            days = by_day[day_key] = [0, 0, 0]
        days[0] += total
        days[1] += done
        days[2] += signed
    apply(by_target, by_day)


@transaction.atomic
def rebuild(campaign_ids: Iterable[int] | None = None) -> int:
    """Recompute the tallies of these campaigns (every campaign by default) from the ledger;
    returns the rows written."""
    problems = Problem.objects.all()
    rows, days = Tally.objects.all(), TallyDay.objects.all()
    if campaign_ids is not None:
        campaign_ids = list(campaign_ids)
        problems = problems.filter(campaign_id__in=campaign_ids)
        rows = rows.filter(campaign_id__in=campaign_ids)
        days = days.filter(campaign_id__in=campaign_ids)
    rows.delete()
    days.delete()
    by_target, by_day = contributions(problems)
    apply(by_target, by_day)
    campaigns = {key[0] for key in by_target}
    written = Tally.objects.filter(campaign_id__in=campaigns).count()
    return written + TallyDay.objects.filter(campaign_id__in=campaigns).count()


def expected(campaign_ids: Iterable[int]) -> dict[tuple, tuple[int, ...]]:
    """What :func:`rebuild` would store for these campaigns, without storing it: the reference
    that tests compare the kept rows with (target rows, then day rows, keyed apart)."""
    by_target, by_day = contributions(Problem.objects.filter(campaign_id__in=list(campaign_ids)))
    kept = {("target", *k): tuple(v) for k, v in _spread(by_target).items() if any(v)}
    return kept | {("day", *k): tuple(v) for k, v in _spread(by_day).items() if any(v)}


def stored(campaign_ids: Iterable[int]) -> dict[tuple, tuple[int, ...]]:
    """The tally rows of these campaigns that count something, as :func:`expected` gives them."""
    ids = list(campaign_ids)
    rows = Tally.objects.filter(campaign_id__in=ids).values_list(
        "campaign_id", "unit_id", "target_id", *COLUMNS
    )
    days = TallyDay.objects.filter(campaign_id__in=ids).values_list(
        "campaign_id", "unit_id", "day", *DAY_COLUMNS
    )
    kept = {("target", c, u, t): tuple(v) for c, u, t, *v in rows if any(v)}
    return kept | {("day", c, u, d): tuple(v) for c, u, d, *v in days if any(v)}


def totals_by_row(campaign_id: int, node: Unit) -> dict[tuple[str, int], list[int]]:
    """``{(row path, target id): counts}`` for ``node``'s own row and each child's subtree.

    The children's rows are read as stored; the node's own row (what is recorded
    on the node itself) is the node's row less its children's. Rows that count
    nothing are left out.
    """
    paths = dict(Unit.all_objects.filter(parent=node).values_list("pk", "path"))
    paths[node.pk] = node.path
    # By unit id, which the key's index serves; an OR over the unit's parent would scan.
    rows = (
        Tally.objects.filter(campaign_id=campaign_id, unit_id__in=list(paths))
        .values_list("unit_id", "target_id", *COLUMNS)
        .order_by()
    )
    by_row: dict[tuple[str, int], list[int]] = {}
    own: dict[int, list[int]] = {}
    for unit, target, *counts in rows:
        path = paths[unit]
        if path == node.path:
            _add(own, target, counts)
        else:
            by_row[(path, target)] = counts
            _add(own, target, counts, sign=-1)
    for target, counts in own.items():
        by_row[(node.path, target)] = counts
    return {key: counts for key, counts in by_row.items() if any(counts)}


def named(counts: Iterable[int]) -> dict[str, int]:
    """A vector of :data:`COLUMNS` as ``{column: n}``."""
    return dict(zip(COLUMNS, counts, strict=True))


def of_subtree(campaign_id: int, unit_id: int, target_id: int | None = None) -> dict[str, int]:
    """The counts of one unit's whole subtree (against one target, or all), by column."""
    rows = Tally.objects.filter(campaign_id=campaign_id, unit_id=unit_id)
    if target_id is not None:
        rows = rows.filter(target_id=target_id)
    summed = [0] * len(COLUMNS)
    for counts in rows.values_list(*COLUMNS):
        summed = [a + b for a, b in zip(summed, counts, strict=True)]
    return named(summed)


def days_of(campaign_id: int, unit_id: int) -> dict[dt.date, tuple[int, int, int]]:
    """``{day: (created, completed, signed off)}`` of one unit's whole subtree."""
    rows = TallyDay.objects.filter(campaign_id=campaign_id, unit_id=unit_id)
    return {day: tuple(counts) for day, *counts in rows.values_list("day", *DAY_COLUMNS)}
