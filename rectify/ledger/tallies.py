"""The ledger's running tallies: problems and measures per campaign, unit subtree and target.

Each live problem counts in the :class:`~rectify.ledger.models.Tally` rows of
its unit and of every ancestor of that unit, under its target: one problem,
signed off or not (its status is derived from its live measures), and its live
measures, done and signed off. Reading a node's matrix is then reading the rows
of the node and its children, whatever the size of their subtrees.

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

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, Q

from rectify.org.models import PATH_STEP, Unit

from .models import DONE_STATUSES, MeasureStatus, Problem, Tally

#: The counted columns of a tally row, in this order in every vector below.
COLUMNS = ("problems", "problems_signed_off", "measures", "measures_done", "measures_signed_off")
#: ``(campaign id, unit id, target id)``: the key of a problem's own contribution.
Key = tuple[int, int, int]


def vector(measures: int, done: int, signed_off: int) -> tuple[int, ...]:
    """What one live problem with these live measures counts."""
    return (1, int(0 < measures == signed_off), measures, done, signed_off)


def _add(into: dict, key, counts: Iterable[int], sign: int = 1) -> None:
    into[key] = [
        a + sign * b for a, b in zip(into.get(key, [0] * len(COLUMNS)), counts, strict=True)
    ]


def contributions(problems) -> dict[Key, list[int]]:
    """``{(campaign, unit, target): counts}`` of the live problems of the ``problems`` queryset
    (or ids), summed per key — where they count before being spread over the ancestors."""
    if not hasattr(problems, "query"):
        problems = Problem.objects.filter(pk__in=list(problems))
    live = Q(measures__deleted_at__isnull=True)
    rows = (
        problems.order_by()
        .values_list("pk", "campaign_id", "unit_id", "target_id")
        .annotate(
            n=Count("measures", filter=live),
            done=Count("measures", filter=live & Q(measures__status__in=DONE_STATUSES)),
            signed=Count("measures", filter=live & Q(measures__status=MeasureStatus.SIGNED_OFF)),
        )
    )
    totals: dict[Key, list[int]] = {}
    for _pk, campaign, unit, target, n, done, signed in rows:
        _add(totals, (campaign, unit, target), vector(n, done, signed))
    return totals


def _spread(own: Mapping[Key, Iterable[int]]) -> dict[Key, list[int]]:
    """``own`` counts added to the rows of each unit and all its ancestors."""
    unit_ids = {unit for _campaign, unit, _target in own}
    paths = dict(Unit.all_objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    ancestors = {
        path[:end] for path in paths.values() for end in range(PATH_STEP, len(path) + 1, PATH_STEP)
    }
    ids = dict(Unit.all_objects.filter(path__in=ancestors).values_list("path", "pk"))
    spread: dict[Key, list[int]] = {}
    for (campaign, unit, target), counts in own.items():
        path = paths[unit]
        for end in range(PATH_STEP, len(path) + 1, PATH_STEP):
            _add(spread, (campaign, ids[path[:end]], target), counts)
    return spread


#: Rows one upsert statement writes.
_ROWS_PER_STATEMENT = 100


def apply(own: Mapping[Key, Iterable[int]]) -> None:
    """Add ``own`` (counts per problem's unit) to the tally rows of those units and ancestors."""
    spread = {key: counts for key, counts in _spread(own).items() if any(counts)}
    if not spread:
        return
    table = connection.ops.quote_name(Tally._meta.db_table)
    columns = ", ".join(COLUMNS)
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COLUMNS)
    rows = [(*key, *counts) for key, counts in spread.items()]
    width = 3 + len(COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, unit_id, target_id, {columns}) "
                f"VALUES {values} "
                f"ON CONFLICT (campaign_id, unit_id, target_id) DO UPDATE SET {added}",
                [value for row in chunk for value in row],
            )


@contextmanager
def following(problem_ids: Iterable[int]) -> Iterator[None]:
    """Keep the tallies right across a change, in its transaction, of these problems (alive or
    deleted, before or after) and their measures."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("Tallies follow changes in a transaction.")
    ids = sorted({pk for pk in problem_ids if pk is not None})
    if connection.vendor == "postgresql":
        list(Problem.all_objects.select_for_update().filter(pk__in=ids).values_list("pk"))
    before = contributions(ids)
    yield
    after = contributions(ids)
    for key, counts in before.items():
        _add(after, key, counts, sign=-1)
    apply(after)


def counted(problem_ids: Iterable[int]) -> None:
    """Count problems just written (with their measures) into the tallies."""
    apply(contributions(problem_ids))


def count_drafts(campaign_id: int, drafts: Iterable) -> None:
    """Count new problems written from ``drafts`` (of :mod:`rectify.ledger.services.bulk`), read
    from the drafts themselves rather than back from the database."""
    own: dict[Key, list[int]] = {}
    for draft in drafts:
        statuses = [measure.status for measure in draft.measures]
        done = sum(status in DONE_STATUSES for status in statuses)
        signed = statuses.count(MeasureStatus.SIGNED_OFF)
        _add(
            own, (campaign_id, draft.unit_id, draft.target_id), vector(len(statuses), done, signed)
        )
    apply(own)


@transaction.atomic
def rebuild(campaign_ids: Iterable[int] | None = None) -> int:
    """Recompute the tallies of these campaigns (every campaign by default) from the ledger;
    returns the rows written."""
    rows = Tally.objects.all()
    problems = Problem.objects.all()
    if campaign_ids is not None:
        campaign_ids = list(campaign_ids)
        rows = rows.filter(campaign_id__in=campaign_ids)
        problems = problems.filter(campaign_id__in=campaign_ids)
    rows.delete()
    own = contributions(problems)
    apply(own)
    return Tally.objects.filter(campaign_id__in={key[0] for key in own}).count()


def expected(campaign_ids: Iterable[int]) -> dict[Key, tuple[int, ...]]:
    """What :func:`rebuild` would store for these campaigns, without storing it: the reference
    that tests compare the kept rows with."""
    problems = Problem.objects.filter(campaign_id__in=list(campaign_ids))
    return {
        key: tuple(counts)
        for key, counts in _spread(contributions(problems)).items()
        if any(counts)
    }


def stored(campaign_ids: Iterable[int]) -> dict[Key, tuple[int, ...]]:
    """The tally rows of these campaigns that count something, as :func:`expected` gives them."""
    rows = Tally.objects.filter(campaign_id__in=list(campaign_ids)).values_list(
        "campaign_id", "unit_id", "target_id", *COLUMNS
    )
    return {(c, u, t): tuple(counts) for c, u, t, *counts in rows if any(counts)}


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
    own: dict[int, list[int]] = defaultdict(lambda: [0] * len(COLUMNS))
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


def of_subtree(campaign_id: int, unit_id: int, target_id: int) -> list[int]:
    """The counts of one unit's whole subtree against one target (zeros when it has none)."""
    row = Tally.objects.filter(campaign_id=campaign_id, unit_id=unit_id, target_id=target_id)
    return list(row.values_list(*COLUMNS).first() or [0] * len(COLUMNS))
