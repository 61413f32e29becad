"""Putting messages into inboxes and marking them read.

Ledger services call ``notify`` (or ``notify_each`` for many measures at once)
inside their transaction, so a message exists exactly when its cause does.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Delivery, DeliveryKind, Notification, NotificationKind

logger = logging.getLogger(__name__)

#: What is also mailed at once, not only shown in the inbox: a person pressed, refused or
#: answered. Reminders and digests are mailed by the daily run.
MAILED_AT_ONCE = (
    NotificationKind.URGE,
    NotificationKind.SEND_BACK,
    NotificationKind.REOPEN,
    NotificationKind.EXTENSION_REQUESTED,
    NotificationKind.EXTENSION_DECIDED,
)


def contacts(user_ids: Iterable[int] | None = None) -> dict[int, tuple[str, str]]:
    """``user id → (email or "", language)`` of active logins (all, or ``user_ids``); one query.

    The person's address and language win over the login's; a deleted person's
    login keeps its own address and the site language.
    """
    users = get_user_model().objects.filter(is_active=True)
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    rows = users.values_list(
        "pk", "email", "person__email", "person__language", "person__deleted_at"
    )
    found = {}
    for pk, user_email, person_email, language, deleted in rows.iterator(chunk_size=5000):
        alive = language is not None and deleted is None
        email = (person_email if alive and person_email else user_email) or ""
        found[pk] = (email, language if alive else settings.LANGUAGE_CODE)
    return found


def _send_soon() -> None:
    """Ask the task worker to send what was just queued; the daily run retries if it cannot."""
    from .tasks import retry_deliveries

    try:
        retry_deliveries.enqueue()
    except Exception:  # a message must never undo the decision that caused it
        logger.exception("Could not enqueue the delivery of new notifications")


def _store(rows: list[Notification]) -> list[Notification]:
    """The one place notifications are written (one INSERT, whatever their number).

    Those worth an email at once get an email delivery for each recipient with
    an address, sent by the task worker after the transaction commits.
    """
    created = Notification.objects.bulk_create(rows)
    mailed = [n for n in created if n.kind in MAILED_AT_ONCE]
    if not mailed:
        return created
    addresses = contacts({n.recipient_id for n in mailed})
    deliveries = [
        Delivery(
            kind=DeliveryKind.EMAIL,
            notification=n,
            target=addresses[n.recipient_id][0],
            language=addresses[n.recipient_id][1],
            key=f"email:{n.pk}",
        )
        for n in mailed
        if addresses.get(n.recipient_id, ("", ""))[0]
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        transaction.on_commit(_send_soon)
    return created


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
