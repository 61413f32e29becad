"""Pages where a unit's administrators manage its group robots (群机器人)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.core.forms import add_service_error
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit, editable_by, units_visible_to

from . import channels
from .channel_forms import ChannelForm
from .models import Channel, Delivery

#: Recent deliveries shown under a unit's robots.
RECENT_DELIVERIES = 10


def _administered_unit(request: HttpRequest, pk: int) -> Unit:
    """404 when the unit is unseen, 403 when only seen."""
    unit = get_object_or_404(units_visible_to(request.user), pk=pk)
    if not can_change_unit(request.user, unit):
        raise PermissionDenied
    return unit


def _administered_channel(request: HttpRequest, pk: int) -> Channel:
    """A robot of a unit the user administers; any other is 404, like a missing one."""
    channels = editable_by(Channel.objects.select_related("unit"), request.user)
    return get_object_or_404(channels, pk=pk)


def _list_url(unit_id: int) -> str:
    return reverse("channels:list", args=[unit_id])


@login_required
def channel_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's robots and their latest deliveries."""
    unit = _administered_unit(request, pk)
    robots = Channel.objects.filter(unit=unit).order_by("-is_active", "name", "pk")
    deliveries = (
        Delivery.objects.filter(channel__unit=unit)
        .select_related("channel")
        .order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
    )
    return render(
        request,
        "notify/channel_list.html",
        {"unit": unit, "channels": robots, "deliveries": deliveries},
    )


def _form_page(request, form, *, title: str, unit: Unit, channel=None) -> HttpResponse:
    return render(
        request,
        "notify/channel_form.html",
        {"form": form, "title": title, "unit": unit, "channel": channel},
    )


@login_required
def channel_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a robot to unit ``pk``."""
    unit = _administered_unit(request, pk)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = channels.channel_create(
                unit=unit,
                kind=data["kind"],
                name=data["name"],
                url=data["url"],
                secret=data["secret"],
                language=data["language"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Channel “%(name)s” added.") % {"name": channel.name})
            return redirect(_list_url(unit.pk))
    title = _("New group robot for “%(unit)s”") % {"unit": unit}
    return _form_page(request, form, title=title, unit=unit)


@login_required
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a robot; a blank address or secret keeps the stored one."""
    channel = _administered_channel(request, pk)
    form = ChannelForm(request.POST or None, channel=channel)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channels.channel_update(
                channel=channel,
                expected_version=data["version"],
                acting_user=request.user,
                name=data["name"],
                kind=data["kind"],
                language=data["language"],
                is_active=data["is_active"],
                url=data["url"],
                secret=data["secret"],
                clear_secret=data.get("clear_secret", False),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Channel “%(name)s” saved.") % {"name": channel.name})
            return redirect(_list_url(channel.unit_id))
    title = _("Edit “%(name)s”") % {"name": channel.name}
    return _form_page(request, form, title=title, unit=channel.unit, channel=channel)


@require_POST
@login_required
def channel_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a robot off, or on again."""
    channel = _administered_channel(request, pk)
    active = request.POST.get("active") == "1"
    channels.channel_set_active(channel=channel, active=active, acting_user=request.user)
    if active:
        messages.success(request, _("Channel “%(name)s” is on.") % {"name": channel.name})
    else:
        messages.success(request, _("Channel “%(name)s” is off.") % {"name": channel.name})
    return redirect(_list_url(channel.unit_id))


@require_POST
@login_required
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a test message through the robot now and say whether it arrived."""
    channel = _administered_channel(request, pk)
    try:
        channels.channel_send_test(channel=channel, acting_user=request.user)
    except channels.DeliveryError as exc:
        messages.error(
            request,
            _("The test message to “%(name)s” failed: %(error)s")
            % {"name": channel.name, "error": exc},
        )
    else:
        messages.success(
            request, _("A test message was sent to “%(name)s”.") % {"name": channel.name}
        )
    return redirect(_list_url(channel.unit_id))
