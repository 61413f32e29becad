"""Throttling per token (or per login for session requests)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Counts requests per API token; a browser session counts per user.

    The rate is ``settings.RECTIFY_API_RATE`` (``"600/min"``), read on each request so that
    a deployment (or a test) may change it. Counts live in Django's cache: a deployment with
    several processes configures a shared cache (``CACHES``) so that they count together.
    """

    scope = "token"

    def get_rate(self) -> str | None:
        return settings.RECTIFY_API_RATE or None

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"t{request.auth.pk}"}
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"u{request.user.pk}"}
        return None  # Anonymous requests are refused by the permission check anyway.
