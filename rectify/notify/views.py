"""The inbox: one user's notifications, opened, marked read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rectify.core.pagination import paginate

from . import services
from .models import Notification
from .rendering import render as render_notification
from .rendering import sender_name
from .selectors import inbox_of

PER_PAGE = 30


def _own(request: HttpRequest, pk: int) -> Notification:
    """One of the user's own notifications; another user's is 404, like a missing one."""
    return get_object_or_404(inbox_of(request.user), pk=pk)


def _back(request: HttpRequest) -> str:
    """Where a form came from (a page of the inbox), or the inbox."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notify:inbox")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; ``?show=unread`` keeps the unread ones."""
    unread_only = request.GET.get("show") == "unread"
    page_obj = paginate(request, inbox_of(request.user, unread_only=unread_only), PER_PAGE)
    items = [
        {"notification": n, "text": render_notification(n), "sender": sender_name(n)}
        for n in page_obj
    ]
    context = {"page_obj": page_obj, "items": items, "unread_only": unread_only}
    return render(request, "notify/inbox.html", context)


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    notification = _own(request, pk)
    services.notification_mark_read(notification=notification, acting_user=request.user)
    return redirect(render_notification(notification).url)


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and return to the inbox."""
    services.notification_mark_read(notification=_own(request, pk), acting_user=request.user)
    return redirect(_back(request))


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification of the user read."""
    count = services.notifications_mark_all_read(acting_user=request.user)
    messages.success(
        request,
        ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.", count)
        % {"n": count},
    )
    return redirect(_back(request))
