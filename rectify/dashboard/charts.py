"""The dashboard's charts as plain data for ``dashboard.js`` (embedded with ``json_script``).

Each chart is ``{"kind", "title", "categories", "series": [{"name", "data"}]}``;
every datum that counts rows of a list carries that list's ``url`` (a click on
the segment opens it) and, for lights, its colour. The lights' words are the
category labels, so a grey-scale print still tells red from green.
"""

from urllib.parse import urlencode

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from rectify.ledger.lights import Light
from rectify.ledger.models import MeasureStatus

from .links import measures_url, problems_url
from .selectors import Dashboard, as_percent

#: The campaign's palette: party red first, then gold and darker and lighter reds.
PALETTE = ["#b71c1c", "#d4a017", "#7f0000", "#e57373", "#f0c419", "#6d4c41", "#ef9a9a", "#8d6e63"]
#: The lights' colours, as the ledger's lists show them.
LIGHT_COLOURS = {
    Light.RED: "#d32f2f",
    Light.YELLOW: "#f9a825",
    Light.GREEN: "#2e7d32",
    Light.GREY: "#757575",
}


def _datum(value: int, url: str, **extra) -> dict:
    return {"value": value, "url": url, **extra}


def charts(board: Dashboard) -> dict:
    """``{chart id: spec}`` of every chart of ``board``."""
    campaign, node = board.campaign, board.node
    specs: dict[str, dict] = {}
    specs["lights"] = {
        "kind": "bar",
        "title": _("Deadline lights"),
        "categories": [str(label) for _value, label in Light.choices],
        "series": [
            {
                "name": _("Measures"),
                "data": [
                    _datum(
                        board.lights[value],
                        measures_url(campaign, node, light=value),
                        light=value,
                        itemStyle={"color": LIGHT_COLOURS[value]},
                    )
                    for value, _label in Light.choices
                ],
            }
        ],
    }
    specs["statuses"] = {
        "kind": "bar",
        "title": _("Measures by status"),
        "categories": [str(label) for _value, label in MeasureStatus.choices],
        "series": [
            {
                "name": _("Measures"),
                "data": [
                    _datum(
                        board.totals.measure_statuses[value],
                        measures_url(campaign, node, status=value),
                    )
                    for value, _label in MeasureStatus.choices
                ],
            }
        ],
    }
    specs["targets"] = {
        "kind": "hbar",
        "title": _("Problems by target"),
        "categories": [s.label for s in board.by_target],
        "series": [
            {
                "name": _("Problems"),
                "data": [
                    _datum(s.count, problems_url(campaign, node, target=s.key))
                    for s in board.by_target
                ],
            }
        ],
    }
    for key, title, slices, make in (
        ("sources", _("Problems by source"), board.by_source, "source"),
        ("levels", _("Problems by level"), board.by_level, "level"),
        ("kinds", _("Measures by kind"), board.by_kind, "kind"),
    ):
        url = measures_url if make == "kind" else problems_url
        specs[key] = {
            "kind": "pie",
            "title": title,
            "categories": [s.label for s in slices],
            "series": [
                {
                    "name": title,
                    "data": [
                        _datum(s.count, url(campaign, node, **{make: s.key}), name=s.label)
                        for s in slices
                    ],
                }
            ],
        }
    rows = board.by_unit
    specs["units"] = {
        "kind": "bar",
        "title": _("By unit"),
        "categories": [unit_label(row) for row in rows],
        "series": [
            {
                "name": _("Problems"),
                "data": [
                    _datum(row.problems, problems_url(campaign, row.unit, own=row.own))
                    for row in rows
                ],
            },
            {
                "name": _("Problems signed off"),
                "data": [
                    _datum(
                        row.problems_signed_off,
                        problems_url(campaign, row.unit, own=row.own, status="signed_off"),
                    )
                    for row in rows
                ],
            },
            {
                "name": _("Red (overdue) measures"),
                "data": [
                    _datum(
                        row.red,
                        measures_url(campaign, row.unit, own=row.own, light=Light.RED.value),
                        itemStyle={"color": LIGHT_COLOURS[Light.RED]},
                    )
                    for row in rows
                ],
            },
        ],
    }
    specs["burndown"] = {
        "kind": "burndown",
        "title": _("Burn-down"),
        "categories": [week.start.isoformat() for week in board.burndown],
        "series": [
            {
                "name": _("Open measures"),
                "data": [
                    _datum(week.open, measures_url(campaign, node, open_on=week.end.isoformat()))
                    for week in board.burndown
                ],
            },
            {
                "name": _("Signed off in the week"),
                "data": [
                    _datum(
                        week.signed_off,
                        measures_url(
                            campaign,
                            node,
                            signed_off_from=week.start.isoformat(),
                            signed_off_to=week.end.isoformat(),
                        ),
                    )
                    for week in board.burndown
                ],
            },
        ],
    }
    return specs


def unit_label(row) -> str:
    """The by-unit row's label: the child unit, or the node with "(own)"."""
    return _("%(unit)s (own)") % {"unit": row.unit} if row.own else str(row.unit)


def tiles(board: Dashboard) -> list[dict]:
    """The headline figures: ``label``, ``value`` and the ``url`` of the list counting it
    (rates have none: each is the quotient of two linked figures beside it)."""
    campaign, node, totals = board.campaign, board.node, board.totals
    return [
        {"key": "problems", "label": _("Problems"), "value": totals.problems,
         "url": problems_url(campaign, node)},
        {"key": "measures", "label": _("Measures"), "value": totals.measures,
         "url": measures_url(campaign, node)},
        {"key": "completed", "label": _("Problems completed, awaiting sign-off"),
         "value": totals.problems_completed,
         "url": problems_url(campaign, node, status="completed")},
        {"key": "signed_off", "label": _("Problems signed off"),
         "value": totals.problems_signed_off,
         "url": problems_url(campaign, node, status="signed_off")},
        {"key": "completion_rate", "label": _("Completion rate"),
         "percent": as_percent(totals.completion_rate)},
        {"key": "sign_off_rate", "label": _("Sign-off rate"),
         "percent": as_percent(totals.sign_off_rate)},
    ]  # fmt: skip


def table(spec: dict) -> list[tuple[str, dict]]:
    """``(label, datum)`` of a one-series chart, for the table printed beside it."""
    return list(zip(spec["categories"], spec["series"][0]["data"], strict=True))


def unit_rows(board: Dashboard) -> SafeString:
    """The by-unit table's ``<tr>``: each figure links to its list, each child drills down.

    Written here rather than through template nodes (as the ledger's measure rows
    are): a county's table is some two hundred links.
    """
    campaign = board.campaign
    slug = urlencode({"campaign": campaign.slug})
    red = Light.RED.value
    html = []
    for row in board.by_unit:
        unit, own = row.unit, row.own
        label = escape(unit_label(row))
        links = (
            (problems_url(campaign, unit, own=own), row.problems),
            (problems_url(campaign, unit, own=own, status="signed_off"), row.problems_signed_off),
            (None, row.sign_off_percent),
            (measures_url(campaign, unit, own=own), row.measures),
            (measures_url(campaign, unit, own=own, status="signed_off"), row.measures_signed_off),
            (measures_url(campaign, unit, own=own, light=red), row.red),
        )
        cells = "".join(
            f'<td class="num">{escape(value)}</td>'
            if url is None
            else f'<td class="num"><a href="{escape(url)}" data-count="{value}">{value}</a></td>'
            for url, value in links
        )
        head = (
            label
            if own
            else f'<a href="?{escape(slug)}&amp;unit={unit.pk}" class="drill">{label}</a>'
        )
        own_class = ' class="own"' if own else ""
        html.append(f'<tr{own_class} data-unit="{unit.pk}"><th scope="row">{head}</th>{cells}</tr>')
    return mark_safe("\n".join(html))  # every value above is escaped
