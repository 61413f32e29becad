"""What a notification says, in the reader's language: a title, a plain-text body and a link.

Rendering happens when a message is shown or sent, in the active language
(callers wrap it in ``translation.override``), never when it is stored: a
Chinese reader and an English one see the same notification in their own
words. The body is plain text (the inbox escapes it, e-mail sends it as is)
and the url is a path (channels make it absolute).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .models import Notification, NotificationKind

K = NotificationKind

#: Measure contents are cut to this many characters in titles, and in bodies.
TITLE_CHARS = 40
BODY_CHARS = 80


@dataclass(frozen=True)
class Rendered:
    """A notification in words: ``title`` and ``body`` are plain text, ``url`` a path."""

    title: str
    body: str
    url: str


def render(notification: Notification) -> Rendered:
    """The notification in the active language."""
    return _RENDERERS.get(notification.kind, _other)(notification)


def sender_name(n: Notification) -> str:
    """Who the notification is from: the actor's person, their login, or the system."""
    actor = n.actor
    if actor is None:
        return _("The system")
    person = getattr(actor, "person", None)
    return person.name if person is not None else actor.get_username()


def _measure(n: Notification, chars: int) -> str:
    if n.measure is None:
        return _("(no measure)")
    return Truncator(n.measure.content).chars(chars)


def _measure_url(n: Notification) -> str:
    return n.measure.get_absolute_url() if n.measure_id else reverse("notify:inbox")


def _date(value) -> str:
    """An ISO date from ``data`` in the reader's format; anything else as it is."""
    if not value:
        return _("no deadline")
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def _count(data: dict, name: str) -> int:
    try:
        return int(data.get(name) or 0)
    except (TypeError, ValueError):
        return 0


def _with_text(lead: str, text: str) -> str:
    return f"{lead}\n{text}" if text else lead


def _urge(n: Notification) -> Rendered:
    words = {"actor": sender_name(n), "measure": _measure(n, BODY_CHARS)}
    return Rendered(
        title=_("Urged: %(measure)s") % {"measure": _measure(n, TITLE_CHARS)},
        body=_with_text(_("%(actor)s urges progress on “%(measure)s”:") % words, n.text),
        url=_measure_url(n),
    )


def _send_back(n: Notification) -> Rendered:
    words = {"actor": sender_name(n), "measure": _measure(n, BODY_CHARS)}
    return Rendered(
        title=_("Sent back: %(measure)s") % {"measure": _measure(n, TITLE_CHARS)},
        body=_with_text(_("%(actor)s sent back “%(measure)s”. Reason:") % words, n.text),
        url=_measure_url(n),
    )


def _reopen(n: Notification) -> Rendered:
    words = {"actor": sender_name(n), "measure": _measure(n, BODY_CHARS)}
    return Rendered(
        title=_("Reopened: %(measure)s") % {"measure": _measure(n, TITLE_CHARS)},
        body=_with_text(_("%(actor)s reopened “%(measure)s”. Reason:") % words, n.text),
        url=_measure_url(n),
    )


def _extension_requested(n: Notification) -> Rendered:
    words = {
        "actor": sender_name(n),
        "measure": _measure(n, BODY_CHARS),
        "old": _date(n.data.get("old_deadline")),
        "new": _date(n.data.get("new_deadline")),
    }
    lead = _(
        "%(actor)s asks to move the deadline of “%(measure)s” from %(old)s to %(new)s. Reason:"
    )
    return Rendered(
        title=_("Deadline change requested: %(measure)s") % {"measure": _measure(n, TITLE_CHARS)},
        body=_with_text(lead % words, n.text),
        url=_measure_url(n),
    )


def _extension_decided(n: Notification) -> Rendered:
    words = {
        "actor": sender_name(n),
        "measure": _measure(n, BODY_CHARS),
        "new": _date(n.data.get("new_deadline")),
    }
    short = {"measure": _measure(n, TITLE_CHARS)}
    if n.data.get("approved"):
        title = _("Deadline change approved: %(measure)s") % short
        lead = _("%(actor)s approved moving the deadline of “%(measure)s” to %(new)s.") % words
    else:
        title = _("Deadline change refused: %(measure)s") % short
        lead = _("%(actor)s refused to move the deadline of “%(measure)s” to %(new)s.") % words
    note = _("Note: %(note)s") % {"note": n.text} if n.text else ""
    return Rendered(title=title, body=_with_text(lead, note), url=_measure_url(n))


def _review_waiting(n: Notification) -> Rendered:
    words = {"actor": sender_name(n), "measure": _measure(n, BODY_CHARS)}
    short = {"measure": _measure(n, TITLE_CHARS)}
    if n.data.get("action") == "confirm":
        lead = _("%(actor)s confirmed that “%(measure)s” is done.") % words
    else:
        lead = _("%(actor)s reported “%(measure)s” done.") % words
    if n.data.get("step") == "confirm":
        title = _("Waiting for your confirmation: %(measure)s") % short
        ask = _("It waits for your confirmation.")
    else:
        title = _("Waiting for your sign-off: %(measure)s") % short
        ask = _("It waits for your acceptance and sign-off.")
    return Rendered(title=title, body=_with_text(f"{lead} {ask}", n.text), url=_measure_url(n))


def _reminder(n: Notification) -> Rendered:
    data = n.data or {}
    red, yellow = _count(data, "red"), _count(data, "yellow")
    lines = [
        _("Overdue (red): %(n)d") % {"n": red},
        _("Due soon (yellow): %(n)d") % {"n": yellow},
    ]
    sent_back = _count(data, "sent_back")
    if sent_back:
        lines.append(_("Sent back to you for rework: %(n)d") % {"n": sent_back})
    listed = [m for m in data.get("measures") or [] if isinstance(m, dict)]
    if listed:
        lines.append("")
    for item in listed:
        words = {
            "measure": Truncator(str(item.get("content") or "")).chars(BODY_CHARS),
            "deadline": _date(item.get("deadline")),
        }
        if item.get("light") == "red":
            lines.append(_("[Overdue] %(measure)s (deadline: %(deadline)s)") % words)
        else:
            lines.append(_("[Due soon] %(measure)s (deadline: %(deadline)s)") % words)
    more = red + yellow - len(listed)
    if listed and more > 0:
        lines.append(_("… and %(n)d more.") % {"n": more})
    return Rendered(
        title=_("Daily reminder, %(date)s: %(red)d overdue, %(yellow)d due soon")
        % {"date": _date(data.get("date")), "red": red, "yellow": yellow},
        body="\n".join(lines),
        url=reverse("ledger:my-responsibilities"),
    )


def _digest(n: Notification) -> Rendered:
    data = n.data or {}
    lines = [
        _("Overdue (red): %(n)d, of which newly overdue: %(new)d")
        % {"n": _count(data, "red"), "new": _count(data, "new_red")},
        _("Due soon (yellow): %(n)d") % {"n": _count(data, "yellow")},
        _("Waiting for review: %(n)d") % {"n": _count(data, "awaiting_review")},
        _("Urges not yet answered: %(n)d") % {"n": _count(data, "unanswered_urges")},
    ]
    unit = data.get("unit")
    url = reverse("ledger:measure-list")
    if isinstance(unit, int):
        url = f"{url}?unit={unit}"
    return Rendered(
        title=_("Daily digest of %(unit)s, %(date)s")
        % {"unit": data.get("unit_name") or "", "date": _date(data.get("date"))},
        body="\n".join(lines),
        url=url,
    )


def _other(n: Notification) -> Rendered:
    return Rendered(title=str(n.get_kind_display()), body=n.text, url=_measure_url(n))


_RENDERERS: dict[str, Callable[[Notification], Rendered]] = {
    K.URGE: _urge,
    K.SEND_BACK: _send_back,
    K.REOPEN: _reopen,
    K.EXTENSION_REQUESTED: _extension_requested,
    K.EXTENSION_DECIDED: _extension_decided,
    K.REVIEW_WAITING: _review_waiting,
    K.REMINDER: _reminder,
    K.DIGEST: _digest,
}
