"""The gap matrix (对照目标找差距): problems per unit and target, open and signed off.

For one campaign and one unit of the tree (the "node"), a row per child unit
counts the problems of that child's whole subtree, and one more row the
problems recorded on the node itself; a column per target of the campaign.
An empty cell — no problem found against a target — is itself a warning.

Every figure comes from the ledger's tallies (:mod:`rectify.ledger.tallies`),
which count each live problem in its unit and every ancestor, signed off or
not (all its live measures signed off, as
:func:`rectify.ledger.selectors.problem_status_expression` derives it): the
matrix reads the rows of the node and its children, one query for a node with
three children or three thousand, whatever lies below them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from rectify.campaigns.models import Campaign, Target
from rectify.ledger import tallies
from rectify.ledger.models import Problem
from rectify.ledger.selectors import with_problem_status
from rectify.org.models import PATH_END, PATH_STEP, Unit
from rectify.org.scoping import (
    campaign_view_paths,
    can_see_unit_for_campaign,
    is_system_admin,
)

from ..models import Finding, FindingStatus

#: The per-target page lists at most this many problems and findings (their totals are given).
TARGET_LIST_LIMIT = 50


def subtree_q(node: Unit, prefix: str = "unit__") -> Q:
    """Rows whose unit lies in ``node``'s subtree: a range on the path, which an index serves."""
    return Q(**{f"{prefix}path__gte": node.path, f"{prefix}path__lt": node.path + PATH_END})


def tally_sql(queryset: QuerySet, node: Unit) -> tuple:
    """``(sql, params)`` counting ``queryset``'s rows (of a model with a ``unit``) per row of
    ``node``: ``(path, n)`` for each child with its subtree, and for the node itself.

    The children are joined to the rows by their path range and grouped by
    child: the rows arrive child by child, so both SQLite and PostgreSQL count
    them in one pass without sorting them (a GROUP BY on a cut of the unit path
    sorts every row first, twice as slow).
    """
    rows_sql, rows_params = queryset.order_by().values("unit_id").query.sql_with_params()
    units = Unit._meta.db_table
    sql = f"""
        SELECT c.path, COUNT(*)
        FROM {units} c
        JOIN {units} u ON u.path >= c.path AND u.path < c.path || %s
        JOIN ({rows_sql}) r ON r.unit_id = u.id
        WHERE c.parent_id = %s
        GROUP BY c.id, c.path
        UNION ALL
        SELECT %s, COUNT(*) FROM ({rows_sql}) r WHERE r.unit_id = %s
    """
    return sql, [PATH_END, *rows_params, node.pk, node.path, *rows_params, node.pk]


def tally(queryset: QuerySet, node: Unit) -> dict[str, int]:
    """``{path: n}`` of :func:`tally_sql`, only for rows that hold something."""
    with connection.cursor() as cursor:
        cursor.execute(*tally_sql(queryset, node))
        return {path: n for path, n in cursor.fetchall() if n}


def problem_counts(campaign: Campaign, node: Unit, by_target: bool = True) -> dict:
    """``{(path, target id or None): {"total", "signed_off", "measures"}}`` of the campaign's
    live problems (and their live measures), per row of ``node``: each child with its
    subtree, and the node itself; per target, or in all when not ``by_target``.

    Read from the ledger's tallies (:mod:`rectify.ledger.tallies`): one query of
    the rows of the node and its children, whatever the size of their subtrees.
    Rows that count nothing are left out.
    """
    counts: dict[tuple, dict] = {}
    for (path, target), figures in tallies.totals_by_row(campaign.pk, node).items():
        figures = tallies.named(figures)
        entry = counts.setdefault(
            (path, target if by_target else None), {"total": 0, "signed_off": 0, "measures": 0}
        )
        entry["total"] += figures["problems"]
        entry["signed_off"] += figures["problems_signed_off"]
        entry["measures"] += figures["measures"]
    return counts


@dataclass
class GapCell:
    """The problems of one row against one target."""

    target: Target
    total: int = 0
    signed_off: int = 0

    @property
    def open(self) -> int:
        """Problems not signed off yet (awaiting measures, being rectified or completed)."""
        return self.total - self.signed_off

    @property
    def empty(self) -> bool:
        """No problem found against the target: a warning in itself."""
        return self.total == 0


@dataclass
class GapRow:
    """A unit's row: ``own`` for problems recorded on the node itself, else a child's subtree."""

    unit: Unit | None
    cells: list[GapCell]
    own: bool = False

    @property
    def empty_targets(self) -> int:
        """How many targets this row has found no problem against."""
        return sum(cell.empty for cell in self.cells)


@dataclass
class GapMatrix:
    """The matrix of ``campaign`` over ``node``: own row first, the children, and the total."""

    campaign: Campaign
    node: Unit
    targets: list[Target]
    rows: list[GapRow]
    total: GapRow
    warnings: int = field(init=False)

    def __post_init__(self) -> None:
        self.warnings = sum(row.empty_targets for row in self.rows)


def campaign_scope_roots(user, campaign: Campaign) -> list[Unit]:
    """The top units of what ``user`` may read in ``campaign``, in tree order.

    A system administrator's are the roots of the tree; anyone else's are the
    units of their role grants (every campaign) and those their guidance
    groups were assigned for this campaign, less those inside another.
    """
    if is_system_admin(user):
        return list(Unit.objects.filter(parent__isnull=True).order_by("order", "path"))
    paths = campaign_view_paths(user, campaign.pk)
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def campaign_among(campaigns: Iterable[Campaign], slug: str) -> Campaign | None:
    """The campaign of ``campaigns`` (as listed) named by ``slug``, else the first;
    :class:`PermissionDenied` when ``slug`` names none of them."""
    campaigns = list(campaigns)
    if not slug:
        return campaigns[0] if campaigns else None
    for campaign in campaigns:
        if campaign.slug == slug:
            return campaign
    raise PermissionDenied


def node_for(user, campaign: Campaign, unit_id: str) -> tuple[Unit | None, list[Unit]]:
    """The unit ``unit_id`` names (else the first of the user's scope roots in ``campaign``),
    and those roots.

    :class:`PermissionDenied` when ``unit_id`` names no unit the user may read
    in this campaign: missing and out of scope look the same.
    """
    roots = campaign_scope_roots(user, campaign)
    if not unit_id:
        return (roots[0] if roots else None), roots
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
    if unit is None or not can_see_unit_for_campaign(user, unit, campaign.pk):
        raise PermissionDenied
    return unit, roots


def scope_breadcrumb(user, campaign: Campaign, node: Unit) -> list[Unit]:
    """The ancestors of ``node`` the user may read in ``campaign``, root first."""
    ancestors = Unit.objects.filter(path__in=node.ancestor_paths()[:-1]).order_by("path")
    return [unit for unit in ancestors if can_see_unit_for_campaign(user, unit, campaign.pk)]


def _campaign_reach(campaign: Campaign) -> Q:
    """Units inside the campaign's participating subtrees, or above one of them."""
    roots = campaign.participating_paths
    above = {root[:end] for root in roots for end in range(PATH_STEP, len(root), PATH_STEP)}
    reach = Q(path__in=above)
    for root in roots:
        reach |= Q(path__gte=root, path__lt=root + PATH_END)
    return reach


def row_units(campaign: Campaign, node: Unit, keys: Iterable[str]) -> list[tuple[Unit, bool]]:
    """``(unit, own)`` of each row over ``node``: the node itself first (when it takes part in
    the campaign or holds rows), then its children that take part (or lead to units that
    do) and any child holding rows even if deleted or out of the campaign since.

    ``keys`` are the paths of the rows that hold something (see :func:`tally`).
    """
    keys = set(keys)
    rows = [(node, True)] if node.path in keys or campaign.includes_unit(node) else []
    held = [key for key in keys if key != node.path]
    alive = Q(deleted_at__isnull=True) & _campaign_reach(campaign)
    children = Unit.all_objects.filter(parent=node).filter(alive | Q(path__in=held))
    return rows + [(child, False) for child in children.order_by("order", "path")]


def gap_matrix(user, campaign: Campaign, node: Unit) -> GapMatrix:
    """The gap matrix of ``campaign`` over ``node``'s children.

    Scope is checked once on the node: whoever may read a unit in a campaign
    reads its whole subtree there. A node out of the user's scope in this
    campaign raises :class:`PermissionDenied`.
    """
    if not can_see_unit_for_campaign(user, node, campaign.pk):
        raise PermissionDenied
    targets = list(campaign.targets.all())
    counts = problem_counts(campaign, node)
    keys = {key for key, _target in counts}

    def row(unit: Unit | None, key: str | None, *, own: bool = False) -> GapRow:
        cells = []
        for target in targets:
            figures = {} if key is None else counts.get((key, target.pk), {})
            cells.append(
                GapCell(
                    target=target,
                    total=figures.get("total", 0),
                    signed_off=figures.get("signed_off", 0),
                )
            )
        return GapRow(unit=unit, cells=cells, own=own)

    rows = [row(unit, unit.path, own=own) for unit, own in row_units(campaign, node, keys)]
    total = row(None, None)
    for cell_index, cell in enumerate(total.cells):
        for member in rows:
            cell.total += member.cells[cell_index].total
            cell.signed_off += member.cells[cell_index].signed_off
    return GapMatrix(campaign=campaign, node=node, targets=targets, rows=rows, total=total)


@dataclass
class TargetGaps:
    """What lies beneath one target in ``node``'s subtree: findings by status, and problems."""

    target: Target
    node: Unit
    finding_counts: dict[str, int]
    findings: list[Finding]
    problem_total: int
    problem_signed_off: int
    problems: list[Problem]

    @property
    def finding_total(self) -> int:
        return sum(self.finding_counts.values())

    @property
    def problem_open(self) -> int:
        return self.problem_total - self.problem_signed_off


def _status_order() -> Case:
    """Findings in the order of their statuses: to triage first, dismissed last."""
    whens = [When(status=status, then=Value(i)) for i, status in enumerate(FindingStatus.values)]
    return Case(*whens, output_field=IntegerField())


def target_gaps(user, target: Target, node: Unit, *, limit: int = TARGET_LIST_LIMIT) -> TargetGaps:
    """The findings (counted per status, the first ``limit`` listed by status) and the
    problems (counted, the latest ``limit`` listed) against ``target`` in ``node``'s subtree.

    Raises :class:`PermissionDenied` when ``node`` is out of the user's scope
    in the target's campaign.
    """
    campaign = target.campaign
    if not can_see_unit_for_campaign(user, node, campaign.pk):
        raise PermissionDenied
    findings = Finding.objects.filter(campaign=campaign, target=target).filter(subtree_q(node))
    by_status = dict(findings.order_by().values_list("status").annotate(n=Count("*")))
    problems = Problem.objects.filter(campaign=campaign, target=target).filter(subtree_q(node))
    counted = tallies.of_subtree(campaign.pk, node.pk, target.pk)
    # The page's ids are sorted first and their status derived after: deriving it for
    # every problem of a broad scope just to sort them would read all their measures.
    latest = list(problems.order_by("-found_on", "-pk").values_list("pk", flat=True)[:limit])
    listed = with_problem_status(Problem.objects.filter(pk__in=latest).select_related("unit"))
    return TargetGaps(
        target=target,
        node=node,
        finding_counts={status: by_status.get(status, 0) for status in FindingStatus.values},
        findings=list(
            findings.select_related("unit")
            .annotate(status_order=_status_order())
            .order_by("status_order", "-created_at", "-pk")[:limit]
        ),
        problem_total=counted["problems"],
        problem_signed_off=counted["problems_signed_off"],
        problems=list(listed.order_by("-found_on", "-pk")),
    )
