"""Pagination that never counts a million rows for a page of fifty."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

#: Lists count at most this many rows; beyond it they show "10000+" and ask for filters.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at :data:`COUNT_CAP` (one bounded query)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # values("pk") keeps the count's subquery to the WHERE clause: no joins for
        # select_related, no annotated columns computed for rows nobody shows.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        """True when there are more rows than were counted."""
        return self.count > self.cap


def paginate(request, queryset, per_page: int = 50):
    """The requested page of ``queryset`` (bad page numbers fall back to the nearest page)."""
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))
