"""Supervision figures: the standing report (情况通报) and the urge and extension counts of a page.

The report covers one campaign and one unit's subtree. It has a row for the
unit's own measures (本级) and one per child unit with that child's whole
subtree, each counted by status and light, with the urges (督办), approved
deadline changes (延期) and send-backs (退回) of its measures; the rows are
ranked by completion rate. Every figure is a GROUP BY on the path prefix of
the measure's unit at the child level, so the report makes the same few
queries for a unit with three children or three thousand.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    Func,
    Max,
    Q,
    QuerySet,
)
from django.db.models.functions import Substr
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rectify.campaigns.models import Campaign
from rectify.core.xlsx import PERCENT_FORMAT, Column, add_sheet, new_workbook
from rectify.org.models import PATH_END, PATH_STEP, Unit
from rectify.org.scoping import can_see_unit_for_campaign, units_in_paths

from .lights import Light, light_q
from .models import (
    DONE_STATUSES,
    ExtensionRequest,
    ExtensionStatus,
    Measure,
    MeasureStatus,
    Review,
    ReviewAction,
    Urge,
)
from .selectors import measures_visible_to

#: Past this many measures in the scope, urges, extensions and send-backs are counted
#: from their own tables first (see :class:`_Unindexed`).
BROAD_SCOPE = 50_000
#: The overdue list of the page stops here (its total is always given).
OVERDUE_LIMIT = 200
#: The overdue sheet of the Excel download stops here (and says so).
XLSX_OVERDUE_LIMIT = 5000

#: The counted columns of a row, in display order.
STATUS_FIELDS = tuple(status.value for status in MeasureStatus)
LIGHT_FIELDS = (Light.RED.value, Light.YELLOW.value, Light.GREEN.value, Light.GREY.value)
SUPERVISION_FIELDS = ("urges", "extensions", "send_backs")


@dataclass
class ReportRow:
    """The figures of one unit of the report (``own``: the chosen unit's own measures)."""

    unit: Unit | None
    own: bool = False
    position: int = 0
    rank: int | None = None
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        # Templates read ``row.red``, ``row.signed_off``: the counted columns.
        if name in STATUS_FIELDS or name in LIGHT_FIELDS or name in SUPERVISION_FIELDS:
            return self.counts.get(name, 0)
        raise AttributeError(name)

    @property
    def done(self) -> int:
        """Measures whose work is done (completed, confirmed or signed off)."""
        return sum(self.counts.get(status, 0) for status in DONE_STATUSES)

    @property
    def completion_rate(self) -> float | None:
        """Done over all measures, or ``None`` when the unit has none."""
        return self.done / self.total if self.total else None

    @property
    def completion_percent(self) -> str:
        """The completion rate as printed ("66.7%"), or a dash for a unit without measures."""
        rate = self.completion_rate
        return "—" if rate is None else f"{rate * 100:.1f}%"

    def add(self, other: "ReportRow") -> None:
        """Add ``other``'s figures to this row (for the total)."""
        self.total += other.total
        for name, value in other.counts.items():
            self.counts[name] = self.counts.get(name, 0) + value


@dataclass
class StandingReport:
    """A campaign's standing in a unit's subtree on ``today``."""

    campaign: Campaign
    unit: Unit
    today: dt.date
    rows: list[ReportRow]
    total: ReportRow
    overdue: list[Measure]
    overdue_limit: int

    @property
    def overdue_total(self) -> int:
        """How many measures of the scope are overdue (red), listed or not."""
        return self.total.red

    @property
    def overdue_truncated(self) -> bool:
        """True when the overdue list shows only the first :attr:`overdue_limit`."""
        return self.overdue_total > len(self.overdue)


class _Unindexed(Func):
    """``+value``: the same value, through which SQLite will not use an index.

    Counting a broad scope's urges, SQLite otherwise walks the scope's units
    and reads every measure of each (a million at the root) to find a few
    thousand urges; with the unit test unindexed it reads the urges and looks
    their measures up. PostgreSQL plans by its statistics either way.
    """

    template = "(+%(expressions)s)"
    output_field = BigIntegerField()


def _grouped(
    queryset: QuerySet, prefix: str, unit: Unit, *, broad: bool = False, **aggregates
) -> dict[str, dict]:
    """``{path key: aggregates}``: one GROUP BY on the unit path cut at the child level.

    A row of ``unit`` itself has ``unit.path`` as its key; a row anywhere
    below child ``c`` has ``c.path``. ``prefix`` leads from the queryset's
    model to the unit (``"unit__"``, ``"measure__unit__"``); ``broad`` says the
    scope holds so many measures that the rows are better read first and their
    units tested after.
    """
    if broad:
        in_scope = units_in_paths([unit.path]).values("pk")
        queryset = queryset.alias(scope_unit=_Unindexed(F(f"{prefix}id"))).filter(
            scope_unit__in=in_scope
        )
    else:
        queryset = queryset.filter(**_path_range(prefix, unit))
    key = Substr(f"{prefix}path", 1, len(unit.path) + PATH_STEP)
    grouped = (
        queryset.order_by().annotate(report_key=key).values("report_key").annotate(**aggregates)
    )
    return {row.pop("report_key"): row for row in grouped}


def _path_range(prefix: str, unit: Unit) -> dict:
    """Lookups for rows whose unit lies in ``unit``'s subtree (a range on the unit path)."""
    return {f"{prefix}path__gte": unit.path, f"{prefix}path__lt": unit.path + PATH_END}


def _supervision_counts(campaign: Campaign, unit: Unit, *, broad: bool) -> dict[str, dict]:
    """``{column: {path key: count}}`` of urges, approved extensions and send-backs.

    In a narrow scope the scope's measures are listed first and their rows
    looked up by measure (an index each table has); in a broad one the rows
    are read first (see :func:`_grouped`).
    """
    of_campaign = {"measure__campaign": campaign, "measure__deleted_at__isnull": True}
    if not broad:
        scope = Measure.objects.filter(campaign=campaign, **_path_range("unit__", unit))
        of_campaign = {"measure__in": scope.values("pk")}
    sources = {
        "urges": Urge.objects.filter(**of_campaign),
        "extensions": ExtensionRequest.objects.filter(
            status=ExtensionStatus.APPROVED, **of_campaign
        ),
        "send_backs": Review.objects.filter(action=ReviewAction.SEND_BACK, **of_campaign),
    }
    counts = {}
    for name, queryset in sources.items():
        grouped = _grouped(queryset, "measure__unit__", unit, broad=broad, n=Count("*"))
        counts[name] = {key: row["n"] for key, row in grouped.items()}
    return counts


def _children(unit: Unit, keys) -> list[Unit]:
    """The live children of ``unit``, and deleted ones that still hold measures, in unit order."""
    others = [key for key in keys if key != unit.path]
    return list(
        Unit.all_objects.filter(
            Q(parent=unit, deleted_at__isnull=True) | Q(parent=unit, path__in=others)
        ).order_by("order", "path")
    )


def _rank(rows: list[ReportRow]) -> list[ReportRow]:
    """Rows by completion rate (highest first, ties in unit order); empty rows last, unranked."""
    ranked = sorted(
        rows,
        key=lambda row: (row.completion_rate is None, -(row.completion_rate or 0), row.position),
    )
    for index, row in enumerate(ranked, start=1):
        row.rank = index if row.total else None
    return ranked


def overdue_measures(
    user, campaign: Campaign, unit: Unit, today: dt.date, *, limit: int = OVERDUE_LIMIT
) -> list[Measure]:
    """The first ``limit`` red measures of ``unit``'s subtree, longest overdue first.

    Each carries ``days_overdue``, ``urge_count`` and ``last_urged_at``. The
    ids are sorted first and the rows fetched after: sorting a county's
    overdue ids is cheap, sorting their whole rows is not.
    """
    red = (
        Measure.objects.filter(light_q(Light.RED, today), campaign=campaign)
        .filter(**_path_range("unit__", unit))
        .order_by("deadline", "unit__path", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(red)
    rows = measures_visible_to(user, today).filter(pk__in=ids).in_bulk()
    measures = [rows[pk] for pk in ids if pk in rows]
    attach_last_urged(measures)
    for measure in measures:
        measure.days_overdue = (today - measure.deadline).days
    return measures


def standing_report(
    user,
    campaign: Campaign,
    unit: Unit,
    today: dt.date | None = None,
    *,
    overdue_limit: int = OVERDUE_LIMIT,
) -> StandingReport:
    """The standing of ``campaign`` in ``unit``'s subtree on ``today``.

    Scope is checked once, on the unit and the campaign: whoever may see a unit
    in a campaign sees its whole subtree there (scopes are subtrees), so the
    counts need no per-row scope test, which would only steer the database away
    from its best plan. A unit the user may not see is refused with
    :class:`PermissionDenied`.
    """
    if not can_see_unit_for_campaign(user, unit, campaign.pk):
        raise PermissionDenied
    today = today or timezone.localdate()
    aggregates = {"total": Count("*")}
    aggregates |= {status: Count("pk", filter=Q(status=status)) for status in STATUS_FIELDS}
    days = campaign.warning_days
    aggregates |= {
        light: Count("pk", filter=light_q(light, today, warning_days=days))
        for light in LIGHT_FIELDS
    }
    figures = _grouped(Measure.objects.filter(campaign=campaign), "unit__", unit, **aggregates)
    broad = sum(row["total"] for row in figures.values()) > BROAD_SCOPE
    supervision = _supervision_counts(campaign, unit, broad=broad)

    units = [unit, *_children(unit, figures)]
    rows = []
    for position, member in enumerate(units):
        counts = dict(figures.get(member.path, {}))
        total = counts.pop("total", 0)
        for name, by_key in supervision.items():
            counts[name] = by_key.get(member.path, 0)
        rows.append(
            ReportRow(
                unit=member, own=member is unit, position=position, total=total, counts=counts
            )
        )
    total = ReportRow(unit=None)
    for row in rows:
        total.add(row)
    return StandingReport(
        campaign=campaign,
        unit=unit,
        today=today,
        rows=_rank(rows),
        total=total,
        overdue=overdue_measures(user, campaign, unit, today, limit=overdue_limit),
        overdue_limit=overdue_limit,
    )


def attach_last_urged(measures: list) -> list:
    """Set ``last_urged_at`` on each of ``measures``: when it was last urged, or ``None``.

    ``measures`` are a page's rows (model instances or :class:`~.rows.MeasureRow`)
    and carry the counters the services keep (``urge_count``, ``extension_count``;
    see :mod:`.pressure`). Only the rows urged at least once need a query: one,
    grouped over their ids, and none for a page nobody urged.
    """
    urged = [measure.pk for measure in measures if measure.urge_count]
    last = {}
    if urged:
        last = dict(
            Urge.objects.filter(measure_id__in=urged)
            .order_by()
            .values("measure_id")
            .annotate(last=Max("created_at"))
            .values_list("measure_id", "last")
        )
    for measure in measures:
        measure.last_urged_at = last.get(measure.pk)
    return measures


def _as_of(report: StandingReport) -> str:
    """The "as of" date line (截至2026年11月29日) in the current language."""
    return _("As of %(date)s") % {"date": formats.date_format(report.today, "DATE_FORMAT")}


def report_filename(report: StandingReport) -> tuple[str, str]:
    """The download's name (with the unit's name) and its ASCII fallback."""
    day = report.today.strftime("%Y%m%d")
    name = f"{_('Standing report')}-{report.campaign.slug}-{report.unit}-{day}.xlsx"
    # No path separators, quotes or spaces: some clients keep them, some cut the name there.
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", name)
    return name, f"standing-report-{report.campaign.slug}-{day}.xlsx"


def _row_values(row: ReportRow, label: str) -> list:
    return [
        row.rank,
        label,
        row.total,
        *(row.counts.get(name, 0) for name in STATUS_FIELDS),
        *(row.counts.get(name, 0) for name in LIGHT_FIELDS),
        row.completion_rate,
        *(row.counts.get(name, 0) for name in SUPERVISION_FIELDS),
    ]


def row_label(row: ReportRow) -> str:
    """The unit a row stands for, as the report prints it."""
    if row.unit is None:
        return _("Total")
    if row.own:
        return _("%(unit)s (own measures)") % {"unit": row.unit}
    return str(row.unit)


def report_workbook(report: StandingReport):
    """The report as a workbook: the ranked units, then the overdue list."""
    workbook = new_workbook()
    heading = [
        _("Standing report: %(campaign)s") % {"campaign": report.campaign.name},
        _("%(unit)s and the units below it") % {"unit": report.unit} + " · " + _as_of(report),
    ]
    count = 9
    columns = [
        Column(pgettext("report ranking", "Rank"), 6),
        Column(_("Unit"), 28),
        Column(_("Measures in all"), count),
        Column(_("Not started"), count),
        Column(_("In progress"), count),
        Column(_("Completed"), count),
        Column(_("Confirmed"), count),
        Column(_("Signed off"), count),
        Column(_("Red"), count),
        Column(_("Yellow"), count),
        Column(_("Green"), count),
        Column(_("Grey"), count),
        Column(_("Completion rate"), 11, PERCENT_FORMAT),
        Column(_("Times urged"), count),
        Column(_("Times extended"), count),
        Column(_("Send-backs"), count),
    ]
    rows = [_row_values(row, row_label(row)) for row in report.rows]
    rows.append(_row_values(report.total, row_label(report.total)))
    add_sheet(workbook, _("Standing report"), columns, rows, heading=heading)

    overdue_heading = [
        _("Overdue measures") + f" ({report.overdue_total})",
        _("%(unit)s and the units below it") % {"unit": report.unit} + " · " + _as_of(report),
    ]
    if report.overdue_truncated:
        overdue_heading.append(_("Only the first %(n)s are listed.") % {"n": len(report.overdue)})
    overdue_columns = [
        Column(_("No."), 8),
        Column(_("Unit"), 24),
        Column(_("Problem"), 36),
        Column(_("Measure"), 44),
        Column(_("Responsible persons"), 18),
        Column(_("Deadline"), 12),
        Column(_("Days overdue"), 10),
        Column(_("Times urged"), 10),
        Column(_("Last urged"), 17),
    ]
    overdue_rows = (
        [
            measure.pk,
            str(measure.unit),
            measure.problem.description,
            measure.content,
            ", ".join(person.name for person in measure.responsible_persons.all()),
            measure.deadline,
            measure.days_overdue,
            measure.urge_count,
            measure.last_urged_at,
        ]
        for measure in report.overdue
    )
    add_sheet(
        workbook, _("Overdue measures"), overdue_columns, overdue_rows, heading=overdue_heading
    )
    return workbook
