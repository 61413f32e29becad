"""Where problems come from: self-examination, opinions, research, guidance feedback → findings.

Every source produces :class:`Finding` rows in one triage queue per unit and
campaign. A finding is promoted into a ledger problem through the ledger's
service; the link from the finding to its problem lives here, never in the
ledger (the ledger imports no stage that feeds it).
"""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.campaigns.models import Campaign, Target
from rectify.core.models import SoftDeleteModel, TimeStampedModel, VersionedModel
from rectify.ledger.models import Level, Problem, Source
from rectify.org.models import GuidanceGroup, Person, Unit

#: The most characters an opinion, an answer or a finding may hold.
TEXT_MAX_LENGTH = 5000


# --- self-examination (自我检视) ------------------------------------------------


class Checklist(TimeStampedModel, SoftDeleteModel, VersionedModel):
    """A campaign's list of self-examination questions (e.g. 十个扪心自问)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="checklists"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["campaign", "id"]

    def __str__(self) -> str:
        return self.title


class ChecklistQuestion(VersionedModel):
    """One question of a checklist, asked against one target."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="questions"
    )
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("question"))
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["checklist", "order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ChecklistAssignment(TimeStampedModel, VersionedModel):
    """A person asked to answer a checklist; the unit is the person's at assignment time."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="assignments"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    scope_unit_field = "unit"
    scope_person_field = "person"
    scope_campaign_field = "checklist__campaign"

    class Meta:
        verbose_name = _("checklist assignment")
        verbose_name_plural = _("checklist assignments")
        ordering = ["unit__path", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "person"], name="inspection_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.checklist}"


class ChecklistAnswer(TimeStampedModel):
    """A person's answer to one question; passages marked as findings become findings."""

    assignment = models.ForeignKey(
        ChecklistAssignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        ChecklistQuestion, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("answer"), max_length=TEXT_MAX_LENGTH)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    scope_unit_field = "assignment__unit"
    scope_person_field = "assignment__person"
    scope_campaign_field = "assignment__checklist__campaign"

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["assignment", "question__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "question"], name="inspection_answer_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


# --- solicited opinions (征求意见) -----------------------------------------------


class OpinionForm(TimeStampedModel):
    """A public opinion form of a unit in a campaign, reached by an unguessable link."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="opinion_forms"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="opinion_forms"
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    #: The public link's key: ``secrets.token_urlsafe(24)`` (192 bits).
    token = models.CharField(_("link key"), max_length=64, unique=True, editable=False)
    is_open = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    scope_unit_field = "unit"
    scope_campaign_field = "campaign"

    class Meta:
        verbose_name = _("opinion form")
        verbose_name_plural = _("opinion forms")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Opinion(TimeStampedModel):
    """An opinion submitted through a public form. Anonymous ones keep no personal field."""

    form = models.ForeignKey(
        OpinionForm,
        verbose_name=_("opinion form"),
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    text = models.TextField(_("opinion"), max_length=TEXT_MAX_LENGTH)
    target = models.ForeignKey(
        Target,
        verbose_name=_("target concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    anonymous = models.BooleanField(_("anonymous"), default=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    organization = models.CharField(_("organization"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    #: SHA-256 of the receipt code shown once to the submitter; the code itself is not kept.
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    reply = models.TextField(_("reply"), blank=True, max_length=TEXT_MAX_LENGTH)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "receipt_hash"])
    scope_unit_field = "form__unit"
    scope_campaign_field = "form__campaign"

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymous=False) | models.Q(name="", organization="", phone=""),
                name="inspection_opinion_anonymous_has_no_personal_fields",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class SubmissionThrottle(models.Model):
    """One public submission by a client, known only by a salted hash of its address.

    Kept apart from the opinion so an anonymous opinion holds nothing that
    points back at its sender; rows older than the rate window are pruned.
    """

    client_hash = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client_hash", "submitted_at"], name="inspection_throttle_client")
        ]

    def __str__(self) -> str:
        return f"{self.client_hash[:8]} · {self.submitted_at:%Y-%m-%d %H:%M}"


# --- research (调查研究) ---------------------------------------------------------


class ResearchStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("research", "In progress")
    REPORTED = "reported", _("Report submitted")


class ResearchTopic(TimeStampedModel, SoftDeleteModel, VersionedModel):
    """A research topic (调研课题) a leader runs; its report feeds findings."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="research_topics",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="research_topics"
    )
    title = models.CharField(_("topic"), max_length=200)
    lead = models.ForeignKey(
        Person, verbose_name=_("led by"), on_delete=models.PROTECT, related_name="+"
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ResearchStatus, default=ResearchStatus.PLANNED
    )
    report = models.TextField(_("research report"), blank=True)
    reported_at = models.DateTimeField(_("report submitted at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    scope_unit_field = "unit"
    scope_person_field = "lead"
    scope_campaign_field = "campaign"

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        ordering = ["unit__path", "planned_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True)
                | models.Q(planned_end__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="inspection_research_end_after_start",
                violation_error_message=_("The planned end cannot be before the planned start."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspection:research-detail", kwargs={"pk": self.pk})


def research_file_path(instance: "ResearchAttachment", filename: str) -> str:
    """Store under a date folder with a neutral name; the original name is kept in the row."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return timezone.now().strftime("research/%Y/%m/") + f"{instance.sha256[:32]}{suffix}"


class ResearchAttachment(TimeStampedModel):
    """A file of a research report, served only within scope."""

    topic = models.ForeignKey(
        ResearchTopic,
        verbose_name=_("research topic"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=research_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    scope_unit_field = "topic__unit"
    scope_person_field = "topic__lead"
    scope_campaign_field = "topic__campaign"

    class Meta:
        verbose_name = _("research file")
        verbose_name_plural = _("research files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


# --- guidance-group feedback (巡回指导组反馈) -------------------------------------


class GuidanceFeedback(TimeStampedModel):
    """Feedback a guidance group gives a unit on a date: a list of points, each a finding."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        GuidanceGroup, verbose_name=_("guidance group"), on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_unit_field = "unit"
    scope_campaign_field = "campaign"

    class Meta:
        verbose_name = _("guidance feedback")
        verbose_name_plural = _("guidance feedback")
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.group} · {self.unit} · {self.given_on}"

    def get_absolute_url(self) -> str:
        return reverse("inspection:feedback-detail", kwargs={"pk": self.pk})


# --- findings (发现的问题) ---------------------------------------------------------


class FindingStatus(models.TextChoices):
    NEW = "new", _("To triage")
    PROMOTED = "promoted", _("Promoted to a problem")
    MERGED = "merged", _("Merged")
    DUPLICATE = "duplicate", _("Duplicate")
    DISMISSED = "dismissed", _("Dismissed")


class Finding(TimeStampedModel):
    """Something found that may be a problem, from any source, waiting in its unit's triage queue.

    Exactly one of the source links is set (none for findings entered by
    hand). A merged or duplicate finding points at the finding it joined and
    follows that one's fate; a dismissed one keeps its reason. Nothing is
    ever deleted.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="findings"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="findings"
    )
    source = models.CharField(_("source"), max_length=16, choices=Source, default=Source.OTHER)
    target = models.ForeignKey(
        Target,
        verbose_name=_("target"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    level = models.CharField(_("level"), max_length=16, choices=Level, blank=True)
    text = models.TextField(_("finding"), max_length=TEXT_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=16, choices=FindingStatus, default=FindingStatus.NEW
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("joined finding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joined",
    )
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triaged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    # Where it came from (at most one is set).
    answer = models.ForeignKey(
        ChecklistAnswer,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    opinion = models.OneToOneField(
        Opinion,
        verbose_name=_("opinion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="finding",
    )
    research_topic = models.ForeignKey(
        ResearchTopic,
        verbose_name=_("research topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    feedback = models.ForeignKey(
        GuidanceFeedback,
        verbose_name=_("guidance feedback"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    scope_unit_field = "unit"
    scope_campaign_field = "campaign"

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "unit", "status"], name="inspection_finding_queue"),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("inspection:finding-detail", kwargs={"pk": self.pk})

    def origin(self) -> tuple[str, str | None]:
        """Where the finding came from: ``(label, link)``; one recorded by hand has no link."""
        for field, route, label in _FINDING_ORIGINS:
            pk = getattr(self, field)
            if pk is not None:
                return label % {"pk": pk}, reverse(route, kwargs={"pk": pk})
        return _("Recorded by hand"), None


#: ``(link field, route name, label)`` of each source row a finding may come from.
_FINDING_ORIGINS = (
    ("opinion_id", "inspection:opinion-detail", _("Opinion No. %(pk)s")),
    ("answer_id", "inspection:answer-detail", _("Checklist answer No. %(pk)s")),
    ("research_topic_id", "inspection:research-detail", _("Research topic No. %(pk)s")),
    ("feedback_id", "inspection:feedback-detail", _("Guidance feedback No. %(pk)s")),
)
