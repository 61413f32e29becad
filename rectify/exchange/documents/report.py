"""The progress report (整改情况报告) of a unit in a campaign, as a Word document.

Its body: the title and the "as of" date; 一、总体情况 (problems and measures,
completion and sign-off rates, what is still open, a table by status); then
tables by target (对照目标), by level (层级) and, for a unit with units below
it, by unit; the overdue and extended measures (逾期、延期); the urged ones
(督办); typical cases (典型案例) when there are any; the issuing unit and the
date. The items behind the counts (overdue, extended, urged) follow as
attached tables on landscape pages.
"""

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from rectify.ledger.lights import Light
from rectify.ledger.models import Measure, MeasureStatus

from ..columns import COLUMNS
from .figures import Bounded, ReportData, Tally
from .layout import OfficialDocument, TableColumn, percent
from .plan import bounded_note, long_date


def report_title(data: ReportData) -> str:
    """The report's title: the unit, the campaign, 整改情况报告."""
    return _("%(unit)s report on the rectification of %(campaign)s") % {
        "unit": data.unit.name,
        "campaign": data.campaign.name,
    }


def _tally_table(document: OfficialDocument, label: str, tallies: list[Tally], total: Tally):
    columns = [
        TableColumn(label, 22),
        TableColumn(pgettext("report column", "Problems"), 11),
        TableColumn(pgettext("report column", "Measures"), 11),
        TableColumn(_("Completed"), 11),
        TableColumn(_("Signed off"), 11),
        TableColumn(pgettext("report column", "Overdue"), 11),
        TableColumn(_("Completion rate"), 12),
        TableColumn(_("Sign-off rate"), 12),
    ]

    def values(tally: Tally) -> list:
        return [
            tally.label,
            tally.problems,
            tally.measures,
            tally.done,
            tally.signed_off,
            tally.overdue,
            percent(tally.done, tally.measures),
            percent(tally.signed_off, tally.measures),
        ]

    rows = [values(tally) for tally in tallies]
    rows.append(values(Tally(**{**total.__dict__, "label": _("Total")})))
    document.table(columns, rows, numeric=range(1, 8))


def _persons(measure: Measure) -> str:
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(person.name for person in measure.responsible_persons.all())


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.isoformat()


def _deadline(measure: Measure) -> str:
    return _day(measure.deadline) if measure.deadline else str(measure.get_kind_display())


def _item_columns(*middle: tuple[str, float]) -> list[TableColumn]:
    lead = [
        (str(COLUMNS["seq"].label), 5),
        (str(COLUMNS["unit"].label), 13),
        (str(COLUMNS["content"].label), 36),
        (str(COLUMNS["responsible_persons"].label), 12),
    ]
    return [TableColumn(label, weight) for label, weight in (*lead, *middle)]


def _item_table(document, listed: Bounded, columns, values) -> None:
    rows = (
        [number, str(measure.unit), measure.content, _persons(measure), *values(measure)]
        for number, measure in enumerate(listed.rows, start=1)
    )
    written = document.table(columns, rows, numeric=range(4, len(columns)))
    bounded_note(document, listed, written)


def build_report(data: ReportData) -> OfficialDocument:
    """The report as an :class:`OfficialDocument` (see the module's docstring for its parts)."""
    campaign, unit, total = data.campaign, data.unit, data.total
    as_of = long_date(data.today)
    document = OfficialDocument(title=report_title(data))
    document.title_block(report_title(data), _("(as of %(date)s)") % {"date": as_of})
    document.paragraph(
        _(
            "This report sets out, as of %(date)s, how %(unit)s and the units below it are "
            "rectifying the problems found in %(campaign)s."
        )
        % {"date": as_of, "unit": unit.name, "campaign": campaign.name}
    )

    section = 1
    document.heading(1, section, _("Overall progress"))
    document.paragraph(
        _(
            "Problems found: %(problems)s; fully rectified: %(completed)s "
            "(%(completed_rate)s); signed off: %(signed_off)s (%(signed_off_rate)s)."
        )
        % {
            "problems": total.problems,
            "completed": data.problems_completed,
            "completed_rate": percent(data.problems_completed, total.problems),
            "signed_off": data.problems_signed_off,
            "signed_off_rate": percent(data.problems_signed_off, total.problems),
        }
    )
    document.paragraph(
        _(
            "Rectification measures: %(measures)s; completed: %(done)s (completion rate "
            "%(done_rate)s); signed off: %(signed_off)s (sign-off rate %(signed_off_rate)s)."
        )
        % {
            "measures": total.measures,
            "done": total.done,
            "done_rate": percent(total.done, total.measures),
            "signed_off": total.signed_off,
            "signed_off_rate": percent(total.signed_off, total.measures),
        }
    )
    document.paragraph(
        _(
            "Still open: %(open)s, of which overdue: %(red)s and due within %(days)s days: "
            "%(yellow)s. Long-term measures: %(grey)s."
        )
        % {
            "open": total.open,
            "red": data.lights[Light.RED],
            "days": campaign.warning_days,
            "yellow": data.lights[Light.YELLOW],
            "grey": data.lights[Light.GREY],
        }
    )
    status_rows = [
        [
            str(status.label),
            data.statuses[status.value],
            percent(data.statuses[status.value], total.measures),
        ]
        for status in MeasureStatus
    ]
    status_rows.append([_("Total"), total.measures, percent(total.measures, total.measures)])
    document.table(
        [
            TableColumn(_("Status"), 50),
            TableColumn(pgettext("report column", "Measures"), 25),
            TableColumn(pgettext("report column", "Share"), 25),
        ],
        status_rows,
        numeric=(1, 2),
    )

    section += 1
    document.heading(1, section, _("By target"))
    _tally_table(document, _("Target"), data.by_target, total)
    section += 1
    document.heading(1, section, _("By level"))
    _tally_table(document, str(COLUMNS["level"].label), data.by_level, total)
    if data.by_unit:
        section += 1
        document.heading(1, section, _("By unit"))
        own, *children = data.by_unit
        own_row = Tally(**{**own.__dict__, "label": _("%(unit)s (own measures)") % {"unit": unit}})
        _tally_table(document, str(COLUMNS["unit"].label), [own_row, *children], total)

    attachments = []
    section += 1
    document.heading(1, section, _("Overdue and extended measures"))
    document.heading(2, 1, _("Overdue measures"))
    if data.overdue.total:
        attachments.append((_("Overdue measures"), "overdue"))
        document.paragraph(
            _("Measures past their deadline and not completed: %(count)s (attachment %(n)s).")
            % {"count": data.overdue.total, "n": len(attachments)}
        )
    else:
        document.paragraph(_("No measure is overdue."))
    document.heading(2, 2, _("Extended deadlines"))
    if data.extended.total:
        attachments.append((_("Measures with extended deadlines"), "extended"))
        document.paragraph(
            _(
                "Measures whose deadline was extended: %(count)s, by %(approvals)s approved "
                "requests (attachment %(n)s)."
            )
            % {
                "count": data.extended.total,
                "approvals": data.extension_approvals,
                "n": len(attachments),
            }
        )
    else:
        document.paragraph(_("No deadline has been extended."))

    section += 1
    document.heading(1, section, _("Urging"))
    if data.urged.total:
        attachments.append((_("Urged measures"), "urged"))
        document.paragraph(
            _("Measures urged: %(count)s, %(urges)s times in all (attachment %(n)s).")
            % {"count": data.urged.total, "urges": data.urges, "n": len(attachments)}
        )
    else:
        document.paragraph(_("No measure has been urged."))

    if data.typical:
        section += 1
        document.heading(1, section, _("Typical cases"))
        document.paragraph(_("The following signed-off measures are reported as typical cases."))
        for number, measure in enumerate(data.typical, start=1):
            case = _("%(unit)s: %(measure)s") % {"unit": measure.unit, "measure": measure.content}
            document.heading(2, number, case[:200])
            document.paragraph(_("Problem: %(text)s") % {"text": measure.problem.description})
            document.paragraph(_("How it was rectified: %(text)s") % {"text": measure.statement})
            if measure.mechanism:
                document.paragraph(_("Standing mechanism: %(text)s") % {"text": measure.mechanism})

    document.signature(unit.name, as_of)

    for number, (title, kind) in enumerate(attachments, start=1):
        document.attachment(_("Attachment %(number)s") % {"number": number}, title)
        _attached_items(document, kind, data)
    return document


def _attached_items(document: OfficialDocument, kind: str, data: ReportData) -> None:
    status = str(COLUMNS["status"].label)
    deadline = str(COLUMNS["deadline"].label)
    if kind == "overdue":
        columns = _item_columns(
            (deadline, 10), (_("Days overdue"), 8), (_("Times urged"), 8), (_("Last urged"), 10)
        )
        _item_table(
            document,
            data.overdue,
            columns,
            lambda m: [_deadline(m), m.days_overdue, m.urge_count, _day(m.last_urged_at)],
        )
    elif kind == "extended":
        original = capfirst(Measure._meta.get_field("original_deadline").verbose_name)
        columns = _item_columns(
            (str(original), 10), (deadline, 10), (_("Times extended"), 8), (status, 10)
        )
        _item_table(
            document,
            data.extended,
            columns,
            lambda m: [
                _day(m.original_deadline),
                _deadline(m),
                m.extension_count,
                m.get_status_display(),
            ],
        )
    else:
        columns = _item_columns(
            (deadline, 10), (_("Times urged"), 8), (_("Last urged"), 10), (status, 10)
        )
        _item_table(
            document,
            data.urged,
            columns,
            lambda m: [_deadline(m), m.urge_count, _day(m.last_urged_at), m.get_status_display()],
        )
