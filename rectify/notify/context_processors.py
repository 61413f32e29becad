"""The header's inbox badge."""

from django.utils.functional import cached_property

from .selectors import BADGE_CAP, unread_count


class InboxBadge:
    """The unread count of the request's user, queried only if a template reads it."""

    def __init__(self, request):
        self._request = request

    @cached_property
    def unread(self) -> int:
        """Unread notifications, counted up to one past :data:`BADGE_CAP` (one bounded query)."""
        user = getattr(self._request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return 0
        return unread_count(user, cap=BADGE_CAP)

    @property
    def badge(self) -> str:
        """The count as the header shows it: "99+" above 99, "" when nothing is unread."""
        n = self.unread
        if not n:
            return ""
        return f"{BADGE_CAP}+" if n > BADGE_CAP else str(n)


def inbox(request) -> dict:
    """``inbox``: the lazy :class:`InboxBadge` of this request."""
    return {"inbox": InboxBadge(request)}
