"""Dashboard pages: views that combine stages, reading through their selectors."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from rectify.inspection.views.gaps import out_of_scope_is_404, scope_context
from rectify.ledger.lights import Light

from .charts import PALETTE, charts, table, tiles, unit_rows
from .exports import dashboard_workbook
from .links import measures_url
from .selectors import dashboard, pipeline

#: The charts printed with a table of their figures beside them: ``(chart, the table's first
#: column heading)``; targets take the grid's whole width.
TABLED = (
    ("lights", _("Light")),
    ("statuses", _("Status")),
    ("targets", _("Target")),
    ("sources", _("Source")),
    ("levels", _("Level")),
    ("kinds", _("Kind")),
)
WIDE = {"targets"}


def panels(specs: dict) -> list[dict]:
    """The tabled charts' panels: chart id, title, table heading and rows, width."""
    return [
        {
            "key": key,
            "title": specs[key]["title"],
            "what": what,
            "rows": table(specs[key]),
            "wide": key in WIDE,
        }
        for key, what in TABLED
    ]


@login_required
@out_of_scope_is_404
def pipeline_page(request: HttpRequest) -> HttpResponse:
    """The study → research → inspection → rectification funnel per unit of a scope."""
    context, campaign, node = scope_context(request)
    if node is not None:
        context["pipeline"] = pipeline(request.user, campaign, node)
    return render(request, "dashboard/pipeline.html", context)


@require_GET
@login_required
@out_of_scope_is_404
def campaign_dashboard(request: HttpRequest) -> HttpResponse:
    """The campaign at a glance over a unit's subtree: totals, lights, breakdowns, units
    (drilling down to any depth), the burn-down, the units pressed most, study and
    satisfaction; every figure links to the list that counts it."""
    context, campaign, node = scope_context(request)
    if node is not None:
        board = dashboard(request.user, campaign, node)
        specs = charts(board)
        context |= {
            "board": board,
            "charts": specs,
            "palette": PALETTE,
            "tiles": tiles(board),
            "panels": panels(specs),
            "unit_rows": unit_rows(board),
            "links": {
                "red": measures_url(campaign, node, light=Light.RED.value),
                "urged": measures_url(campaign, node, urged="true"),
                "extended": measures_url(campaign, node, extended="true"),
                "coverage": f"{reverse('study:coverage')}?"
                + urlencode({"campaign": campaign.slug, "unit": node.pk}),
            },
        }
    return render(request, "dashboard/campaign.html", context)


@require_GET
@login_required
@out_of_scope_is_404
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as one Excel workbook (one sheet per table)."""
    _context, campaign, node = scope_context(request)
    if node is None:
        raise Http404
    return dashboard_workbook(dashboard(request.user, campaign, node))
