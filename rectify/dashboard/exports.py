"""The dashboard's tables written to one Excel workbook (one sheet per table)."""

import re

from django.http import HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _

from rectify.core.xlsx import PERCENT_FORMAT, Column, add_sheet, new_workbook, xlsx_response
from rectify.ledger.lights import Light
from rectify.ledger.models import MeasureStatus

from .charts import unit_label
from .selectors import Dashboard, Slice


def _heading(board: Dashboard, title: str) -> list[str]:
    as_of = _("As of %(date)s") % {"date": formats.date_format(board.today, "DATE_FORMAT")}
    scope = _("%(unit)s and the units below it") % {"unit": board.node}
    return [f"{title} · {board.campaign.name}", f"{scope} · {as_of}"]


def _slices(workbook, board: Dashboard, title: str, what: str, slices: list[Slice]) -> None:
    add_sheet(
        workbook,
        title,
        [Column(what, 36), Column(_("Count"), 10)],
        [[s.label, s.count] for s in slices],
        heading=_heading(board, title),
    )


def dashboard_workbook(board: Dashboard) -> HttpResponse:
    """The workbook of ``board`` as a download named after the campaign, unit and day."""
    workbook = new_workbook()
    totals = board.totals
    add_sheet(
        workbook,
        _("Totals"),
        [Column(_("Figure"), 36), Column(_("Count"), 12), Column(_("Rate"), 10, PERCENT_FORMAT)],
        [
            [_("Problems"), totals.problems],
            [_("Problems completed, awaiting sign-off"), totals.problems_completed],
            [_("Problems signed off"), totals.problems_signed_off],
            [_("Measures"), totals.measures],
            *[
                [str(label), totals.measure_statuses[value]]
                for value, label in MeasureStatus.choices
            ],
            [_("Completion rate"), None, totals.completion_rate],
            [_("Sign-off rate"), None, totals.sign_off_rate],
            *[[str(label), board.lights[value]] for value, label in Light.choices],
            [_("Measures urged"), board.most_urged.total],
            [_("Measures extended"), board.most_extended.total],
        ],
        heading=_heading(board, _("Totals")),
    )
    add_sheet(
        workbook,
        _("By unit"),
        [
            Column(_("Unit"), 30),
            Column(_("Problems"), 10),
            Column(_("Problems signed off"), 12),
            Column(_("Sign-off rate"), 11, PERCENT_FORMAT),
            Column(_("Measures"), 10),
            Column(_("Measures signed off"), 12),
            Column(_("Red (overdue) measures"), 12),
        ],
        [
            [
                unit_label(row),
                row.problems,
                row.problems_signed_off,
                row.sign_off_rate,
                row.measures,
                row.measures_signed_off,
                row.red,
            ]
            for row in board.by_unit
        ],
        heading=_heading(board, _("By unit")),
    )
    _slices(workbook, board, _("Problems by target"), _("Target"), board.by_target)
    _slices(workbook, board, _("Problems by source"), _("Source"), board.by_source)
    _slices(workbook, board, _("Problems by level"), _("Level"), board.by_level)
    _slices(workbook, board, _("Measures by kind"), _("Kind"), board.by_kind)
    add_sheet(
        workbook,
        _("Burn-down"),
        [Column(_("Week of"), 12), Column(_("Open measures"), 12), Column(_("Signed off"), 12)],
        [[week.start, week.open, week.signed_off] for week in board.burndown],
        heading=_heading(board, _("Burn-down")),
    )
    measure_columns = [
        Column(_("No."), 8),
        Column(_("Unit"), 24),
        Column(_("Measure"), 44),
        Column(_("Deadline"), 12),
    ]
    add_sheet(
        workbook,
        _("Overdue measures"),
        measure_columns,
        [[m.pk, str(m.unit), m.content, m.deadline] for m in board.red_list],
        heading=_heading(board, _("Overdue measures")),
    )
    for title, ranked in (
        (_("Most urged"), board.most_urged),
        (_("Most extended"), board.most_extended),
    ):
        add_sheet(
            workbook,
            title,
            [*measure_columns, Column(_("Times"), 8)],
            [[m.pk, str(m.unit), m.content, m.deadline, m.times] for m in ranked.measures],
            heading=_heading(board, title),
        )
    coverage = board.coverage
    add_sheet(
        workbook,
        _("Study and satisfaction"),
        [Column(_("Figure"), 40), Column(_("Count"), 12), Column(_("Rate"), 10, PERCENT_FORMAT)],
        [
            [_("People"), coverage.total, None],
            [
                _("People covered by study"),
                coverage.covered,
                coverage.covered / coverage.total if coverage.total else None,
            ],
            *[
                [
                    f"{_('Satisfaction rate')}: {item.survey.title} · {item.round} · {item.unit}",
                    item.responses,
                    None if item.rate is None else item.rate / 100,
                ]
                for item in board.satisfaction
            ],
        ],
        heading=_heading(board, _("Study and satisfaction")),
    )
    day = board.today.strftime("%Y%m%d")
    name = f"{_('Dashboard')}-{board.campaign.slug}-{board.node}-{day}.xlsx"
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", name)
    return xlsx_response(workbook, name, fallback=f"dashboard-{board.campaign.slug}-{day}.xlsx")
