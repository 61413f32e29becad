"""Dashboard pages: views that combine stages, reading through their selectors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.inspection.selectors.gaps import campaign_for, node_for, scope_breadcrumb
from rectify.inspection.views.gaps import out_of_scope_is_404

from .selectors import pipeline


@login_required
@out_of_scope_is_404
def pipeline_page(request: HttpRequest) -> HttpResponse:
    """The study → research → inspection → rectification funnel per unit of a scope."""
    user = request.user
    campaign = campaign_for(user, request.GET.get("campaign", ""))
    context = {"campaign": campaign, "campaigns": campaigns_visible_to(user)}
    if campaign is not None:
        node, roots = node_for(user, campaign, request.GET.get("unit", ""))
        context |= {"node": node, "roots": roots}
        if node is not None:
            context |= {
                "pipeline": pipeline(user, campaign, node),
                "breadcrumb": scope_breadcrumb(user, campaign, node),
            }
    return render(request, "dashboard/pipeline.html", context)
