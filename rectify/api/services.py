"""Every write of the api app: creating, revoking and using personal API tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.org.scoping import is_system_admin

from .models import ApiToken

#: Keys start with this marker, so that a leaked one is recognisable (secret scanners).
KEY_MARKER = "rfy_"
#: Characters of the key kept in clear for display.
PREFIX_LENGTH = 12
#: ``last_used_at`` is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


def key_hash(key: str) -> str:
    """The SHA-256 (hex) under which a key is stored and looked up."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token just created, with its key in clear: the only time anyone sees it."""

    token: ApiToken
    key: str


@transaction.atomic
def token_create(*, owner, name: str, expires_at=None, acting_user) -> IssuedToken:
    """Create a personal token for ``owner``; the returned key is never shown again."""
    if acting_user.pk != owner.pk:
        raise PermissionDenied(_("You may create tokens for yourself only."))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Name the token (what it is for).")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("At most %(n)d characters.") % {"n": NAME_MAX_LENGTH}
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    if errors:
        raise ValidationError(errors)
    key = KEY_MARKER + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=owner,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=key_hash(key),
        expires_at=expires_at,
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, token: ApiToken, acting_user) -> ApiToken:
    """Revoke ``token`` at once: its owner, or a system administrator (twice keeps the first)."""
    if acting_user.pk != token.owner_id and not is_system_admin(acting_user):
        raise PermissionDenied(_("You may revoke your own tokens only."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(key: str) -> ApiToken | None:
    """The active token whose key is ``key`` (with its owner), or ``None``; records its use."""
    if not key or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("owner").filter(key_hash=key_hash(key)).first()
    now = timezone.now()
    if token is None or not token.is_active(now) or not token.owner.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # An UPDATE without reading back: concurrent requests may both write, harmlessly.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
