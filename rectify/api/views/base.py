"""What every API viewset shares: querysets from the scoped selectors, filters, ordering."""

from django.db.models import QuerySet
from rest_framework import viewsets

from ..filters import ScopedFilterBackend, StableOrderingFilter


class ScopedViewSet(viewsets.GenericViewSet):
    """A viewset whose every row comes from a scoped selector (``scoped_queryset``).

    Lists and details read the same queryset, so a forged id of another unit's object
    answers 404, exactly as a missing one.
    """

    filter_backends = [ScopedFilterBackend, StableOrderingFilter]
    ordering = ["id"]

    def scoped_queryset(self, user) -> QuerySet:
        """The rows ``user`` may see, joined for the serializer (no per-row queries)."""
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return self.scoped_queryset(self.request.user)

    def prepare(self, rows: list) -> list:
        """Attach per-page figures to ``rows`` before they are serialized (a few queries)."""
        return rows

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else self.prepare(list(page))

    def get_object(self):
        obj = super().get_object()
        self.prepare([obj])
        return obj


class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet, ScopedViewSet):
    """List and detail of a scoped resource."""
