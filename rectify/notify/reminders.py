"""The daily reminder run (每日提醒): reminders to responsible persons, digests to supervisors.

:func:`run_reminders` reads everything with a fixed number of queries,
whatever the number of recipients (only the writes go in batches of
:data:`BATCH` messages, and the sends in leases of :data:`SEND_BATCH`):

- one query reads every yellow and red open measure with the logins of its
  responsible persons (through the m2m), and one the pending send-backs;
  they are grouped per login in Python into a REMINDER;
- one aggregate counts, per unit and campaign, what a digest reports (red,
  yellow, newly red, waiting for review) and one the unanswered urges; each
  unit administrator's and leader's grant, each guidance-group member's
  assigned unit, and each unit's group robots then sum their subtree in
  Python, by path range over the sorted unit paths (a prefix sum, so a
  province's root costs what a village costs).

Notifications go into inboxes with a key per day (``reminder:<date>``,
``digest:<date>:<unit>``); what the day already holds is read once, by key
range, so a second run on the same day creates nothing.
Each new notification of a login with an email address gets an email
:class:`~.models.Delivery`, and each unit robot its unit's digest; then every
due delivery is sent, in its recipient's language. A failed send is retried
at once a few times, then later with exponential backoff; it is recorded and
never stops the run.
"""

import datetime as dt
import logging
import time
import uuid
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation

from rectify.campaigns.models import GuidanceAssignment
from rectify.ledger.lights import Light, light_q
from rectify.ledger.models import (
    OPEN_STATUSES,
    Measure,
    MeasureStatus,
    ProgressNote,
    Review,
    ReviewAction,
    Urge,
)
from rectify.org.models import PATH_END, GuidanceGroup, Role, RoleGrant, Unit

from .channels import DeliveryError, Message, absolute_link, send_email, send_to_channel
from .models import (
    Channel,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Notification,
    NotificationKind,
    ReminderRun,
)
from .services import contacts

logger = logging.getLogger(__name__)

#: Messages written per transaction: the writes grow by batch, never by person.
BATCH = 500
#: Measures listed in one reminder; the counts cover the rest.
MAX_LISTED = 20
#: Characters of a measure's text kept in a reminder.
CONTENT_CHARS = 200
#: Tries of one send within a run, with these pauses (seconds) between them.
IN_RUN_TRIES = 3
DEFAULT_RETRY_DELAYS = (1.0, 3.0)
#: After a run's tries fail, the next run may try again after 10 min, 20 min, 40 min …
BACKOFF = dt.timedelta(minutes=10)
#: Tries in all before a delivery is given up as failed.
MAX_ATTEMPTS = 12
#: A message not delivered within this long is stale: it is given up, not sent late.
EXPIRY = dt.timedelta(hours=24)
#: Rows a run leases at once for sending.
SEND_BATCH = 200
#: How long a lease keeps other runs off a row (a run that died gives it back then).
LEASE = dt.timedelta(minutes=15)
#: Emails failing one after another before a run stops trying the rest (they wait).
MAIL_BREAKER = 5


@dataclass
class RunReport:
    """What one run did (or, dry, would do)."""

    date: dt.date
    dry_run: bool
    reminders: int = 0
    digests: int = 0
    recipients: int = 0
    notifications: int = 0
    deliveries: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    queries: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        """JSON-ready, for a task's return value and a run's record."""
        data = asdict(self)
        data["date"] = self.date.isoformat()
        data["seconds"] = round(self.seconds, 3)
        return data


#: What a digest adds up per unit.
COUNTED = ("red", "yellow", "new_red", "completed", "confirmed", "unanswered_urges")


@dataclass
class _Prefix:
    """Sorted unit paths with running totals of each count, to sum any subtree in O(log n)."""

    paths: list[str] = field(default_factory=list)
    sums: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, per_path: dict[str, dict[str, int]]) -> "_Prefix":
        """From counts per unit path."""
        paths = sorted(per_path)
        sums = {}
        for name in COUNTED:
            running, total = [0], 0
            for path in paths:
                total += per_path[path].get(name, 0)
                running.append(total)
            sums[name] = running
        return cls(paths, sums)

    def subtree(self, path: str) -> dict[str, int]:
        """The sums over the unit at ``path`` and everything below it."""
        lo = bisect_left(self.paths, path)
        hi = bisect_left(self.paths, path + PATH_END)
        return {name: self.sums[name][hi] - self.sums[name][lo] for name in COUNTED}


class _QueryCounter:
    """An execute wrapper that counts the queries of a run."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# ── collection ───────────────────────────────────────────────────────────


def _live(prefix: str = "") -> Q:
    """Measures not deleted, of a live campaign."""
    return Q(**{f"{prefix}deleted_at__isnull": True, f"{prefix}campaign__deleted_at__isnull": True})


def _answering(prefix: str) -> Q:
    """The responsible person behind ``prefix`` is alive and has an active login."""
    return Q(
        **{
            f"{prefix}responsible_persons__deleted_at__isnull": True,
            f"{prefix}responsible_persons__user__isnull": False,
            f"{prefix}responsible_persons__user__is_active": True,
        }
    )


def reminder_rows(today: dt.date) -> QuerySet:
    """``(login, measure, content, deadline)`` of every yellow and red open measure, once
    per responsible person with an active login: the run's main collection query."""
    hot = light_q(Light.RED, today) | light_q(Light.YELLOW, today)
    return (
        Measure.objects.filter(hot & _live() & _answering(""))
        .order_by()
        .values_list("responsible_persons__user_id", "pk", "content", "deadline")
    )


def collect_reminders(today: dt.date) -> dict[int, dict]:
    """REMINDER data per login: its yellow and red measures and pending send-backs (2 queries)."""
    rows = reminder_rows(today)
    listed: dict[int, list[tuple]] = defaultdict(list)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"red": 0, "yellow": 0})
    for user_id, pk, content, deadline in rows.iterator(chunk_size=5000):
        light = Light.RED if deadline < today else Light.YELLOW
        counts[user_id][light] += 1
        listed[user_id].append((light != Light.RED, deadline, pk, content))
    # Sent back and not resubmitted: the measure's latest review is the send-back.
    later = Review.objects.filter(measure=OuterRef("measure"), pk__gt=OuterRef("pk"))
    sent_back_rows = (
        Review.objects.filter(
            _live("measure__") & _answering("measure__"),
            action=ReviewAction.SEND_BACK,
            measure__status__in=OPEN_STATUSES,
        )
        .filter(~Exists(later))
        .order_by()
        .values_list("measure__responsible_persons__user_id", "measure_id")
        .distinct()
    )
    sent_back: dict[int, int] = defaultdict(int)
    for user_id, _measure in sent_back_rows.iterator(chunk_size=5000):
        sent_back[user_id] += 1
    reminders = {}
    for user_id in sorted(set(counts) | set(sent_back)):
        items = sorted(listed.get(user_id, []))[:MAX_LISTED]
        reminders[user_id] = {
            "date": today.isoformat(),
            "red": counts[user_id]["red"] if user_id in counts else 0,
            "yellow": counts[user_id]["yellow"] if user_id in counts else 0,
            "sent_back": sent_back.get(user_id, 0),
            "measures": [
                {
                    "id": pk,
                    "content": _shorten(content),
                    "deadline": deadline.isoformat() if deadline else None,
                    "light": Light.YELLOW if not_red else Light.RED,
                }
                for not_red, deadline, pk, content in items
            ],
        }
    return reminders


def _shorten(text: str) -> str:
    """A measure's text on one line, cut to :data:`CONTENT_CHARS`."""
    text = " ".join(text.split())
    return text if len(text) <= CONTENT_CHARS else text[: CONTENT_CHARS - 1] + "…"


def previous_run_date(today: dt.date) -> dt.date | None:
    """The date of the last real run before ``today``, if any."""
    return (
        ReminderRun.objects.filter(date__lt=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def unit_count_rows(today: dt.date, since: dt.date) -> tuple[QuerySet, QuerySet]:
    """Per ``(unit, campaign)``: red, yellow and newly red open measures; and completed and
    confirmed ones (waiting for review).

    Two queries, because each then walks an index over just its rows (a
    tenth of the ledger) instead of one pass over every measure.
    """
    red, yellow = light_q(Light.RED, today), light_q(Light.YELLOW, today)
    new_red = Q(status__in=OPEN_STATUSES, deadline__gte=since, deadline__lt=today)
    completed = Q(status=MeasureStatus.COMPLETED)
    confirmed = Q(status=MeasureStatus.CONFIRMED)
    hot = (
        Measure.objects.filter(_live() & (red | yellow))
        .order_by()
        .values("unit_id", "campaign_id")
        .annotate(
            red=Count("pk", filter=red),
            yellow=Count("pk", filter=yellow),
            new_red=Count("pk", filter=new_red),
        )
    )
    waiting = (
        Measure.objects.filter(
            _live(), status__in=(MeasureStatus.COMPLETED, MeasureStatus.CONFIRMED)
        )
        .order_by()
        .values("unit_id", "campaign_id")
        .annotate(completed=Count("pk", filter=completed), confirmed=Count("pk", filter=confirmed))
    )
    return hot, waiting


def _unit_counts(today: dt.date, since: dt.date) -> dict[tuple[int, int], dict[str, int]]:
    """Digest counts per ``(unit id, campaign id)`` (3 aggregate queries)."""
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for rows in unit_count_rows(today, since):
        for row in rows.iterator(chunk_size=5000):
            counts[(row.pop("unit_id"), row.pop("campaign_id"))].update(row)
    # An urge is answered by any progress note on the measure written after it.
    answered = ProgressNote.objects.filter(
        measure=OuterRef("measure"), created_at__gt=OuterRef("created_at")
    )
    urges = (
        Urge.objects.filter(_live("measure__"), measure__status__in=OPEN_STATUSES)
        .filter(~Exists(answered))
        .order_by()
        .values("measure__unit_id", "measure__campaign_id")
        .annotate(n=Count("pk"))
    )
    for row in urges.iterator(chunk_size=5000):
        key = (row["measure__unit_id"], row["measure__campaign_id"])
        counts[key]["unanswered_urges"] = row["n"]
    return counts


@dataclass
class _Scope:
    """What one digest covers: a unit's subtree, for every campaign or for some."""

    unit_id: int
    all_campaigns: bool = False
    campaigns: set[int] = field(default_factory=set)
    leader: bool = False


def collect_digests(today: dt.date, since: dt.date) -> tuple[dict[int, list[dict]], list[dict]]:
    """DIGEST data per login, and per live robot channel (a fixed handful of queries)."""
    counts = _unit_counts(today, since)
    paths = dict(Unit.all_objects.values_list("pk", "path").iterator(chunk_size=5000))
    per_path: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_campaign: dict[int, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for (unit_id, campaign_id), row in counts.items():
        path = paths[unit_id]
        for name, value in row.items():
            per_path[path][name] += value
            per_campaign[campaign_id][path][name] += value
    everything = _Prefix.build(per_path)
    by_campaign = {c: _Prefix.build(rows) for c, rows in per_campaign.items()}

    # Who hears about which subtree: unit administrators and leaders by their grants
    # (every campaign), guidance-group members and leaders by their assignments.
    scopes: dict[tuple[int, int], _Scope] = {}
    names: dict[int, tuple[str, str]] = {}
    grants = RoleGrant.objects.filter(
        role__in=(Role.UNIT_ADMIN, Role.LEADER),
        unit__deleted_at__isnull=True,
        user__is_active=True,
    ).values_list("user_id", "role", "unit_id", "unit__path", "unit__name")
    for user_id, role, unit_id, path, name in grants.iterator(chunk_size=5000):
        scope = scopes.setdefault((user_id, unit_id), _Scope(unit_id))
        scope.all_campaigns = True
        scope.leader |= role == Role.LEADER
        names[unit_id] = (path, name)
    assigned = list(
        GuidanceAssignment.units.through.objects.filter(
            guidanceassignment__group__deleted_at__isnull=True,
            guidanceassignment__campaign__deleted_at__isnull=True,
            unit__deleted_at__isnull=True,
        ).values_list(
            "guidanceassignment__group_id",
            "guidanceassignment__campaign_id",
            "unit_id",
            "unit__path",
            "unit__name",
        )
    )
    if assigned:
        guides: dict[int, set[int]] = defaultdict(set)
        members = GuidanceGroup.members.through.objects.filter(
            guidancegroup__deleted_at__isnull=True,
            person__deleted_at__isnull=True,
            person__user__is_active=True,
        ).values_list("guidancegroup_id", "person__user_id")
        leaders = GuidanceGroup.objects.filter(
            leader__deleted_at__isnull=True, leader__user__is_active=True
        ).values_list("pk", "leader__user_id")
        for group_id, user_id in [*members, *leaders]:
            guides[group_id].add(user_id)
        for group_id, campaign_id, unit_id, path, name in assigned:
            names[unit_id] = (path, name)
            for user_id in guides.get(group_id, ()):
                scopes.setdefault((user_id, unit_id), _Scope(unit_id)).campaigns.add(campaign_id)

    def subtree(campaign_id: int | None, path: str) -> dict[str, int]:
        if campaign_id is None:
            return everything.subtree(path)
        if campaign_id in by_campaign:
            return by_campaign[campaign_id].subtree(path)
        return dict.fromkeys(COUNTED, 0)

    def digest(scope: _Scope, *, robot: bool = False) -> dict | None:
        path, name = names[scope.unit_id]
        if scope.all_campaigns:
            total = subtree(None, path)
        else:
            total = dict.fromkeys(COUNTED, 0)
            for campaign_id in scope.campaigns:
                for key, value in subtree(campaign_id, path).items():
                    total[key] += value
        if robot:  # a unit's group hears of everything waiting for review
            waiting = total["completed"] + total["confirmed"]
        else:
            # Leaders confirm (or, at one level, accept) what was completed; the
            # guidance group accepts what the leader confirmed, in its campaigns.
            waiting = total["completed"] if scope.leader else 0
            waiting += sum(subtree(c, path)["confirmed"] for c in scope.campaigns)
        data = {
            "date": today.isoformat(),
            "unit": scope.unit_id,
            "unit_name": name,
            "red": total["red"],
            "yellow": total["yellow"],
            "new_red": total["new_red"],
            "awaiting_review": waiting,
            "unanswered_urges": total["unanswered_urges"],
        }
        # Nothing to report is no message: a daily "all zero" teaches people to ignore it.
        news = ("red", "yellow", "new_red", "awaiting_review", "unanswered_urges")
        return data if any(data[k] for k in news) else None

    per_user: dict[int, list[dict]] = defaultdict(list)
    for (user_id, _unit), scope in sorted(scopes.items()):
        data = digest(scope)
        if data:
            per_user[user_id].append(data)

    robots = []
    channels = (
        Channel.objects.filter(is_active=True, unit__deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "language", "unit_id", "unit__path", "unit__name")
    )
    for channel_id, language, unit_id, path, name in channels:
        names[unit_id] = (path, name)
        data = digest(_Scope(unit_id, all_campaigns=True), robot=True)
        if data:
            robots.append({"channel": channel_id, "language": language, "data": data})
    return per_user, robots


# ── writing ──────────────────────────────────────────────────────────────


@dataclass
class _Outgoing:
    """A notification to store: for whom, what kind, its day's key and its data."""

    user_id: int
    kind: str
    key: str
    data: dict


def _batches(items: list, size: int) -> Iterator[list]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(today: dt.date) -> set[tuple[int, str]]:
    """``(recipient, key)`` of the day's reminders and digests already stored (2 index scans)."""
    day = today.isoformat()
    stored = Notification.objects.order_by().values_list("recipient_id", "key")
    return set(stored.filter(key=f"reminder:{day}")) | set(
        stored.filter(key__gte=f"digest:{day}:", key__lt=f"digest:{day};")
    )


def _store(batch: list[_Outgoing], contacts) -> None:
    """Insert ``batch`` and an email delivery for each recipient with an address."""
    created = Notification.objects.bulk_create(
        [Notification(recipient_id=o.user_id, kind=o.kind, data=o.data, key=o.key) for o in batch]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                kind=DeliveryKind.EMAIL,
                notification=n,
                target=contacts[n.recipient_id][0],
                language=contacts[n.recipient_id][1],
                key=f"email:{n.pk}",
            )
            for n in created
            if contacts.get(n.recipient_id, ("", ""))[0]
        ],
        ignore_conflicts=True,
    )


def _write(
    outgoing: list[_Outgoing], today: dt.date, contacts, report: RunReport, *, dry_run: bool
) -> None:
    """Store what is new: one read of what the day already holds, then one insert per batch."""
    existing = _existing(today) if outgoing else set()
    fresh = [o for o in outgoing if (o.user_id, o.key) not in existing]
    report.recipients = len({o.user_id for o in fresh})
    report.reminders = sum(o.kind == NotificationKind.REMINDER for o in fresh)
    report.digests = len(fresh) - report.reminders
    report.notifications = len(fresh)
    report.deliveries += sum(1 for o in fresh if contacts.get(o.user_id, ("", ""))[0])
    if dry_run:
        return
    for batch in _batches(fresh, BATCH):
        try:
            with transaction.atomic():
                _store(batch, contacts)
        except IntegrityError:
            # Another run stored some of these meanwhile: store only what is still missing.
            taken = set(
                Notification.objects.filter(
                    recipient_id__in={o.user_id for o in batch}, key__in={o.key for o in batch}
                )
                .order_by()
                .values_list("recipient_id", "key")
            )
            with transaction.atomic():
                _store([o for o in batch if (o.user_id, o.key) not in taken], contacts)


def _write_robots(robots: list[dict], today: dt.date, report: RunReport, *, dry_run: bool) -> None:
    """Queue each robot's digest once a day (its key is unique)."""
    day = today.isoformat()
    keys = {f"webhook:{day}:{r['channel']}": r for r in robots}
    existing = set()
    if keys:
        existing = set(
            Delivery.objects.filter(key__gte=f"webhook:{day}:", key__lt=f"webhook:{day};")
            .order_by()
            .values_list("key", flat=True)
        )
    fresh = [key for key in keys if key not in existing]
    report.deliveries += len(fresh)
    if dry_run:
        return
    for batch in _batches(fresh, BATCH):
        Delivery.objects.bulk_create(
            [
                Delivery(
                    kind=DeliveryKind.WEBHOOK,
                    channel_id=keys[key]["channel"],
                    data=keys[key]["data"],
                    language=keys[key]["language"],
                    key=key,
                )
                for key in batch
            ],
            ignore_conflicts=True,
        )


# ── sending ──────────────────────────────────────────────────────────────


def _retry_delays() -> tuple[float, ...]:
    """Pauses between the tries within a run (``RECTIFY_DELIVERY_RETRY_DELAYS`` in tests)."""
    return tuple(getattr(settings, "RECTIFY_DELIVERY_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


def _message(delivery: Delivery) -> Message:
    """The delivery's message, rendered in its recipient's language."""
    from .rendering import render

    notification = delivery.notification
    if notification is None:  # a robot's digest: rendered like an inbox digest
        notification = Notification(kind=NotificationKind.DIGEST, data=delivery.data)
    with translation.override(delivery.language or settings.LANGUAGE_CODE):
        rendered = render(notification)
        return Message(
            title=str(rendered.title), body=str(rendered.body), link=absolute_link(rendered.url)
        )


def _send_once(delivery: Delivery, message: Message, mail_connection) -> None:
    """One try over the delivery's channel; raises :class:`DeliveryError` on failure."""
    if delivery.kind == DeliveryKind.EMAIL:
        try:
            send_email(message, delivery.target, connection=mail_connection)
        except DeliveryError:
            # The server may have dropped the connection: the next try opens a new one.
            with suppress(Exception):
                mail_connection.close()
            raise
    else:
        send_to_channel(delivery.channel, message)


def _defer(delivery: Delivery, now, reason: str) -> None:
    """Put ``delivery`` off to a later run without trying it now."""
    delivery.last_error = reason
    delivery.next_attempt_at = now + BACKOFF


def _prepare(delivery: Delivery) -> Message | None:
    """The message to send, or ``None`` when the delivery is given up before any try."""
    if delivery.kind == DeliveryKind.WEBHOOK and not delivery.channel.is_active:
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, "the robot was switched off"
        return None
    try:
        return _message(delivery)
    except Exception as exc:  # a rendering bug must not stop the run
        logger.exception("Delivery %s could not be rendered", delivery.pk)
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = f"could not render the message: {type(exc).__name__}"
        return None


def _try(delivery: Delivery, message: Message, mail_connection) -> bool:
    """One try; the outcome is recorded on the row (saved later, in bulk)."""
    delivery.attempts += 1
    try:
        _send_once(delivery, message, mail_connection)
    except DeliveryError as exc:
        delivery.last_error = str(exc)[:500]
        return False
    except Exception as exc:  # an unexpected fault is a failed send, not a stopped run
        delivery.last_error = f"unexpected error: {type(exc).__name__}"
        return False
    delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, timezone.now(), ""
    return True


def _give_up_or_retry_later(delivery: Delivery, now) -> None:
    """After this run's tries failed: fail for good, or wait 10 min, 20 min, 40 min …"""
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        rounds = max(1, delivery.attempts // IN_RUN_TRIES)
        delivery.next_attempt_at = now + BACKOFF * 2 ** (rounds - 1)
    logger.warning(
        "Delivery %s (%s) failed after %s attempts: %s",
        delivery.pk,
        delivery.kind,
        delivery.attempts,
        delivery.last_error,
    )


def _send_leased(rows: list[Delivery], now, delays, report: RunReport, breaker: list[int]):
    """Send the leased ``rows``: every row once, then the failed ones again after a pause.

    The pauses are per pass, not per row, so a hundred dead robots cost the
    run a few seconds, not a few minutes. ``breaker[0]`` counts emails that
    failed in a row across the run; past :data:`MAIL_BREAKER` the mail server
    is taken to be down and the remaining emails wait for a later run.
    """
    waiting = []
    for delivery in rows:
        delivery.next_attempt_at, delivery.lease = now, ""  # given back unless put off
        message = _prepare(delivery)
        if message is not None:
            waiting.append((delivery, message))
        else:
            report.failed += 1
    with get_connection(fail_silently=False) as mail_connection:
        for attempt in range(IN_RUN_TRIES):
            if not waiting:
                break
            if attempt:
                time.sleep(delays[min(attempt - 1, len(delays) - 1)] if delays else 0)
            failed = []
            for delivery, message in waiting:
                email = delivery.kind == DeliveryKind.EMAIL
                if delivery.attempts >= MAX_ATTEMPTS:
                    failed.append((delivery, message))
                elif email and breaker[0] >= MAIL_BREAKER:
                    if attempt:  # it failed already in this run: stop here
                        failed.append((delivery, message))
                    else:
                        _defer(delivery, now, f"not tried: {breaker[0]} emails failed in a row")
                        report.retrying += 1
                elif _try(delivery, message, mail_connection):
                    report.sent += 1
                    breaker[0] = 0 if email else breaker[0]
                else:
                    failed.append((delivery, message))
                    breaker[0] += email
            waiting = failed
    for delivery, _message in waiting:
        _give_up_or_retry_later(delivery, now)
        report.failed += 1
        if delivery.status == DeliveryStatus.PENDING:
            report.retrying += 1


def deliver_pending(report: RunReport | None = None, *, now=None) -> RunReport:
    """Send every due pending delivery; failures are recorded and retried later, never raised."""
    now = now or timezone.now()
    report = report or RunReport(date=timezone.localdate(now), dry_run=False)
    Delivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lt=now - EXPIRY).update(
        status=DeliveryStatus.FAILED,
        last_error="expired: not delivered within a day",
        lease="",
    )
    delays, breaker = _retry_delays(), [0]
    while True:
        lease = uuid.uuid4().hex
        due = Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        claimed = Delivery.objects.filter(
            pk__in=list(due.values_list("pk", flat=True)[:SEND_BATCH])
        ).filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        if not claimed.update(lease=lease, next_attempt_at=now + LEASE):
            break
        rows = list(
            Delivery.objects.filter(lease=lease).select_related(
                "notification", "channel", "channel__unit"
            )
        )
        _send_leased(rows, now, delays, report, breaker)
        Delivery.objects.bulk_update(
            rows, ["status", "attempts", "last_error", "next_attempt_at", "sent_at", "lease"]
        )
    return report


# ── the run ──────────────────────────────────────────────────────────────


def run_reminders(date: dt.date | None = None, dry_run: bool = False) -> RunReport:
    """Collect, store and send one day's reminders and digests (see the module docstring).

    With ``dry_run`` nothing is written or sent: the report says what would be.
    """
    started_at, clock = timezone.now(), time.perf_counter()
    today = date or timezone.localdate()
    report = RunReport(date=today, dry_run=dry_run)
    counter = _QueryCounter()
    with connection.execute_wrapper(counter):
        since = previous_run_date(today) or today - dt.timedelta(days=1)
        reminders = collect_reminders(today)
        digests, robots = collect_digests(today, since)
        outgoing = [
            _Outgoing(uid, NotificationKind.REMINDER, f"reminder:{today.isoformat()}", data)
            for uid, data in reminders.items()
        ] + [
            _Outgoing(uid, NotificationKind.DIGEST, f"digest:{today.isoformat()}:{d['unit']}", d)
            for uid, items in digests.items()
            for d in items
        ]
        outgoing.sort(key=lambda o: (o.user_id, o.key))
        _write(outgoing, today, contacts() if outgoing else {}, report, dry_run=dry_run)
        _write_robots(robots, today, report, dry_run=dry_run)
        if not dry_run:
            deliver_pending(report)
            report.seconds = time.perf_counter() - clock
            ReminderRun.objects.update_or_create(
                date=today,
                defaults={
                    "started_at": started_at,
                    "finished_at": timezone.now(),
                    "counts": report.as_dict(),
                },
            )
    report.queries = counter.count
    report.seconds = time.perf_counter() - clock
    return report


def pending_retry_at() -> dt.datetime | None:
    """When the earliest delivery waiting for a retry is due, if any."""
    return (
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
