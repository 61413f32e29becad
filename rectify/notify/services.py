"""Putting messages into inboxes and marking them read.

Ledger services call ``notify`` (or ``notify_each`` for many measures at once)
inside their transaction, so a message exists exactly when its cause does.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Notification


def _store(rows: list[Notification]) -> list[Notification]:
    """The one place notifications are written (one INSERT, whatever their number)."""
    return Notification.objects.bulk_create(rows)


@transaction.atomic
def notify(
    recipients: Iterable,
    *,
    kind: str,
    measure=None,
    actor=None,
    text: str = "",
    data: dict | None = None,
    key: str = "",
) -> list[Notification]:
    """Put one notification into each recipient's inbox (users or user ids).

    The actor is never notified of their own action. With a ``key``, a
    recipient who already holds that key gets nothing new (idempotent).
    """
    actor_id = getattr(actor, "pk", actor)
    ids = {getattr(r, "pk", r) for r in recipients} - {actor_id, None}
    if key:
        ids -= set(
            Notification.objects.filter(recipient__in=ids, key=key).values_list(
                "recipient_id", flat=True
            )
        )
    rows = [
        Notification(
            recipient_id=uid,
            kind=kind,
            measure=measure,
            actor_id=actor_id,
            text=text,
            data=data or {},
            key=key,
        )
        for uid in sorted(ids)
    ]
    return _store(rows)


@transaction.atomic
def notify_each(
    pairs: Iterable[tuple[int, int]],
    *,
    kind: str,
    actor=None,
    text: str = "",
    data: dict | None = None,
) -> list[Notification]:
    """One notification per ``(measure id, user id)`` pair, in one INSERT (batch urging).

    As with :func:`notify`, the actor is left out, and a user named twice for
    the same measure hears of it once.
    """
    actor_id = getattr(actor, "pk", actor)
    unique = sorted({(m, u) for m, u in pairs if u is not None and u != actor_id})
    rows = [
        Notification(
            recipient_id=uid,
            kind=kind,
            measure_id=mid,
            actor_id=actor_id,
            text=text,
            data=data or {},
        )
        for mid, uid in unique
    ]
    return _store(rows)


@transaction.atomic
def notification_mark_read(*, notification: Notification, acting_user) -> Notification:
    """Mark one of the acting user's notifications read (reading it twice changes nothing)."""
    if notification.recipient_id != acting_user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        now = timezone.now()
        # The guard on read_at keeps the first reading's time if two tabs race.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notifications_mark_all_read(*, acting_user) -> int:
    """Mark every unread notification of the acting user read; returns how many."""
    return Notification.objects.filter(recipient=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
