"""The gap matrix (对照目标找差距) page and the per-target page beneath it."""

from functools import wraps
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign, Target
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.ledger.filters import NOT_SIGNED_OFF
from rectify.ledger.models import ProblemStatus
from rectify.org.models import Unit

from ..models import FindingStatus
from ..selectors.gaps import (
    GapMatrix,
    GapRow,
    campaign_among,
    gap_matrix,
    node_for,
    scope_breadcrumb,
    target_gaps,
)


def out_of_scope_is_404(view):
    """Answer 404 where a selector refuses a campaign or unit the user may not read: the
    same answer as for one that does not exist."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            raise Http404(_("No such campaign or unit.")) from None

    return wrapped


def scope_context(request: HttpRequest) -> tuple[dict, Campaign | None, Unit | None]:
    """``(context, campaign, node)`` of a page over a campaign and a unit's subtree, chosen by
    ``?campaign=`` and ``?unit=`` (else the user's latest campaign and first scope root).

    The context holds what the pickers and the breadcrumb show; ``node`` is
    ``None`` when there is nothing to show. :class:`PermissionDenied` (a 404 under
    :func:`out_of_scope_is_404`) for a campaign or unit out of the user's scope.
    """
    user = request.user
    campaigns = list(campaigns_visible_to(user))
    campaign = campaign_among(campaigns, request.GET.get("campaign", ""))
    context = {"campaign": campaign, "campaigns": campaigns}
    node = None
    if campaign is not None:
        node, roots = node_for(user, campaign, request.GET.get("unit", ""))
        context |= {"node": node, "roots": roots}
        if node is not None:
            # Above one of the user's scope roots there is nothing they may read here.
            above = node not in roots
            context["breadcrumb"] = scope_breadcrumb(user, campaign, node) if above else []
    return context, campaign, node


@login_required
@out_of_scope_is_404
def gap_matrix_page(request: HttpRequest) -> HttpResponse:
    """A campaign's unit × target matrix of open and signed-off problems over a scope."""
    context, campaign, node = scope_context(request)
    if node is not None:
        matrix = gap_matrix(request.user, campaign, node)
        context |= {
            "matrix": matrix,
            "rows": _with_links(matrix, campaign.slug),
            "slug": quote(campaign.slug),
        }
    return render(request, "inspection/gaps_matrix.html", context)


def _with_links(matrix: GapMatrix, slug: str) -> list[GapRow]:
    """The matrix's rows and its total, each cell given the problem-list links of its two
    counts (the own row's lists leave out the units below; the total's take them all).

    Built here rather than in the template: there, a county's hundred-odd cells
    building two links each took longer than the county's queries.
    """
    problems = reverse("ledger:problem-list")
    rows = [*matrix.rows, matrix.total]
    for row in rows:
        query = {"campaign": slug, "unit": (row.unit or matrix.node).pk}
        if row.own:
            query["below"] = "false"
        for cell in row.cells:
            base = f"{problems}?{urlencode({**query, 'target': cell.target.pk})}"
            cell.open_href = f"{base}&status={NOT_SIGNED_OFF}"
            cell.signed_href = f"{base}&status={ProblemStatus.SIGNED_OFF}"
    return rows


@login_required
@out_of_scope_is_404
def gap_target_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The findings, by status, and the problems against one target in a scope."""
    user = request.user
    target = get_object_or_404(
        Target.objects.select_related("campaign"), pk=pk, campaign__in=campaigns_visible_to(user)
    )
    node, _roots = node_for(user, target.campaign, request.GET.get("unit", ""))
    if node is None:
        raise PermissionDenied
    gaps = target_gaps(user, target, node)
    context = {
        "campaign": target.campaign,
        "target": target,
        "node": node,
        "gaps": gaps,
        "not_signed_off": NOT_SIGNED_OFF,
        "finding_statuses": [
            (status.value, status.label, gaps.finding_counts[status]) for status in FindingStatus
        ],
        "breadcrumb": scope_breadcrumb(user, target.campaign, node),
    }
    return render(request, "inspection/gaps_target.html", context)
