"""The rows of a measure table: one page read as plain values, and written as HTML.

The measure list, the responsibility lists and a problem's page show the same
table. A page of it is read with at most three queries whatever its size —
the rows as values with their urge and extension counters (no model
instances: a list page spends its time on rows, not on the database), the
responsible persons' names, and when the urged ones were last urged — and
its ``<tr>`` are written here rather than through
template nodes, as Django's admin writes its change list rows
(``items_for_result``): fifty rows take about 1 ms instead of 7.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from rectify.org.models import Person

from .lights import Light
from .models import Measure, MeasureKind, MeasureStatus
from .report import attach_last_urged

#: What a row reads, in :class:`MeasureRow`'s order up to ``light``, then its counters.
ROW_VALUES = (
    *("pk", "unit_id", "unit__name", "unit__short_name", "campaign_id", "campaign__name"),
    *("problem_id", "problem__description", "content", "kind", "deadline", "status", "light"),
    *("urge_count", "extension_count"),
)


@dataclass(slots=True)
class MeasureRow:
    """A measure as a list row shows it."""

    pk: int
    unit_id: int
    unit: str
    campaign_id: int
    campaign: str
    problem_id: int
    problem: str
    content: str
    kind: str
    deadline: dt.date | None
    status: str
    light: str
    persons: tuple[str, ...] = ()
    urge_count: int = 0
    last_urged_at: dt.datetime | None = None
    extension_count: int = 0


def measure_rows(measures: QuerySet[Measure]) -> list[MeasureRow]:
    """The rows of ``measures`` (a page: sliced, or small), with light, names and counts.

    ``measures`` must carry the ``light`` annotation (``measures_visible_to`` does).
    Unit and problem read as their ``__str__`` does: short name, first 40 characters.
    """
    rows = [
        MeasureRow(pk, unit_id, short or name, campaign_id, campaign, problem_id,
                   description[:40], content, kind, deadline, status, light,
                   urge_count=urges, extension_count=extensions)
        for (pk, unit_id, name, short, campaign_id, campaign, problem_id, description,
             content, kind, deadline, status, light, urges, extensions)
        in measures.prefetch_related(None).values_list(*ROW_VALUES)
    ]  # fmt: skip
    if not rows:
        return rows
    names = defaultdict(list)
    persons = (
        Measure.responsible_persons.through.objects.filter(
            measure_id__in=[row.pk for row in rows], person__deleted_at__isnull=True
        )
        .order_by(*(f"person__{field}" for field in Person._meta.ordering))
        .values_list("measure_id", "person__name")
    )
    for measure_id, name in persons:
        names[measure_id].append(name)
    for row in rows:
        row.persons = tuple(names[row.pk])
    return attach_last_urged(rows)


def _labels(choices) -> dict[str, str]:
    """Value → label of ``choices`` in the active language, translated once per table."""
    return {value: str(label) for value, label in choices}


def light_badge(light: str) -> SafeString:
    """A deadline light as a coloured badge that also carries its word (for print and grey-scale);
    empty for a value that is no light."""
    try:
        label = Light(light).label
    except ValueError:
        return mark_safe("")
    return format_html(
        '<span class="light light-{}" title="{}">{}</span>', light, _("Deadline light"), label
    )


def render_rows(
    rows: Iterable[MeasureRow],
    *,
    in_problem: bool = False,
    show_campaign: bool = False,
    supervision: bool = False,
) -> SafeString:
    """The ``<tr>`` of a measure table (``ledger/partials/measure_table.html`` writes its head).

    Every value is escaped; the columns follow the head's ``in_problem``,
    ``show_campaign`` and ``supervision`` switches.
    """
    measures_url = reverse("ledger:measure-list")
    problems_url = reverse("ledger:problem-list")
    kinds, statuses = _labels(MeasureKind.choices), _labels(MeasureStatus.choices)
    lights = {value: light_badge(value) for value in Light.values}
    html = []
    for row in rows:
        cells = [f'<td class="num"><a href="{measures_url}{row.pk}/">{row.pk}</a></td>']
        if not in_problem:
            cells.append(f"<td>{escape(row.unit)}</td>")
        if show_campaign:
            cells.append(f"<td>{escape(row.campaign)}</td>")
        if not in_problem:
            cells.append(
                f'<td><a href="{problems_url}{row.problem_id}/">{escape(row.problem)}</a></td>'
            )
        deadline = row.deadline.isoformat() if row.deadline else ""
        cells += [
            f"<td>{escape(row.content)}</td>",
            f"<td>{escape(kinds.get(row.kind, row.kind))}</td>",
            f"<td>{deadline}</td>",
            f"<td>{escape(', '.join(row.persons))}</td>",
            f"<td>{escape(statuses.get(row.status, row.status))}</td>",
            f"<td>{lights.get(row.light, '')}</td>",
        ]
        if supervision:
            urged = ""
            if row.last_urged_at:
                day = timezone.localtime(row.last_urged_at).date().isoformat()
                urged = f' <span class="muted">({day})</span>'
            cells += [
                f'<td class="num urge-count">{row.urge_count}{urged}</td>',
                f'<td class="num extension-count">{row.extension_count}</td>',
            ]
        html.append(f"<tr>{''.join(cells)}</tr>")
    if not html:
        empty = escape(_("No measures match."))
        html.append(f'<tr><td colspan="12" class="muted">{empty}</td></tr>')
    return mark_safe("\n".join(html))  # every value above is escaped
