"""Shared write helpers: optimistic locking, soft delete and history attribution."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _


class StaleEditError(ValidationError):
    """Someone else saved the object after this edit started."""


def claim_version(instance: models.Model, *, expected_version: int | None) -> None:
    """Bump ``instance.version`` in the database if it still equals ``expected_version``.

    Raises :class:`StaleEditError` when another save got there first. Runs
    inside the caller's transaction, so a refused edit writes nothing.
    """
    if expected_version is None:
        expected_version = instance.version
    manager = type(instance)._base_manager
    claimed = manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleEditError(
            _(
                "Someone else changed this item after you opened it. "
                "Nothing was saved: reload the page to see their change, then edit again."
            ),
            code="stale",
        )
    instance.version = expected_version + 1


#: django-simple-history stores a change's reason in 100 characters.
HISTORY_REASON_MAX = 100


def history_reason(reason: str) -> str:
    """``reason`` cut to what the history table holds (a long one ends with "…")."""
    reason = reason or ""
    if len(reason) <= HISTORY_REASON_MAX:
        return reason
    return reason[: HISTORY_REASON_MAX - 1] + "…"


def attribute_history(instance: models.Model, *, acting_user, reason: str = "") -> None:
    """Tell django-simple-history who made the next save and why."""
    instance._history_user = acting_user if getattr(acting_user, "pk", None) else None
    instance._change_reason = history_reason(reason)


def soft_delete(instance: models.Model, *, acting_user, reason: str = "", at=None) -> None:
    """Mark ``instance`` deleted (at ``at``, default now); its history records who and why.

    Rows deleted together share one ``at``, so that a restore can find them again.
    """
    instance.deleted_at = at or timezone.now()
    attribute_history(instance, acting_user=acting_user, reason=reason)
    instance.save()


def restore(instance: models.Model, *, acting_user, reason: str = "") -> None:
    """Undo a soft delete."""
    instance.deleted_at = None
    attribute_history(instance, acting_user=acting_user, reason=reason)
    instance.save()
