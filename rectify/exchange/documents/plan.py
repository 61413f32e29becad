"""The rectification plan (整改方案) of a unit in a campaign, as a Word document.

Its body: the title and date; an opening paragraph; 一、总体要求 (the general
requirement, the root task, the campaign's dates); 二、整改目标 (each target,
with the problems found against it); 三、工作安排 (the phases and their dates,
when the campaign records phases); 四、“三个清单” (where the lists are); the
list of attachments, the issuing unit and the date. Then, on landscape pages,
the three lists as tables: 附件1 问题清单, 附件2 整改清单, 附件3 责任清单.
"""

from django.utils import formats
from django.utils.translation import gettext as _
from docx.shared import Pt

from ..columns import COLUMNS
from ..rows import LIST_TITLES
from .figures import Bounded, PlanData
from .layout import OfficialDocument, TableColumn, heading_number

#: The columns of each attached list: column key and its share of the page width.
PLAN_LISTS = {
    "problems": (
        ("seq", 5), ("unit", 12), ("target", 12), ("description", 31),
        ("source", 10), ("level", 10), ("root_cause", 24),
    ),
    "measures": (
        ("seq", 5), ("unit", 11), ("description", 23), ("content", 27),
        ("expected_outcome", 14), ("kind", 8), ("deadline", 12),
    ),
    "responsibilities": (
        ("seq", 5), ("unit", 12), ("content", 33), ("responsible_leader", 10),
        ("responsible_department", 14), ("responsible_persons", 14), ("deadline", 12),
    ),
}  # fmt: skip


def long_date(day) -> str:
    """A date as a document prints it: 2024年5月1日 / May 1, 2024."""
    return formats.date_format(day, "DATE_FORMAT")


def bounded_note(document: OfficialDocument, listed: Bounded, written: int) -> None:
    """Under a table: "none" when it is empty, how much it shows when cut short."""
    if not listed.total:
        document.note(_("None."))
    elif listed.truncated:
        document.note(
            _(
                "Only the first %(shown)s of %(total)s rows are listed; "
                "export the list to Excel for all of them."
            )
            % {"shown": written, "total": listed.total}
        )


def list_table(document: OfficialDocument, list_name: str, listed: Bounded) -> None:
    """One of the three lists as a table of the rows :class:`RowSource` read."""
    spec = PLAN_LISTS[list_name]
    columns = [TableColumn(str(COLUMNS[key].label), weight) for key, weight in spec]
    rows = ([row.get(key) for key, _weight in spec] for row in listed.rows)
    written = document.table(columns, rows, numeric=(0,))
    bounded_note(document, listed, written)


def plan_title(data: PlanData) -> str:
    """The plan's title: the unit, the campaign, 整改方案."""
    return _("%(unit)s rectification plan for %(campaign)s") % {
        "unit": data.unit.name,
        "campaign": data.campaign.name,
    }


def _campaign_period(data: PlanData) -> str:
    campaign = data.campaign
    if campaign.end_date:
        return _("Campaign period: %(start)s to %(end)s.") % {
            "start": long_date(campaign.start_date),
            "end": long_date(campaign.end_date),
        }
    return _("The campaign started on %(start)s.") % {"start": long_date(campaign.start_date)}


def _phase_text(phase) -> str:
    values = {"name": phase.name}
    if phase.start_date and phase.end_date:
        values |= {"start": long_date(phase.start_date), "end": long_date(phase.end_date)}
        return _("%(name)s: %(start)s to %(end)s.") % values
    if phase.start_date:
        return _("%(name)s: from %(start)s.") % (values | {"start": long_date(phase.start_date)})
    if phase.end_date:
        return _("%(name)s: until %(end)s.") % (values | {"end": long_date(phase.end_date)})
    return _("%(name)s.") % values


def build_plan(data: PlanData) -> OfficialDocument:
    """The plan as an :class:`OfficialDocument` (see the module's docstring for its parts)."""
    campaign, unit = data.campaign, data.unit
    document = OfficialDocument(title=plan_title(data))
    document.title_block(plan_title(data), _("(%(date)s)") % {"date": long_date(data.today)})
    document.paragraph(
        _(
            "To carry out %(campaign)s as deployed by %(organizer)s, %(unit)s has examined "
            "itself against the campaign's targets. This plan sets out the problems found, "
            "the measures that rectify them and who answers for each."
        )
        % {"campaign": campaign.name, "organizer": campaign.organizer.name, "unit": unit.name}
    )
    document.paragraph(
        _("Problems found: %(problems)s. Rectification measures drawn up: %(measures)s.")
        % {"problems": data.problems.total, "measures": data.measures.total}
    )

    section = 1
    document.heading(1, section, _("General requirements"))
    if campaign.general_requirement:
        document.paragraph(
            _("General requirement: %(text)s") % {"text": campaign.general_requirement}
        )
    if campaign.root_task:
        document.paragraph(_("Root task: %(text)s") % {"text": campaign.root_task})
    document.paragraph(_campaign_period(data))

    section += 1
    document.heading(1, section, _("Rectification targets"))
    if data.targets:
        document.paragraph(
            _("Problems are found and rectified against the following %(count)s targets.")
            % {"count": len(data.targets)}
        )
    else:
        document.paragraph(_("The campaign records no targets."))
    for number, target in enumerate(data.targets, start=1):
        document.heading(2, number, target.title)
        if target.description:
            document.paragraph(target.description)
        document.paragraph(
            _("Problems found against this target: %(count)s.")
            % {"count": data.problems_by_target.get(target.pk, 0)}
        )

    if data.phases:
        section += 1
        document.heading(1, section, _("Phases and schedule"))
        for number, phase in enumerate(data.phases, start=1):
            document.paragraph(heading_number(3, number) + _phase_text(phase))

    section += 1
    document.heading(1, section, _("Problem, measure and responsibility lists"))
    document.paragraph(
        _(
            "The problem list, the measure list and the responsibility list are attached "
            "(attachments 1 to 3). Each measure names the persons responsible for it and "
            "its deadline."
        )
    )

    titles = [str(LIST_TITLES[name]) for name in PLAN_LISTS]
    _attachment_list(document, titles)
    document.signature(unit.name, long_date(data.today))

    listed = {"problems": data.problems, "measures": data.measures}
    listed["responsibilities"] = data.measures
    for number, (name, title) in enumerate(zip(PLAN_LISTS, titles, strict=True), start=1):
        document.attachment(_("Attachment %(number)s") % {"number": number}, title)
        list_table(document, name, listed[name])
    return document


def _attachment_list(document: OfficialDocument, titles: list[str]) -> None:
    """附件说明: "附件：1. 问题清单", the next titles aligned under the first."""
    lead = _("Attachments: ")
    document.paragraph("")
    for number, title in enumerate(titles, start=1):
        text = f"{number}. {title}"
        if number == 1:
            document.paragraph(lead + text)
        else:
            paragraph = document.paragraph(text)
            # Under the first title: the two-character indent plus the lead's width.
            width = sum(16 if ord(char) >= 0x2E80 else 8 for char in lead)
            paragraph.paragraph_format.first_line_indent = Pt(32 + width)
