"""Every write of the news app: articles, their review and publication, files, view counts.

Views, the demo and commands call these. Each write is one transaction and
records who acted (and why) in the history; edits carry the version they were
made on and are refused when someone saved since. Who may write: the unit
administrators of the source unit's subtree (``rectify.org.scoping``).
"""

import datetime as dt
import re
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.services import attribute_history, claim_version, restore, soft_delete
from rectify.core.uploads import store_uploads, validate_evidence_file
from rectify.ledger.models import Measure, Problem
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit, visible_to
from rectify.study.models import Meeting

from .images import is_image_name, reencode_image
from .models import Article, ArticleStatus, ArticleView, Attachment
from .sanitize import clean_html

ARTICLE_FIELDS = (
    "title",
    "subtitle",
    "body",
    "category",
    "source",
    "author",
    "campaign",
    "meeting",
    "publicity_unit",
)
#: One browser counts once per article within this window.
VIEW_WINDOW = dt.timedelta(minutes=30)
#: User agents that say they are robots (crawlers, link previews, feed fetchers).
BOT_AGENT = re.compile(
    r"bot|spider|crawl|slurp|archiver|facebookexternalhit|python-requests|wget|curl",
    re.IGNORECASE,
)


def _acting(user):
    return user if getattr(user, "pk", None) else None


def _require_editor(user, unit: Unit) -> None:
    if not can_change_unit(user, unit):
        raise PermissionDenied(_("You may not change the articles of “%(unit)s”.") % {"unit": unit})


def review_required() -> bool:
    """True when this site has a reviewer publish what editors submit."""
    return settings.RECTIFY_NEWS_REVIEW


def _check_links(article: Article, user, problems, measures) -> None:
    """Linked objects must be ones the editor may see (or, for the publicity unit, change)."""
    errors = {}
    if article.publicity_unit_id and not can_change_unit(user, article.publicity_unit):
        errors["publicity_unit"] = _("You may publicize only units you administer.")
    if (
        article.campaign_id
        and not campaigns_visible_to(user).filter(pk=article.campaign_id).exists()
    ):
        errors["campaign"] = _("Choose a campaign you can see.")
    if article.meeting_id:
        if not visible_to(Meeting.objects.filter(pk=article.meeting_id), user).exists():
            errors["meeting"] = _("Choose a meeting you can see.")
        elif article.campaign_id and article.meeting.campaign_id != article.campaign_id:
            errors["meeting"] = _("The meeting belongs to another campaign.")
    for field, model, rows in (("problems", Problem, problems), ("measures", Measure, measures)):
        ids = {row.pk for row in rows or ()}
        if ids and visible_to(model.objects.filter(pk__in=ids), user).count() != len(ids):
            errors[field] = _("Choose only items you can see.")
    if errors:
        raise ValidationError(errors)


def _clean(article: Article) -> None:
    article.body = clean_html(article.body)
    article.full_clean(exclude=["problems", "measures", "cover"])


@transaction.atomic
def article_create(
    *,
    source: Unit,
    title: str,
    category: str,
    acting_user,
    body: str = "",
    subtitle: str = "",
    author: str = "",
    campaign=None,
    meeting=None,
    publicity_unit: Unit | None = None,
    problems: Sequence[Problem] = (),
    measures: Sequence[Measure] = (),
    reason: str = "",
) -> Article:
    """A draft article of ``source``; its body is cleaned against the allow-list."""
    _require_editor(acting_user, source)
    article = Article(
        source=source,
        title=title,
        subtitle=subtitle,
        body=body,
        category=category,
        author=author,
        campaign=campaign,
        meeting=meeting,
        publicity_unit=publicity_unit,
        created_by=_acting(acting_user),
    )
    _clean(article)
    _check_links(article, acting_user, problems, measures)
    attribute_history(article, acting_user=acting_user, reason=reason)
    article.save()
    article.problems.set(problems)
    article.measures.set(measures)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    expected_version: int,
    acting_user,
    reason: str = "",
    problems: Sequence[Problem] | None = None,
    measures: Sequence[Measure] | None = None,
    **fields,
) -> Article:
    """Change an article; refused if someone saved it since ``expected_version``."""
    _require_editor(acting_user, article.source)
    if article.is_deleted:
        raise ValidationError(_("A deleted article cannot be changed; restore it first."))
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValueError(f"article_update cannot change {sorted(unknown)}")
    if "source" in fields:
        _require_editor(acting_user, fields["source"])
    for name, value in fields.items():
        setattr(article, name, value)
    _clean(article)
    _check_links(article, acting_user, problems, measures)
    claim_version(article, expected_version=expected_version)
    attribute_history(article, acting_user=acting_user, reason=reason)
    article.save()
    if problems is not None:
        article.problems.set(problems)
    if measures is not None:
        article.measures.set(measures)
    return article


def _transition(article: Article, acting_user, reason: str) -> None:
    claim_version(article, expected_version=None)
    attribute_history(article, acting_user=acting_user, reason=reason)
    article.save()


@transaction.atomic
def article_submit(*, article: Article, acting_user, reason: str = "") -> Article:
    """Hand a draft (or a withdrawn article) to a reviewer."""
    _require_editor(acting_user, article.source)
    if article.status not in (ArticleStatus.DRAFT, ArticleStatus.WITHDRAWN):
        raise ValidationError(_("Only a draft or a withdrawn article can be submitted."))
    article.status = ArticleStatus.REVIEW
    article.submitted_by = _acting(acting_user)
    _transition(article, acting_user, reason or _("Submitted for review"))
    return article


@transaction.atomic
def article_publish(
    *, article: Article, acting_user, at: dt.datetime | None = None, reason: str = ""
) -> Article:
    """Publish now, or at ``at`` (scheduled: the public site shows it from then on).

    When the site requires review, the article must have been submitted, and
    the one who publishes it must not be the one who submitted it.
    """
    _require_editor(acting_user, article.source)
    if article.is_deleted:
        raise ValidationError(_("A deleted article cannot be published; restore it first."))
    if review_required():
        if article.status != ArticleStatus.REVIEW:
            raise ValidationError(_("This site publishes only articles submitted for review."))
        if article.submitted_by_id and article.submitted_by_id == getattr(acting_user, "pk", None):
            raise PermissionDenied(_("Another person must review and publish what you submitted."))
    if not article.title.strip():
        raise ValidationError(_("An article needs a title before it is published."))
    now = timezone.now()
    article.publish_at = at or now
    article.status = (
        ArticleStatus.SCHEDULED if article.publish_at > now else ArticleStatus.PUBLISHED
    )
    article.withdraw_reason = ""
    _transition(article, acting_user, reason or _("Published"))
    return article


@transaction.atomic
def article_withdraw(*, article: Article, reason: str, acting_user) -> Article:
    """Take an article off the public site, keeping it, with the reason why."""
    _require_editor(acting_user, article.source)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the article is withdrawn.")})
    article.status = ArticleStatus.WITHDRAWN
    article.withdraw_reason = reason[:500]
    _transition(article, acting_user, reason)
    return article


@transaction.atomic
def article_delete(*, article: Article, acting_user, reason: str = "") -> None:
    """Soft-delete an article: it leaves every page until an administrator restores it."""
    _require_editor(acting_user, article.source)
    if article.is_deleted:
        return
    claim_version(article, expected_version=None)
    soft_delete(article, acting_user=acting_user, reason=reason)


@transaction.atomic
def article_restore(*, article: Article, acting_user, reason: str = "") -> None:
    """Bring back a deleted article, in the status it had."""
    _require_editor(acting_user, article.source)
    if not article.is_deleted:
        return
    claim_version(article, expected_version=None)
    restore(article, acting_user=acting_user, reason=reason)


def _prepare(upload: UploadedFile, *, image_only: bool) -> UploadedFile:
    if image_only or is_image_name(upload.name):
        return reencode_image(upload)
    validate_evidence_file(upload)
    return upload


@transaction.atomic
def attachment_add(
    *, article: Article, uploads: Sequence[UploadedFile], acting_user, images_only: bool = False
) -> list[Attachment]:
    """Store files on ``article``; every image is verified and re-encoded first.

    With ``images_only`` anything that is not an image is refused. All refusals
    come at once under ``files`` and nothing is stored.
    """
    _require_editor(acting_user, article.source)
    prepared, errors = [], []
    for upload in uploads:
        try:
            prepared.append(_prepare(upload, image_only=images_only))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return store_uploads(
        prepared,
        lambda **facts: Attachment(
            article=article, is_image=facts["content_type"].startswith("image/"), **facts
        ),
    )


@transaction.atomic
def article_set_cover(*, article: Article, upload: UploadedFile, acting_user) -> Attachment:
    """Store ``upload`` (an image) and make it the article's cover."""
    (cover,) = attachment_add(
        article=article, uploads=[upload], acting_user=acting_user, images_only=True
    )
    Article.all_objects.filter(pk=article.pk).update(cover=cover)
    article.cover = cover
    return cover


# View counting -------------------------------------------------------------------


def browser_key(cookie_value: str) -> str:
    """The salted hash under which a browser's cookie id is kept (the id itself is not)."""
    return salted_hmac("rectify.news.browser", cookie_value).hexdigest()[:40]


def is_robot(user_agent: str) -> bool:
    """True for user agents that announce themselves as robots."""
    return bool(BOT_AGENT.search(user_agent or ""))


def view_claim(
    *, article_id: int, browser: str, now: dt.datetime | None = None, returning: bool = True
) -> bool:
    """Count one view of the article by ``browser`` unless it counted within the window.

    The claim is one upsert on the unique (article, browser) pair: it inserts
    the pair, or moves its time forward only if the last count is older than
    :data:`VIEW_WINDOW`; a row comes back only when the view counts. The
    inserted or moved row fires a trigger (migration 0002) that adds one to the
    article's ``view_count`` within the same statement, so the claim and the
    count are one atomic write: simultaneous views are neither lost nor
    counted twice (SQLite's busy timeout makes writers wait their turn).

    A ``returning`` browser (one that sent its cookie) is first looked up with a
    plain read, so that a reload within the window writes nothing; a browser
    given its id just now cannot have been counted and goes straight to the claim.
    """
    now = now or timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    since = adapt(now - VIEW_WINDOW)
    # Plain SQL: this runs on every public page view, and building these
    # statements through the ORM cost more than the page's template.
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(_SEEN_SQL, [article_id, browser, since])
            if cursor.fetchone() is not None:
                return False
        cursor.execute(_CLAIM_SQL, [article_id, browser, adapt(now), since])
        return cursor.fetchone() is not None


_VIEWS = ArticleView._meta.db_table
_SEEN_SQL = f"SELECT 1 FROM {_VIEWS} WHERE article_id = %s AND browser = %s AND counted_at >= %s"
_CLAIM_SQL = (
    f"INSERT INTO {_VIEWS} (article_id, browser, counted_at) VALUES (%s, %s, %s) "
    f"ON CONFLICT (article_id, browser) DO UPDATE SET counted_at = excluded.counted_at "
    f"WHERE {_VIEWS}.counted_at < %s RETURNING id"
)


def view_records_prune(*, now: dt.datetime | None = None) -> int:
    """Forget browsers whose last counted view is older than the window (housekeeping)."""
    cutoff = (now or timezone.now()) - VIEW_WINDOW
    deleted, _per_model = ArticleView.objects.filter(counted_at__lt=cutoff).delete()
    return deleted
