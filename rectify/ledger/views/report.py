"""The standing report (情况通报) page and its Excel download."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.xlsx import xlsx_response
from rectify.org.models import Unit
from rectify.org.scoping import (
    VIEW,
    is_system_admin,
    scope_paths,
    units_visible_to,
)
from rectify.org.selectors import unit_breadcrumb, units_for_choice

from ..report import XLSX_OVERDUE_LIMIT, report_filename, report_workbook
from ..report import standing_report as report_of
from .common import FILTER_CHOICES


def _campaign(user, slug: str) -> Campaign | None:
    """The campaign named by ``slug`` (404 unless visible), else the user's latest one."""
    campaigns = campaigns_visible_to(user)
    return get_object_or_404(campaigns, slug=slug) if slug else campaigns.first()


def _unit(user, value: str) -> Unit | None:
    """The unit ``value`` names (404 unless visible), else the top of the user's scope."""
    if value:
        if not value.isdigit():
            raise Http404(_("No such unit."))
        return get_object_or_404(units_visible_to(user), pk=value)
    if is_system_admin(user):
        return Unit.objects.filter(parent__isnull=True).order_by("order", "path").first()
    return units_visible_to(user).filter(path__in=scope_paths(user, VIEW)).order_by("path").first()


def _report(user, campaign: Campaign, unit: Unit, **options):
    """The report, or 404 when the unit is out of the user's scope in this campaign (a
    guidance group assigned it for another campaign only)."""
    try:
        return report_of(user, campaign, unit, **options)
    except PermissionDenied:
        raise Http404(_("No such unit.")) from None


@require_GET
@login_required
def standing_report(request: HttpRequest) -> HttpResponse:
    """A campaign's standing per unit of a scope, ranked, with the overdue list; or its Excel."""
    user = request.user
    campaign = _campaign(user, request.GET.get("campaign", ""))
    unit = _unit(user, request.GET.get("unit", ""))
    context = {"campaign": campaign, "unit": unit, "campaigns": campaigns_visible_to(user)}
    if campaign is None or unit is None:
        return render(request, "ledger/standing_report.html", context)
    if request.GET.get("format") == "xlsx":
        report = _report(user, campaign, unit, overdue_limit=XLSX_OVERDUE_LIMIT)
        filename, fallback = report_filename(report)
        return xlsx_response(report_workbook(report), filename, fallback=fallback)
    units = list(units_for_choice(user, levels=2, action=VIEW, cap=FILTER_CHOICES))
    if unit.pk not in {choice.pk for choice in units}:
        units.insert(0, unit)
    context |= {
        "units": units,
        "breadcrumb": unit_breadcrumb(user, unit),
        "report": _report(user, campaign, unit),
    }
    return render(request, "ledger/standing_report.html", context)
