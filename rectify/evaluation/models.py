"""Satisfaction evaluation (满意度测评): surveys, their scale, rounds, tokens and responses.

Anonymity is a property of the schema: a :class:`Response` has no link to the
:class:`Token` it was given under nor to any person, neither has a token to its
response, and both carry only the date (never the time) of use, so that no
query can pair them.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rectify.campaigns.models import Campaign, Target
from rectify.core.models import TimeStampedModel
from rectify.inspection.models import TEXT_MAX_LENGTH, Opinion
from rectify.org.models import Unit

#: The satisfaction rate below which a unit must redo the work (补课), in percent.
DEFAULT_THRESHOLD = 60
#: Fewer responses than this show "样本不足" instead of a rate.
DEFAULT_MIN_SAMPLE = 5


class Survey(TimeStampedModel):
    """A satisfaction survey (满意度测评) a unit runs over some units of a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="surveys"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("organizing unit"),
        on_delete=models.PROTECT,
        related_name="surveys_organized",
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("units evaluated"), related_name="surveys_evaluating"
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True, max_length=TEXT_MAX_LENGTH)
    show_briefing = models.BooleanField(
        _("show the briefing"),
        default=True,
        help_text=_("Before the questions, show the unit's rectification results."),
    )
    is_open = models.BooleanField(_("open"), default=True)
    threshold = models.PositiveSmallIntegerField(
        _("threshold (%)"),
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Units below this satisfaction rate are flagged to redo the work (补课)."),
    )
    min_sample = models.PositiveSmallIntegerField(
        _("minimum sample"),
        default=DEFAULT_MIN_SAMPLE,
        validators=[MinValueValidator(1)],
        help_text=_("With fewer responses a unit shows “insufficient sample” instead of a rate."),
    )
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
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Choice(models.Model):
    """One answer of a survey's scale with its weight; no weight means not scored (不了解)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="choices"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    label = models.CharField(_("label"), max_length=20)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Empty: the answer is not scored and leaves the rate's denominator."),
    )
    satisfied = models.BooleanField(_("counts as satisfied"), default=False)

    scope_unit_field = "survey__unit"

    class Meta:
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")
        ordering = ["survey", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "order"], name="evaluation_choice_order"),
            models.CheckConstraint(
                condition=Q(weight__isnull=False) | Q(satisfied=False),
                name="evaluation_choice_unscored_not_satisfied",
                violation_error_message=_(
                    "An answer that is not scored cannot count as satisfied."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def scored(self) -> bool:
        """True unless the answer means "I don't know" (不了解)."""
        return self.weight is not None


class QuestionKind(models.TextChoices):
    OVERALL = "overall", _("Overall rating")
    TARGET = "target", _("Rating of a target")
    COMMENT = "comment", _("Free text")


class Question(models.Model):
    """A question of a survey: the overall rating, the rating of one target, or free text."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    target = models.ForeignKey(
        Target,
        verbose_name=_("target"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    prompt = models.CharField(_("question"), max_length=200)

    scope_unit_field = "survey__unit"

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "order"], name="evaluation_question_order"),
            models.CheckConstraint(
                condition=Q(kind="target", target__isnull=False)
                | (~Q(kind="target") & Q(target__isnull=True)),
                name="evaluation_question_target_iff_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def is_rating(self) -> bool:
        """True for questions answered on the scale (not free text)."""
        return self.kind != QuestionKind.COMMENT


class Round(TimeStampedModel):
    """A round of a survey (e.g. before and after rectification), compared to show a trend."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="rounds"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)

    scope_unit_field = "survey__unit"
    scope_campaign_field = "survey__campaign"

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["survey", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "order"], name="evaluation_round_order")
        ]

    def __str__(self) -> str:
        return self.name


class Token(models.Model):
    """A one-time respondent code of a round for one unit; only its SHA-256 is kept.

    It records that it was used and on which day, never which response it gave.
    """

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="tokens"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    serial = models.PositiveIntegerField(_("number"))
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_on = models.DateField(_("issued on"))
    used = models.BooleanField(_("used"), default=False)
    #: The day only: a time would let someone pair the token with a response.
    used_on = models.DateField(_("used on"), null=True, blank=True)

    scope_unit_field = "round__survey__unit"
    scope_campaign_field = "round__survey__campaign"

    class Meta:
        verbose_name = _("respondent token")
        verbose_name_plural = _("respondent tokens")
        ordering = ["round", "unit", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "serial"], name="evaluation_token_serial"
            ),
            models.CheckConstraint(
                condition=Q(used=False, used_on__isnull=True) | Q(used=True, used_on__isnull=False),
                name="evaluation_token_used_has_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.serial}"


class OpenLink(TimeStampedModel):
    """An open link of a round for one unit: anyone may answer, rate-limited like opinion forms."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="open_links"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(_("link key"), max_length=64, unique=True, editable=False)

    scope_unit_field = "round__survey__unit"
    scope_campaign_field = "round__survey__campaign"

    class Meta:
        verbose_name = _("open link")
        verbose_name_plural = _("open links")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="evaluation_open_link_unit")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"


class Response(models.Model):
    """One anonymous ballot (无记名) about one unit in one round.

    A random primary key and a date-only stamp: neither the order of insertion
    nor the time can be matched to a token's use.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="responses"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField(_("submitted on"))

    scope_unit_field = "round__survey__unit"
    scope_campaign_field = "round__survey__campaign"

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["round", "unit"], name="evaluation_response_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.submitted_on}"


class Answer(models.Model):
    """The answer of one response to one question: a choice of the scale, or free text."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    choice = models.ForeignKey(
        Choice,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers",
    )
    text = models.TextField(_("comment"), blank=True, max_length=TEXT_MAX_LENGTH)
    #: The opinion a staff member promoted this comment into (closing the loop to the ledger).
    promoted_to = models.ForeignKey(
        Opinion,
        verbose_name=_("promoted to opinion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_unit_field = "response__round__survey__unit"
    scope_campaign_field = "response__round__survey__campaign"

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="evaluation_answer_once")
        ]

    def __str__(self) -> str:
        return self.choice.label if self.choice_id else self.text[:40]


class CommentChannel(models.Model):
    """The (closed) opinion form through which a survey's comments about a unit become opinions."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    form = models.OneToOneField(
        "inspection.OpinionForm",
        verbose_name=_("opinion form"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_unit_field = "survey__unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "unit"], name="evaluation_channel_unit")
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.unit}"
