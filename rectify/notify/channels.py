"""Delivery channels: email, and the group robots of WeCom, DingTalk and Feishu.

Each sender raises :class:`DeliveryError` when a message did not arrive; its
text is safe to store and show: it never holds a secret, a robot's address or
the signed query (every error goes through :func:`_scrub`). A platform's own
error answer (``errcode`` / ``code`` other than 0) is a failure too.

The services at the end write a unit's robot settings; the address (which
carries the robot's token) and the signing secret are sealed at rest and
never shown again.
"""

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from rectify.core.services import attribute_history, claim_version
from rectify.org.scoping import can_change_unit

from .models import Channel, ChannelKind
from .sealing import UnsealError, seal, unseal

logger = logging.getLogger(__name__)

#: Seconds to wait for a robot's answer: a slow platform must not hold up the run.
TIMEOUT = 5
MAX_URL_LENGTH = 1000
MAX_SECRET_LENGTH = 200
#: The largest answer read from a robot (its answers are a few dozen bytes).
MAX_ANSWER_BYTES = 64 * 1024
#: WeCom refuses text longer than 2048 bytes; the others allow more, but a digest is short.
MAX_TEXT_BYTES = 2000


class DeliveryError(Exception):
    """A message did not arrive; ``str(error)`` is safe to store and to show."""


@dataclass(frozen=True)
class Message:
    """What a channel sends: a title, a plain-text body and an absolute link (or none)."""

    title: str
    body: str
    link: str = ""

    def text(self) -> str:
        """Title, body and link as one plain text."""
        return "\n".join(part for part in (self.title, self.body, self.link) if part)


def absolute_link(path: str) -> str:
    """``path`` under ``settings.RECTIFY_SITE_URL``; empty when no site address is set."""
    site = getattr(settings, "RECTIFY_SITE_URL", "")
    return f"{site}{path}" if site and path else ""


# ── webhook address validation ───────────────────────────────────────────


def validate_webhook_url(url: str) -> str:
    """The robot address, cleaned; raises ``ValidationError`` with a message for the field.

    https only, or plain http to a host an administrator allow-listed in
    ``RECTIFY_WEBHOOK_HTTP_HOSTS``; no credentials in the address, nothing
    but a web address, nothing overlong.
    """
    url = (url or "").strip()
    if not url:
        raise ValidationError(_("Enter the robot's webhook address."), code="required")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(
            _("The address is too long (at most %(max)d characters).") % {"max": MAX_URL_LENGTH},
            code="too_long",
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValidationError(_("The address may not contain spaces."), code="invalid")
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise ValidationError(_("This is not a valid web address."), code="invalid") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError(_("Only https:// addresses are accepted."), code="scheme")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(
            _("The address may not contain a user name or password."), code="credentials"
        )
    if not host:
        raise ValidationError(_("The address has no host name."), code="invalid")
    allowed = {h.lower() for h in getattr(settings, "RECTIFY_WEBHOOK_HTTP_HOSTS", [])}
    if scheme == "http" and host.lower() not in allowed:
        raise ValidationError(
            _(
                "Plain http is refused for “%(host)s”: use https, or ask the system "
                "administrator to allow this host."
            )
            % {"host": host},
            code="insecure",
        )
    return url


def url_hint(url: str) -> str:
    """The address with its token masked, for pages: the host and path stay recognizable."""
    parts = urllib.parse.urlsplit(url)

    def mask(value: str) -> str:
        return f"…{value[-4:]}" if len(value) > 8 else "…"

    segments = [mask(s) if len(s) > 16 else s for s in parts.path.split("/")]
    query = "&".join(
        f"{name}={mask(value)}"
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    hint = f"{parts.scheme}://{parts.netloc}{'/'.join(segments)}"
    return f"{hint}?{query}" if query else hint


# ── senders ──────────────────────────────────────────────────────────────


def send_email(message: Message, address: str, *, connection=None) -> None:
    """Send ``message`` to ``address`` with Django's mail settings."""
    email = EmailMessage(
        subject=message.title.replace("\n", " ")[:200],
        body="\n\n".join(part for part in (message.body, message.link) if part),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=connection,
    )
    try:
        sent = email.send()
    except Exception as exc:  # SMTP, socket and backend errors alike
        raise DeliveryError(_scrub(f"{type(exc).__name__}: {exc}", address)[:500]) from None
    if not sent:
        raise DeliveryError("the mail backend sent nothing")


def _clip(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes without splitting a character."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64 of HMAC-SHA256(secret, "timestamp\\nsecret")."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64 of HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def build_request(kind: str, url: str, secret: str, message: Message, *, now: float | None = None):
    """``(url, payload)`` of ``message`` for a robot of platform ``kind``, signed when a
    secret is given."""
    now = time.time() if now is None else now
    text = _clip(message.text())
    if kind == ChannelKind.WECOM:
        return url, {"msgtype": "text", "text": {"content": text}}
    if kind == ChannelKind.DINGTALK:
        if secret:
            timestamp = int(now * 1000)
            query = urllib.parse.urlencode(
                {"timestamp": timestamp, "sign": dingtalk_sign(secret, timestamp)}
            )
            url = f"{url}{'&' if urllib.parse.urlsplit(url).query else '?'}{query}"
        return url, {"msgtype": "text", "text": {"content": text}}
    if kind == ChannelKind.FEISHU:
        payload = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = int(now)
            payload = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp)} | (
                payload
            )
        return url, payload
    raise ValueError(kind)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot answers where it is asked; a redirect would carry the message elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _scrub(text: str, *secrets: str) -> str:
    """``text`` with every secret (and every part of a secret address) replaced by "…"."""
    pieces = set()
    for secret in secrets:
        if not secret:
            continue
        pieces.add(secret)
        parts = urllib.parse.urlsplit(secret) if "://" in secret else None
        if parts is not None:
            pieces.add(parts.query)
            pieces.add(parts.path)
            # A token may be a path segment (Feishu's hook id): hide it on its own too.
            pieces.update(segment for segment in parts.path.split("/") if len(segment) > 16)
            values = [v for _k, v in urllib.parse.parse_qsl(parts.query)]
            pieces.update(values)
            pieces.update(urllib.parse.quote_plus(v) for v in values)
    for piece in sorted((p for p in pieces if len(p) >= 4), key=len, reverse=True):
        text = text.replace(piece, "…")
    return text


def _platform_error(kind: str, answer: dict) -> str | None:
    """The platform's own refusal in an HTTP 200 answer, or ``None`` when it accepted."""
    if kind in (ChannelKind.WECOM, ChannelKind.DINGTALK):
        code, words = answer.get("errcode", 0), answer.get("errmsg", "")
    else:
        code = answer.get("code", answer.get("StatusCode", 0))
        words = answer.get("msg", answer.get("StatusMessage", ""))
    if code in (0, "0", None):
        return None
    return f"platform error {code}: {str(words)[:200]}"


def send_webhook(kind: str, url: str, secret: str, message: Message, *, timeout=TIMEOUT) -> None:
    """POST ``message`` to a robot; raises :class:`DeliveryError` unless it was accepted."""
    target, payload = build_request(kind, url, secret, message)
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        target,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            raw = response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        reason = getattr(exc, "reason", exc)
        words = f"connection failed: {type(reason).__name__}: {reason}"
        raise DeliveryError(_scrub(words, url, target, secret)[:300]) from None
    except (TimeoutError, OSError) as exc:
        words = f"connection failed: {type(exc).__name__}: {exc}"
        raise DeliveryError(_scrub(words, url, target, secret)[:300]) from None
    try:
        answer = json.loads(raw.decode() or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        # The platforms answer JSON; a relay on a closed network may answer nothing useful.
        return
    if isinstance(answer, dict):
        error = _platform_error(kind, answer)
        if error:
            raise DeliveryError(_scrub(error, url, target, secret))


def send_to_channel(channel: Channel, message: Message, *, timeout=TIMEOUT) -> None:
    """Send ``message`` through ``channel``'s robot (its sealed address and secret)."""
    try:
        url, secret = unseal(channel.url_sealed), unseal(channel.secret_sealed)
    except UnsealError:
        raise DeliveryError(
            "the robot's address or secret cannot be opened (the secret key changed?): "
            "enter them again"
        ) from None
    send_webhook(channel.kind, url, secret, message, timeout=timeout)


# ── robot settings (services) ───────────────────────────────────────────


def _require_admin(user, unit) -> None:
    """Refuse unless ``user`` administers ``unit``; ``None`` is a trusted caller (a command)."""
    if user is not None and not can_change_unit(user, unit):
        raise PermissionDenied(_("You may not change the channels of “%(unit)s”.") % {"unit": unit})


def _clean_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if len(secret) > MAX_SECRET_LENGTH:
        raise ValidationError(
            {
                "secret": _("The secret is too long (at most %(max)d characters).")
                % {"max": MAX_SECRET_LENGTH}
            }
        )
    return secret


def _set_url(channel: Channel, url: str) -> None:
    try:
        url = validate_webhook_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from None
    channel.url_sealed = seal(url)
    channel.url_hint = url_hint(url)[:300]


@transaction.atomic
def channel_create(
    *,
    unit,
    kind: str,
    name: str,
    url: str,
    secret: str = "",
    language: str = "",
    acting_user,
) -> Channel:
    """Add a group robot to ``unit``; only the unit's administrators may."""
    _require_admin(acting_user, unit)
    channel = Channel(
        unit=unit,
        kind=kind,
        name=name.strip(),
        language=language or settings.LANGUAGE_CODE,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    _set_url(channel, url)
    channel.secret_sealed = seal(_clean_secret(secret))
    channel.full_clean()
    attribute_history(channel, acting_user=acting_user, reason=_("Channel added"))
    channel.save()
    return channel


@transaction.atomic
def channel_update(
    *,
    channel: Channel,
    expected_version: int,
    acting_user,
    name: str,
    kind: str,
    language: str,
    is_active: bool = True,
    url: str = "",
    secret: str = "",
    clear_secret: bool = False,
) -> Channel:
    """Change a robot's settings; an empty ``url`` or ``secret`` keeps the stored one."""
    _require_admin(acting_user, channel.unit)
    channel.name, channel.kind, channel.language = name.strip(), kind, language
    channel.is_active = is_active
    if url.strip():
        _set_url(channel, url)
    if clear_secret:
        channel.secret_sealed = ""
    elif secret.strip():
        channel.secret_sealed = seal(_clean_secret(secret))
    channel.full_clean()
    claim_version(channel, expected_version=expected_version)
    attribute_history(channel, acting_user=acting_user, reason=_("Channel changed"))
    channel.save()
    return channel


@transaction.atomic
def channel_set_active(*, channel: Channel, active: bool, acting_user) -> Channel:
    """Switch a robot off (it receives nothing) or on again; nothing is deleted."""
    _require_admin(acting_user, channel.unit)
    channel.is_active = active
    claim_version(channel, expected_version=channel.version)
    reason = _("Channel switched on") if active else _("Channel switched off")
    attribute_history(channel, acting_user=acting_user, reason=reason)
    channel.save()
    return channel


def channel_send_test(*, channel: Channel, acting_user) -> None:
    """Send a test message through ``channel`` now; raises :class:`DeliveryError` on failure."""
    _require_admin(acting_user, channel.unit)
    with translation.override(channel.language):
        message = Message(
            title=_("Test message from Rectify"),
            body=_("This group robot will receive the daily digest of “%(unit)s”.")
            % {"unit": channel.unit.name},
            link=absolute_link(reverse("org:unit-detail", args=[channel.unit_id])),
        )
    try:
        send_to_channel(channel, message)
    except DeliveryError as exc:
        logger.warning("Test message to channel %s failed: %s", channel.pk, exc)
        raise
