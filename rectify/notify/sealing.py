"""Encryption at rest of what a group robot needs: its address (the token is in it) and secret.

Values are sealed with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``)
under a key derived from ``SECRET_KEY``; keys derived from ``SECRET_KEY_FALLBACKS``
still open older values, so rotating the secret key the Django way keeps every
channel working. A database dump alone reveals no robot address or secret.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_PURPOSE = b"rectify.notify.channel"


class UnsealError(Exception):
    """A sealed value cannot be opened (the secret key changed without a fallback)."""


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(_PURPOSE + b"\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets])


def seal(value: str) -> str:
    """``value`` encrypted and authenticated, as text; the empty string stays empty."""
    if not value:
        return ""
    return _keys().encrypt(value.encode()).decode()


def unseal(token: str) -> str:
    """The value :func:`seal` sealed; raises :class:`UnsealError` if it cannot be opened."""
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnsealError("sealed value cannot be opened with the current secret keys") from None
