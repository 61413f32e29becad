"""Reads of the inbox: always one user's own notifications."""

from django.db.models import QuerySet

from .models import Notification

#: The header badge counts this far and then shows "99+".
BADGE_CAP = 99


def inbox_of(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what rendering them reads."""
    notifications = Notification.objects.filter(recipient=user).select_related(
        "measure", "actor__person"
    )
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_count(user, *, cap: int | None = None) -> int:
    """How many of the user's notifications are unread; with ``cap``, counted up to ``cap + 1``."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if cap is None:
        return unread.count()
    return unread.values("pk")[: cap + 1].count()
