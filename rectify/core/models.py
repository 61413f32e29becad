"""Base model mixins every ledger object shares: timestamps, soft delete, version."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Records when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AliveQuerySet(models.QuerySet):
    """Queryset that knows about soft deletion."""

    def alive(self):
        """Rows not soft-deleted."""
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        """Rows soft-deleted, for an administrator to restore."""
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(AliveQuerySet)):
    """Default manager: hides soft-deleted rows."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    """A row that users never hard-delete; an administrator can restore it.

    ``objects`` hides deleted rows, ``all_objects`` shows them.
    """

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = models.Manager.from_queryset(AliveQuerySet)()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        """True once soft-deleted."""
        return self.deleted_at is not None


class VersionedModel(models.Model):
    """Optimistic locking: every save through a service bumps ``version``."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True
