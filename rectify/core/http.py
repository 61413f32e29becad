"""Facts about the client of a request that the public pages need."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind a reverse proxy the header it sets.

    ``RECTIFY_CLIENT_ADDRESS_HEADER`` names that header as Django sees it
    (``HTTP_X_REAL_IP`` for ``X-Real-IP``). Set it only behind a proxy that
    overwrites the header, or any client could choose its own address. For a
    list (``X-Forwarded-For``), the last entry is the one the proxy added.
    """
    header = settings.RECTIFY_CLIENT_ADDRESS_HEADER
    value = request.META.get(header, "") if header else ""
    if value:
        return value.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
