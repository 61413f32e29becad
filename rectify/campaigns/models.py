"""Campaigns (主题教育、巡视整改…), their phases and target requirements."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rectify.core.models import SoftDeleteModel, TimeStampedModel
from rectify.org.models import GuidanceGroup, Unit

DEFAULT_WARNING_DAYS = 7
#: The widest warning window a campaign may set; lights use it to bound index scans.
MAX_WARNING_DAYS = 90


class Campaign(TimeStampedModel, SoftDeleteModel):
    """A campaign (活动): a time-boxed effort with targets to measure units against."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    general_requirement = models.CharField(_("general requirement"), max_length=300, blank=True)
    root_task = models.TextField(_("root task"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    warning_days = models.PositiveSmallIntegerField(
        _("warning window (days)"),
        default=DEFAULT_WARNING_DAYS,
        validators=[MaxValueValidator(MAX_WARNING_DAYS)],
        help_text=_("A measure turns yellow this many days before its deadline."),
    )
    progress_stale_days = models.PositiveSmallIntegerField(
        _("no-progress warning (days)"),
        default=14,
        help_text=_("An open measure with no progress reported for this many days is flagged."),
    )
    extension_approver = models.CharField(
        _("who approves deadline changes"),
        max_length=16,
        choices=[("leader", _("The unit's leader")), ("guidance", _("The guidance group"))],
        default="leader",
    )
    sign_off_levels = models.PositiveSmallIntegerField(
        _("sign-off levels"),
        choices=[(1, _("One: the unit's leader signs off")),
                 (2, _("Two: the leader confirms, the guidance group signs off"))],
        default=2,
        help_text=_("Who must accept a completed measure before it is signed off (销号)."),
    )  # fmt: skip
    organizer = models.ForeignKey(
        Unit,
        verbose_name=_("organizing unit"),
        on_delete=models.PROTECT,
        related_name="organized_campaigns",
    )
    participating_units = models.ManyToManyField(
        Unit,
        verbose_name=_("participating units"),
        related_name="campaigns",
        help_text=_("Each unit takes part with its whole subtree."),
    )

    history = HistoricalRecords()
    scope_unit_field = "organizer"

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warning_days__lte=MAX_WARNING_DAYS),
                name="campaigns_campaign_warning_days_max",
                violation_error_message=_("The warning window is at most 90 days."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="campaigns_campaign_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", kwargs={"slug": self.slug})

    @cached_property
    def participating_paths(self) -> list[str]:
        """The paths of the participating units (the roots of the campaign's subtrees), read
        once per instance: the scoped pages ask several times per request.
        ``campaign_update`` forgets them when it changes the units."""
        return sorted(self.participating_units.values_list("path", flat=True))

    def includes_unit(self, unit: Unit) -> bool:
        """True when ``unit`` lies in one of the participating subtrees."""
        return any(unit.path.startswith(root) for root in self.participating_paths)


class Phase(models.Model):
    """A phase of a campaign (学习教育、调查研究、检视问题、整改落实)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A target requirement (目标要求) that problems are found against."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="targets"
    )
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                name="campaigns_target_code_unique",
                violation_error_message=_("A target with this code already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class GuidanceAssignment(TimeStampedModel):
    """What a guidance group (巡回指导组) supervises in a campaign: units, each with its subtree."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="guidance_assignments",
    )
    group = models.ForeignKey(
        GuidanceGroup,
        verbose_name=_("guidance group"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("assigned units"),
        related_name="guidance_assignments",
        help_text=_("Each unit is supervised with its whole subtree."),
    )

    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        verbose_name = _("guidance assignment")
        verbose_name_plural = _("guidance assignments")
        ordering = ["campaign", "group__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "group"],
                name="campaigns_guidanceassignment_unique",
                violation_error_message=_("This group is already assigned on this campaign."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.campaign}"
