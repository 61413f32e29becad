"""Study (学习教育): meetings and study sessions, who attended them, and what coverage requires.

Attendance belongs to the person, not to a unit: a person who moves to
another unit takes their sessions along, and coverage counts them where
they are now.
"""

from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rectify.campaigns.models import Campaign
from rectify.core.models import SoftDeleteModel, TimeStampedModel, VersionedModel
from rectify.org.models import Person, Rank, Unit

#: The most sessions a campaign may require of one person.
MAX_REQUIRED_SESSIONS = 100
#: The most characters of a leave reason (请假事由).
REASON_MAX_LENGTH = 200
TOPICS_MAX_LENGTH = 5000
MINUTES_MAX_LENGTH = 20000


class MeetingKind(models.TextChoices):
    WORKING = "working", _("Working meeting")
    CONCENTRATED = "concentrated", _("Concentrated study")
    PARTY_LECTURE = "party_lecture", _("Special party lecture")
    SEMINAR = "seminar", _("Seminar and exchange")
    READING = "reading", _("Reading class")
    OTHER = "other", _("Other")


class Meeting(TimeStampedModel, SoftDeleteModel, VersionedModel):
    """A meeting or study session (会议、学习) of a unit in a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="meetings"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("organizing unit"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=MeetingKind, default=MeetingKind.OTHER
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    presider = models.ForeignKey(
        Person,
        verbose_name=_("presided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="presided_meetings",
    )
    speakers = models.ManyToManyField(
        Person, verbose_name=_("speakers"), blank=True, related_name="spoken_meetings"
    )
    topics = models.TextField(
        _("topics and documents studied"),
        blank=True,
        max_length=TOPICS_MAX_LENGTH,
        validators=[MaxLengthValidator(TOPICS_MAX_LENGTH)],
    )
    minutes = models.TextField(
        _("minutes"),
        blank=True,
        max_length=MINUTES_MAX_LENGTH,
        validators=[MaxLengthValidator(MINUTES_MAX_LENGTH)],
    )
    counts_for_coverage = models.BooleanField(
        _("counts as a study session"),
        default=True,
        help_text=_("Attending it counts towards the sessions each person must attend."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[speakers], excluded_fields=["updated_at"])
    scope_unit_field = "unit"
    scope_campaign_field = "campaign"

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "starts_at"], name="study_meeting_campaign"),
            models.Index(fields=["unit", "starts_at"], name="study_meeting_unit"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("study:meeting-detail", kwargs={"pk": self.pk})


def meeting_file_path(instance: "MeetingFile", filename: str) -> str:
    """Store under a date folder with a neutral name; the original name is kept in the row."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return timezone.now().strftime("study/%Y/%m/") + f"{instance.sha256[:32]}{suffix}"


class MeetingFile(TimeStampedModel):
    """A document studied at a meeting, or its minutes, served only within scope."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=meeting_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    scope_unit_field = "meeting__unit"
    scope_campaign_field = "meeting__campaign"

    class Meta:
        verbose_name = _("meeting file")
        verbose_name_plural = _("meeting files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("study:file-download", kwargs={"pk": self.pk})


class InviteRule(models.TextChoices):
    """Whom an invitation by rule picks (a unit's subtree, or a guidance group)."""

    SUBTREE = "subtree", _("Everyone of the unit and the units below it")
    KEY_GROUP = (
        "key_group",
        _("Key group: leading cadres at county level and above, leadership groups"),
    )
    LEADERSHIP = "leadership", _("Members of the leadership groups")
    GUIDANCE_GROUP = "guidance_group", _("The guidance group's leader and members")


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", _("Not marked yet")
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


class Attendance(TimeStampedModel, VersionedModel):
    """One invited person of a meeting and whether they came (出席 / 请假 / 缺席)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="attendance"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(
        _("attendance"),
        max_length=8,
        choices=AttendanceStatus,
        default=AttendanceStatus.INVITED,
    )
    reason = models.CharField(_("reason for leave"), max_length=REASON_MAX_LENGTH, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    scope_unit_field = "meeting__unit"
    scope_campaign_field = "meeting__campaign"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "person__unit__path", "person__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="study_attendance_unique",
                violation_error_message=_("This person is already invited to this meeting."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AttendanceStatus.LEAVE) | ~models.Q(reason=""),
                name="study_attendance_leave_reason",
                violation_error_message=_("Leave needs a reason."),
            ),
        ]
        # Coverage counts each person's sessions: one range of this index per person.
        indexes = [
            models.Index(fields=["person", "status", "meeting"], name="study_attendance_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()}"


class StudyRequirement(TimeStampedModel, VersionedModel):
    """How many study sessions each person must attend in a campaign (学习全覆盖)."""

    campaign = models.OneToOneField(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="study_requirement",
    )
    default_sessions = models.PositiveSmallIntegerField(
        _("sessions required"),
        default=1,
        validators=[MaxValueValidator(MAX_REQUIRED_SESSIONS)],
        help_text=_("Of everyone whose rank has no number of its own."),
    )
    #: ``{rank value: sessions}``; a rank left out requires :attr:`default_sessions`.
    sessions_by_rank = models.JSONField(_("sessions required by rank"), default=dict, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    scope_unit_field = "campaign__organizer"

    class Meta:
        verbose_name = _("study requirement")
        verbose_name_plural = _("study requirements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_sessions__lte=MAX_REQUIRED_SESSIONS),
                name="study_requirement_default_max",
                violation_error_message=_("At most 100 sessions may be required."),
            )
        ]

    def __str__(self) -> str:
        return str(self.campaign)

    def sessions_for(self, rank: str) -> int:
        """The sessions a person of ``rank`` must attend."""
        return int(self.sessions_by_rank.get(rank, self.default_sessions))

    def exceptions(self) -> list[tuple[str, int]]:
        """``(rank label, sessions)`` of the ranks that differ from the default."""
        return [
            (label, self.sessions_for(rank))
            for rank, label in Rank.choices
            if self.sessions_for(rank) != self.default_sessions
        ]

    def by_rank(self) -> dict[str, int]:
        """The sessions required of every rank, the default filled in."""
        return {rank: self.sessions_for(rank) for rank in Rank.values}
