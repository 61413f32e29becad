"""The in-app inbox: what the system tells a user, and whether they have read it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rectify.core.models import TimeStampedModel, VersionedModel


class NotificationKind(models.TextChoices):
    URGE = "urge", _("Urged")
    SEND_BACK = "send_back", _("Sent back")
    REOPEN = "reopen", _("Reopened")
    EXTENSION_REQUESTED = "extension_requested", _("Deadline change requested")
    EXTENSION_DECIDED = "extension_decided", _("Deadline change decided")
    REVIEW_WAITING = "review_waiting", _("Waiting for your review")
    REMINDER = "reminder", _("Daily reminder")
    DIGEST = "digest", _("Daily digest")


class Notification(models.Model):
    """One message in one user's inbox.

    The words are rendered when shown, in the reader's language, from ``kind``,
    the linked measure, ``text`` (what a person wrote: an urge, a reason) and
    ``data`` (counts and ids of a reminder or digest). ``key`` makes a delivery
    idempotent: the same key is never stored twice for one recipient.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind)
    measure = models.ForeignKey(
        "ledger.Measure",
        verbose_name=_("measure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notify_recipient_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notify_recipient_recent"),
            # The daily run finds the day's keys (reminder:<date>, digest:<date>:…) by range.
            models.Index(fields=["key"], name="notify_notification_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notify_notification_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ChannelKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk group robot (钉钉)")
    FEISHU = "feishu", _("Feishu group robot (飞书)")


class Channel(TimeStampedModel, VersionedModel):
    """A group robot of a unit (企业微信、钉钉、飞书群机器人) that receives the unit's daily digest.

    The robot's address carries its token and the signing secret is a
    credential: both are stored sealed (see :mod:`.sealing`), written through
    the services and never shown again; pages show ``url_hint`` only.
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="channels"
    )
    kind = models.CharField(_("platform"), max_length=16, choices=ChannelKind)
    name = models.CharField(_("name"), max_length=100)
    url_sealed = models.TextField(_("robot address (sealed)"), editable=False)
    url_hint = models.CharField(_("robot address"), max_length=300, editable=False)
    secret_sealed = models.TextField(_("signing secret (sealed)"), blank=True, editable=False)
    language = models.CharField(
        _("language"),
        max_length=16,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The digest is written in this language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # The sealed columns stay out of history: a history table is read more widely.
    history = HistoricalRecords(excluded_fields=["url_sealed", "secret_sealed", "updated_at"])
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["unit__path", "name", "pk"]
        indexes = [models.Index(fields=["unit", "is_active"], name="notify_channel_unit")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def has_secret(self) -> bool:
        """True when a signing secret is stored (its value is never shown)."""
        return bool(self.secret_sealed)


class DeliveryKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Group robot")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One message sent (or to send) over one channel: an email to a person, a digest to a robot.

    ``key`` is unique, so the same message is never queued twice for the same
    target (running the reminders twice on a day sends nothing twice).
    ``last_error`` holds what went wrong in words safe to show: never a secret,
    never the robot's address or its query.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=DeliveryKind)
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    target = models.CharField(_("address"), max_length=254, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=16, default=settings.LANGUAGE_CODE)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Set by the run that is sending the row, so that two runs never send it both.
    lease = models.CharField(_("lease"), max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="email", notification__isnull=False)
                    | models.Q(kind="webhook", channel__isnull=False)
                ),
                name="notify_delivery_has_target",
                violation_error_message=_("An email needs a notification, a webhook a channel."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_status_display()} · {self.key}"


class ReminderRun(models.Model):
    """One day's reminder run: when it ran and what it counted (the next run's "since")."""

    date = models.DateField(_("date"), unique=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        ordering = ["-date"]

    def __str__(self) -> str:
        return str(self.date)
