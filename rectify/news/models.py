"""Articles of the public site, their files, and the record that counts each browser once."""

from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rectify.campaigns.models import Campaign
from rectify.core.models import AliveQuerySet, SoftDeleteModel, TimeStampedModel, VersionedModel
from rectify.ledger.models import Measure, Problem
from rectify.org.models import Unit
from rectify.study.models import Meeting

TITLE_MAX_LENGTH = 200
AUTHOR_MAX_LENGTH = 100
BODY_MAX_LENGTH = 200_000
REASON_MAX_LENGTH = 500


class Category(models.TextChoices):
    """The sections of the public site."""

    WORK = "work", _("Work news")
    CASES = "cases", _("Typical cases")
    NOTICES = "notices", _("Notices and announcements")
    RECTIFICATION = "rectification", _("Rectification publicity")


class ArticleStatus(models.TextChoices):
    """Where an article stands; only published ones (and scheduled ones whose time has
    come) are shown publicly."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Awaiting review")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Statuses that put an article on the public site once its publish time has come.
LIVE_STATUSES = (ArticleStatus.SCHEDULED, ArticleStatus.PUBLISHED)


class ArticleQuerySet(AliveQuerySet):
    """Articles, with the public site's filter."""

    def public(self, now=None):
        """Articles the public may read now: published (or scheduled and due), not deleted."""
        return self.filter(
            deleted_at__isnull=True,
            status__in=LIVE_STATUSES,
            publish_at__lte=now or timezone.now(),
        )


class AliveArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    """Default manager: hides soft-deleted articles."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Article(TimeStampedModel, SoftDeleteModel, VersionedModel):
    """A news item, typical case, notice or rectification publicity of a source unit."""

    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    subtitle = models.CharField(_("subtitle"), max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(
        _("body"),
        blank=True,
        max_length=BODY_MAX_LENGTH,
        validators=[MaxLengthValidator(BODY_MAX_LENGTH)],
        help_text=_("HTML; only headings, paragraphs, lists, tables, links and our own images "
                    "are kept."),
    )  # fmt: skip
    category = models.CharField(_("category"), max_length=16, choices=Category)
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("publish time"), null=True, blank=True)
    source = models.ForeignKey(
        Unit,
        verbose_name=pgettext_lazy("news", "source"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    author = models.CharField(
        pgettext_lazy("news", "author"), max_length=AUTHOR_MAX_LENGTH, blank=True
    )
    cover = models.ForeignKey(
        "Attachment",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdraw_reason = models.CharField(
        _("reason for withdrawal"), max_length=REASON_MAX_LENGTH, blank=True
    )
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    problems = models.ManyToManyField(
        Problem, verbose_name=_("problems"), blank=True, related_name="articles"
    )
    measures = models.ManyToManyField(
        Measure, verbose_name=_("measures"), blank=True, related_name="articles"
    )
    publicity_unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit whose signed-off measures are shown"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Rectification publicity: a live table of the unit's signed-off measures "
                    "is shown below the body."),
    )  # fmt: skip
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted for review by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
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

    objects = AliveArticleManager()
    all_objects = models.Manager.from_queryset(ArticleQuerySet)()
    history = HistoricalRecords(excluded_fields=["updated_at", "view_count"])

    scope_unit_field = "source"

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-publish_at", "-id"]
        base_manager_name = "all_objects"
        indexes = [
            models.Index(
                fields=["category", "-publish_at"],
                name="news_article_public",
                condition=Q(deleted_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newssite:article", kwargs={"pk": self.pk})

    @property
    def shown_status(self) -> str:
        """The status as staff read it: a scheduled article whose time has come is published."""
        if self.status == ArticleStatus.SCHEDULED and self.is_public:
            return ArticleStatus.PUBLISHED.label
        return self.get_status_display()

    @property
    def is_public(self) -> bool:
        """True when the public may read it now."""
        return (
            self.deleted_at is None
            and self.status in LIVE_STATUSES
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Store under a date folder with a neutral name; the original name is kept in the row."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return timezone.now().strftime("news/%Y/%m/") + f"{instance.sha256[:32]}{suffix}"


class Attachment(TimeStampedModel):
    """A file of an article (an image shown in its body, or a document to download)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_image = models.BooleanField(_("image"), default=False)

    scope_unit_field = "article__source"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("newssite:file", kwargs={"pk": self.pk})


class ArticleView(models.Model):
    """When one browser (a salted hash of its cookie) last counted as a view of an article.

    The unique pair is what makes counting race-free: a claim is one upsert that
    inserts the pair or moves its time forward only when the last count is older
    than the window, so of many simultaneous requests of one browser one wins.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    browser = models.CharField(max_length=64)
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("article view")
        verbose_name_plural = _("article views")
        constraints = [
            models.UniqueConstraint(fields=["article", "browser"], name="news_view_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} · {self.counted_at:%Y-%m-%d %H:%M}"
