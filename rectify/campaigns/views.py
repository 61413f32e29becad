"""Pages of campaigns, their targets and phases."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rectify.core.forms import add_service_error
from rectify.core.pagination import paginate
from rectify.org.scoping import CHANGE, can_change_unit, is_system_admin, scope_paths

from . import services
from .forms import (
    CampaignCreateForm,
    CampaignEditForm,
    GuidanceAssignForm,
    PhaseForm,
    TargetForm,
)
from .models import Campaign
from .selectors import assignments_of_campaign, assignments_of_group, campaigns_visible_to


def _may_create(user) -> bool:
    return is_system_admin(user) or bool(scope_paths(user, CHANGE))


def _visible_campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign, or 404 when it is missing or the user takes no part in it."""
    return get_object_or_404(
        campaigns_visible_to(request.user).select_related("organizer"), slug=slug
    )


def _editable_campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign when the user administers its organizer; 404 unseen, 403 only seen."""
    campaign = _visible_campaign(request, slug)
    if not can_change_unit(request.user, campaign.organizer):
        raise PermissionDenied
    return campaign


def _form_page(request, form, *, title: str, cancel_url: str) -> HttpResponse:
    return render(
        request, "campaigns/form.html", {"form": form, "title": title, "cancel_url": cancel_url}
    )


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The campaigns the user organizes, takes part in or answers for."""
    campaigns = campaigns_visible_to(request.user).select_related("organizer")
    return render(
        request,
        "campaigns/campaign_list.html",
        {"page_obj": paginate(request, campaigns), "may_create": _may_create(request.user)},
    )


@login_required
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A campaign: requirement, task, dates, participating units, phases and targets."""
    campaign = _visible_campaign(request, slug)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "participating_units": campaign.participating_units.order_by("path"),
            "phases": campaign.phases.all(),
            "targets": campaign.targets.all(),
            "assignments": assignments_of_campaign(campaign),
            "can_change": can_change_unit(request.user, campaign.organizer),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    """A new campaign, from the built-in template or from scratch."""
    if not _may_create(request.user):
        raise PermissionDenied
    form = CampaignCreateForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Campaign “%(name)s” created.") % {"name": campaign})
            return redirect(campaign)
    return _form_page(request, form, title=_("New campaign"), cancel_url=reverse("campaigns:list"))


@login_required
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Change a campaign's own fields and participating units."""
    campaign = _editable_campaign(request, slug)
    title = _("Edit “%(name)s”") % {"name": campaign}
    form = CampaignEditForm(request.POST or None, instance=campaign, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                campaign=campaign, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect(campaign)
    return _form_page(request, form, title=title, cancel_url=campaign.get_absolute_url())


@login_required
def target_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add a target to a campaign (no ``pk``) or change target ``pk``."""
    campaign = _editable_campaign(request, slug)
    target = get_object_or_404(campaign.targets, pk=pk) if pk else None
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_save(
                campaign=campaign, target=target, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect(campaign)
    title = _("Edit target") if target else _("New target")
    return _form_page(request, form, title=title, cancel_url=campaign.get_absolute_url())


@login_required
def phase_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add a phase to a campaign (no ``pk``) or change phase ``pk``."""
    campaign = _editable_campaign(request, slug)
    phase = get_object_or_404(campaign.phases, pk=pk) if pk else None
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_save(
                campaign=campaign, phase=phase, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Phase saved."))
            return redirect(campaign)
    title = _("Edit phase") if phase else _("New phase")
    return _form_page(request, form, title=title, cancel_url=campaign.get_absolute_url())


@login_required
def guidance_assign(request: HttpRequest, slug: str) -> HttpResponse:
    """Assign a guidance group units of the campaign (administrators of the organizer)."""
    campaign = _editable_campaign(request, slug)
    initial = {}
    group_pk = request.GET.get("group", "")
    if group_pk.isdigit():
        # "Change units" of an assigned group starts from its current units.
        current = campaign.guidance_assignments.filter(group_id=group_pk).first()
        initial = {"group": group_pk, "units": list(current.units.all()) if current else []}
    form = GuidanceAssignForm(
        request.POST or None, campaign=campaign, acting_user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.guidance_assign(
                campaign=campaign, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Units assigned to “%(group)s”.") % {"group": assignment.group}
            )
            return redirect(campaign)
    title = _("Assign a guidance group on “%(name)s”") % {"name": campaign}
    return _form_page(request, form, title=title, cancel_url=campaign.get_absolute_url())


def guidance_group_section(request: HttpRequest, group) -> tuple[str, dict]:
    """The part of a guidance group's page that lists its assignments per campaign."""
    return (
        "campaigns/partials/group_assignments.html",
        {"assignments": assignments_of_group(request.user, group)},
    )
