"""The rectification ledger: problems, measures and who answers for them (三个清单)."""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rectify.campaigns.models import Campaign, Target
from rectify.core.models import SoftDeleteModel, TimeStampedModel, VersionedModel
from rectify.org.models import Person, Unit


class Source(models.TextChoices):
    SELF_EXAMINATION = "self", _("Self-examination")
    OPINIONS = "opinions", _("Solicited opinions")
    RESEARCH = "research", _("Research")
    SUPERIOR = "superior", _("Feedback from superiors")
    GUIDANCE_GROUP = "guidance", _("Guidance group feedback")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    LEADERSHIP_GROUP = "group", _("Leadership group")
    LEADER = "leader", _("Individual leading cadre")
    MEMBER = "member", _("Party members and cadres")
    UNIT = "unit", _("Unit")


class ProblemStatus(models.TextChoices):
    """Derived from the problem's measures, never stored."""

    NO_MEASURE = "no_measure", _("Awaiting measures")
    IN_PROGRESS = "in_progress", _("Being rectified")
    COMPLETED = "completed", _("Completed")
    SIGNED_OFF = "signed_off", _("Signed off")


class Problem(TimeStampedModel, SoftDeleteModel, VersionedModel):
    """A problem found against a campaign target (问题清单 row)."""

    # Indexed by ledger_problem_campaign_unit, which leads with it.
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="problems",
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="problems"
    )
    target = models.ForeignKey(
        Target,
        verbose_name=_("target"),
        on_delete=models.PROTECT,
        related_name="problems",
        help_text=_("The target requirement this problem falls short of."),
    )
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=16, choices=Source, default=Source.OTHER)
    level = models.CharField(_("level"), max_length=16, choices=Level, default=Level.UNIT)
    found_on = models.DateField(_("date found"), default=timezone.localdate)
    concerned_person = models.ForeignKey(
        Person,
        verbose_name=_("person concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # History is read by object (``id``) and user, never by these: their indexes would
    # only slow down every write, and a ledger import writes a hundred thousand records.
    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        no_db_index=["campaign", "unit", "target", "concerned_person", "created_by"],
    )
    scope_unit_field = "unit"
    scope_person_field = "measures__responsible_persons"
    scope_campaign_field = "campaign"

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["campaign", "unit"], name="ledger_problem_campaign_unit"),
            # The problem list sorted by the date found (then id), a page at a time.
            models.Index(
                fields=["found_on", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="ledger_problem_found_order",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    def get_absolute_url(self) -> str:
        return reverse("ledger:problem-detail", kwargs={"pk": self.pk})


class MeasureKind(models.TextChoices):
    IMMEDIATE = "immediate", _("Rectify at once")
    DEADLINE = "deadline", _("Rectify by a deadline")
    LONG_TERM = "long_term", _("Long-term")


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed, awaiting acceptance")
    CONFIRMED = "confirmed", _("Confirmed by the leader, awaiting the guidance group")
    SIGNED_OFF = "signed_off", _("Signed off")


#: Statuses in which a measure's work is done (its light is green unless long-term).
DONE_STATUSES = (MeasureStatus.COMPLETED, MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF)
#: Every other status: the work is still open.
OPEN_STATUSES = tuple(s for s in MeasureStatus if s not in DONE_STATUSES)


#: The measure's counters of :class:`Urge` and approved :class:`ExtensionRequest` rows.
COUNTERS = ("urge_count", "extension_count")


class Measure(TimeStampedModel, SoftDeleteModel, VersionedModel):
    """A rectification measure (整改措施) with the people who answer for it (责任清单)."""

    # problem, campaign, unit and responsible_department are indexed by the composite
    # indexes of Meta that lead with them: a single-column index beside each would only
    # cost every insert (a ledger import writes a hundred thousand).
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.PROTECT,
        related_name="measures",
        db_index=False,
    )
    # Copied from the problem by the services so that lists filter and scope
    # a million measures without a join.
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="measures",
        editable=False,
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="measures",
        editable=False,
        db_index=False,
    )
    content = models.TextField(_("measure"))
    expected_outcome = models.TextField(_("expected outcome"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=MeasureKind, default=MeasureKind.DEADLINE
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    responsible_leader = models.ForeignKey(
        Person,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_department = models.ForeignKey(
        Unit,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="department_measures",
        db_index=False,
    )
    responsible_persons = models.ManyToManyField(
        Person, verbose_name=_("responsible persons"), related_name="measures"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MeasureStatus, default=MeasureStatus.NOT_STARTED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    original_deadline = models.DateField(
        _("original deadline"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The deadline before the first approved extension."),
    )
    mechanism = models.TextField(
        _("standing mechanism"),
        blank=True,
        editable=False,
        help_text=_("For a long-term measure: the mechanism in place that keeps it up (长效机制)."),
    )
    #: Kept by the urging and extension services with SQL increments in their transaction
    #: (:func:`rectify.ledger.pressure.recount` sets them from the rows), never written
    #: from a loaded measure: the dashboard ranks a campaign's most-pressed measures by
    #: them instead of grouping every urge and extension.
    urge_count = models.PositiveIntegerField(_("times urged"), default=0, editable=False)
    extension_count = models.PositiveIntegerField(
        _("deadline extensions approved"), default=0, editable=False
    )

    # As for problems: history is read by object; "measure" and "person" are the fields of
    # the responsible persons' history rows (read by their history record).
    history = HistoricalRecords(
        excluded_fields=["updated_at", "urge_count", "extension_count"],
        m2m_fields=[responsible_persons],
        no_db_index=[
            *("problem", "campaign", "unit", "responsible_leader", "responsible_department"),
            *("measure", "person"),
        ],
    )
    scope_unit_field = "unit"
    scope_person_field = "responsible_persons"
    scope_campaign_field = "campaign"

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["problem_id", "id"]
        indexes = [
            models.Index(fields=["problem", "id"], name="ledger_measure_problem_id"),
            models.Index(fields=["unit", "status", "deadline"], name="ledger_measure_unit_status"),
            models.Index(fields=["status", "deadline"], name="ledger_measure_status_deadline"),
            # Live measures of a campaign by status, then deadline: the lists' status filter,
            # and the dashboard's red and yellow counts over a whole campaign (covered).
            models.Index(
                fields=["campaign", "status", "deadline"],
                condition=models.Q(deleted_at__isnull=True),
                name="ledger_measure_campaign_due",
            ),
            models.Index(
                fields=["responsible_department", "status"], name="ledger_measure_department"
            ),
            # Open live measures by creation: with one progress window for all campaigns,
            # "no recent progress" reads only those old enough to be stalled (1.6 s -> 30 ms
            # for a million measures none of which is).
            models.Index(
                fields=["status", "created_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="ledger_measure_stalled",
            ),
            # The measure list sorted by deadline or by last change (then id): a page of
            # fifty walks the index instead of sorting a million rows (1.6 s on SQLite).
            *(
                models.Index(
                    fields=[field, "id"],
                    condition=models.Q(deleted_at__isnull=True),
                    name=f"ledger_measure_{name}_order",
                )
                for field, name in (("deadline", "deadline"), ("updated_at", "updated"))
            ),
            # Covers the standing report's count of a campaign by unit, status and light:
            # without it, counting a million measures reads the whole table (3x slower).
            models.Index(
                fields=["campaign", "unit", "status", "deadline", "kind"],
                condition=models.Q(deleted_at__isnull=True),
                name="ledger_measure_report",
            ),
            # The most urged and most extended live measures: of a whole campaign in the
            # dashboard's ranking order, and of a subtree's units (a few among thousands).
            # Status and kind make the lists' light counts of them index-only: the green
            # ones come last in ranking order (126 ms to reach through the table).
            *(
                index
                for counter, name in (("urge_count", "urged"), ("extension_count", "extended"))
                for index in (
                    models.Index(
                        F("campaign"),
                        F(counter).desc(),
                        F("deadline"),
                        F("id"),
                        F("status"),
                        F("kind"),
                        condition=models.Q(deleted_at__isnull=True, **{f"{counter}__gt": 0}),
                        name=f"ledger_measure_{name}",
                    ),
                    models.Index(
                        fields=["unit", "campaign"],
                        condition=models.Q(deleted_at__isnull=True, **{f"{counter}__gt": 0}),
                        name=f"ledger_measure_{name}_unit",
                    ),
                    # The measure list filtered to them, in its own order: without it,
                    # SQLite sorts every urged measure for a page of fifty (300 ms).
                    models.Index(
                        fields=["problem", "id"],
                        condition=models.Q(deleted_at__isnull=True, **{f"{counter}__gt": 0}),
                        name=f"ledger_measure_{name}_order",
                    ),
                )
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=MeasureKind.LONG_TERM) | models.Q(deadline__isnull=False),
                name="ledger_measure_deadline_unless_long_term",
                violation_error_message=_(
                    "A deadline is required unless the measure is long-term."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.content[:40]

    def save(self, *args, **kwargs) -> None:
        """Save, leaving :data:`COUNTERS` to the increments that keep them: a measure
        loaded before an urge must not write back the count it was loaded with."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in COUNTERS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("ledger:measure-detail", kwargs={"pk": self.pk})

    @property
    def is_done(self) -> bool:
        """True once completed or signed off."""
        return self.status in DONE_STATUSES


class ProgressNote(TimeStampedModel):
    """A dated progress report on a measure (整改进展), with optional evidence."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="progress_notes"
    )
    reported_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("progress"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_unit_field = "measure__unit"
    scope_person_field = "measure__responsible_persons"
    scope_campaign_field = "measure__campaign"

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


def evidence_path(instance: "Evidence", filename: str) -> str:
    """Store under a date folder with a neutral name; the original name is kept in the row."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return timezone.now().strftime("evidence/%Y/%m/") + f"{instance.sha256[:32]}{suffix}"


class Evidence(TimeStampedModel):
    """An evidence file (佐证材料) attached to a progress note, served only within scope."""

    note = models.ForeignKey(
        ProgressNote,
        verbose_name=_("progress note"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    scope_unit_field = "note__measure__unit"
    scope_person_field = "note__measure__responsible_persons"
    scope_campaign_field = "note__measure__campaign"

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("ledger:evidence-download", kwargs={"pk": self.pk})


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted for acceptance")
    CONFIRM = "confirm", _("Confirmed by the leader")
    ACCEPT = "accept", _("Accepted and signed off")
    SEND_BACK = "send_back", _("Sent back")
    REOPEN = "reopen", _("Reopened")


class Review(models.Model):
    """One step of a measure's sign-off (销号) workflow: who decided what, when and why."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="reviews"
    )
    action = models.CharField(_("action"), max_length=16, choices=ReviewAction)
    from_status = models.CharField(_("from status"), max_length=16, choices=MeasureStatus)
    to_status = models.CharField(_("to status"), max_length=16, choices=MeasureStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("statement, opinion or reason"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    scope_unit_field = "measure__unit"
    scope_person_field = "measure__responsible_persons"
    scope_campaign_field = "measure__campaign"

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["measure", "created_at"], name="ledger_review_measure")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.measure_id}"


class Urge(models.Model):
    """An urge (催办) on a measure: who pressed for progress, when, and with what message."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="urges"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("urged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    scope_unit_field = "measure__unit"
    scope_person_field = "measure__responsible_persons"
    scope_campaign_field = "measure__campaign"

    class Meta:
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["measure", "created_at"], name="ledger_urge_measure")]

    def __str__(self) -> str:
        return self.message[:40]


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """A request to move a measure's deadline (延期申请), and its decision."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    old_deadline = models.DateField(_("deadline before"))
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=ExtensionStatus, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)

    scope_unit_field = "measure__unit"
    scope_person_field = "measure__responsible_persons"
    scope_campaign_field = "measure__campaign"

    class Meta:
        verbose_name = _("deadline change request")
        verbose_name_plural = _("deadline change requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["measure", "status"], name="ledger_extension_measure")]
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=models.Q(status="pending"),
                name="ledger_extension_one_pending",
                violation_error_message=_("This measure already has a pending request."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.old_deadline} → {self.new_deadline}"


def _count(verbose_name) -> models.IntegerField:
    return models.IntegerField(verbose_name, default=0, editable=False)


class Tally(models.Model):
    """A campaign's live problems and measures in one unit's whole subtree, against one target.

    Derived data, never edited by hand: :mod:`rectify.ledger.tallies` keeps it in
    the transaction of every ledger change, so that the gap matrix, the pipeline
    and the dashboard read a few rows per unit of a node instead of counting a
    million measures. ``rectify rebuild_tallies`` recomputes it from the ledger.
    A column per source, level, status and kind: a new choice needs a migration.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+", db_index=False)
    problems = _count(_("problems"))
    #: Problems whose live measures are all done (at least one), signed off or not.
    problems_done = _count(_("problems done"))
    #: Problems whose live measures are all signed off (at least one): their derived status.
    problems_signed_off = _count(_("problems signed off"))
    source_self = _count(Source.SELF_EXAMINATION.label)
    source_opinions = _count(Source.OPINIONS.label)
    source_research = _count(Source.RESEARCH.label)
    source_superior = _count(Source.SUPERIOR.label)
    source_guidance = _count(Source.GUIDANCE_GROUP.label)
    source_other = _count(Source.OTHER.label)
    level_group = _count(Level.LEADERSHIP_GROUP.label)
    level_leader = _count(Level.LEADER.label)
    level_member = _count(Level.MEMBER.label)
    level_unit = _count(Level.UNIT.label)
    measures = _count(_("measures"))
    status_not_started = _count(MeasureStatus.NOT_STARTED.label)
    status_in_progress = _count(MeasureStatus.IN_PROGRESS.label)
    status_completed = _count(MeasureStatus.COMPLETED.label)
    status_confirmed = _count(MeasureStatus.CONFIRMED.label)
    status_signed_off = _count(MeasureStatus.SIGNED_OFF.label)
    kind_immediate = _count(MeasureKind.IMMEDIATE.label)
    kind_deadline = _count(MeasureKind.DEADLINE.label)
    kind_long_term = _count(MeasureKind.LONG_TERM.label)
    #: Long-term measures with no date: the grey light, the one light a date does not move.
    grey = _count(_("long-term without a date"))

    class Meta:
        verbose_name = _("ledger tally")
        verbose_name_plural = _("ledger tallies")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "target"], name="ledger_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit_id}/{self.target_id}: {self.problems}"


class TallyDay(models.Model):
    """A campaign's live measures in one unit's whole subtree, per day: created that day,
    completed that day (if done now), signed off that day (if signed off now).

    Kept with :class:`Tally` by :mod:`rectify.ledger.tallies`; the dashboard's
    burn-down sums it over weeks instead of grouping a million measures by day.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    created = _count(_("created"))
    done = _count(_("completed"))
    signed_off = _count(_("signed off"))

    class Meta:
        verbose_name = _("ledger tally of a day")
        verbose_name_plural = _("ledger tallies of days")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "day"], name="ledger_tallyday_key")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit_id}/{self.day}: +{self.created} −{self.done}"
