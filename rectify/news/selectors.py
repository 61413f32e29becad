"""Reads of the news app: the public site's lists, and the articles staff may manage."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from rectify.core.search import text_match
from rectify.ledger.models import Measure, MeasureStatus
from rectify.org.models import Unit
from rectify.org.scoping import editable_by, units_in_paths

from .models import LIVE_STATUSES, Article, Attachment, Category

#: Characters of a search the public site reads; the rest is ignored.
SEARCH_MAX_LENGTH = 50
#: Rows of a rectification publicity table.
PUBLICITY_MAX_ROWS = 500
HOME_PER_CATEGORY = 6
LIST_COLUMNS = ("id", "title", "category", "publish_at", "source__name")


def public_articles() -> QuerySet[Article]:
    """Articles the public may read now, newest first, with their source."""
    return Article.objects.public().select_related("source").order_by("-publish_at", "-id")


@dataclass(frozen=True)
class PublicArticle:
    """What the public article page shows of a published article, read in one statement."""

    pk: int
    title: str
    subtitle: str
    category: str
    publish_at: dt.datetime
    author: str
    view_count: int
    body: str
    source_id: int
    source_name: str
    publicity_unit_id: int | None
    has_files: bool


def public_article(pk: int) -> PublicArticle | None:
    """The article ``pk`` if the public may read it now, with its source's name and whether
    it has files to download; ``None`` otherwise.

    Plain SQL into a plain record because this is the public site's hottest
    read: composing it through the ORM (soft-delete manager, status, time, join,
    EXISTS) and building a model instance cost more than the page's own
    template (``bench/public_site.py``). The time column goes through the
    backend's own converters, as the ORM's would.
    """
    params = [False, pk, *LIVE_STATUSES, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(_PUBLIC_ARTICLE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    publish_at = Article._meta.get_field("publish_at")
    for convert in connection.ops.get_db_converters(publish_at.get_col(Article._meta.db_table)):
        row[4] = convert(row[4], publish_at, connection)
    row[-1] = bool(row[-1])
    return PublicArticle(*row)


_PUBLIC_ARTICLE_SQL = f"""
SELECT a.id, a.title, a.subtitle, a.category, a.publish_at, a.author, a.view_count, a.body,
       a.source_id, u.name, a.publicity_unit_id,
       EXISTS (SELECT 1 FROM {Attachment._meta.db_table} f
               WHERE f.article_id = a.id AND f.is_image = %s)
FROM {Article._meta.db_table} a JOIN {Unit._meta.db_table} u ON u.id = a.source_id
WHERE a.id = %s AND a.deleted_at IS NULL AND a.status IN (%s, %s) AND a.publish_at <= %s
"""


def has_files() -> Exists:
    """An annotation: does the article have files to download (not images)?"""
    return Exists(Attachment.objects.filter(article=OuterRef("pk"), is_image=False))


def public_home() -> list[tuple[str, str, list[Article]]]:
    """``(category, label, latest articles)`` for each category of the public site."""
    now = timezone.now()
    rows = []
    for category in Category:
        latest = list(
            Article.objects.public(now)
            .filter(category=category)
            .order_by("-publish_at", "-id")
            .only("id", "title", "publish_at", "category", "cover")[:HOME_PER_CATEGORY]
        )
        rows.append((category.value, category.label, latest))
    return rows


def public_search(query: str) -> QuerySet[Article]:
    """Public articles whose title or subtitle contains ``query`` (cut to its limit)."""
    query = (query or "").strip()[:SEARCH_MAX_LENGTH]
    if not query:
        return Article.objects.none()
    return public_articles().filter(text_match(query, "title", "subtitle"))


def public_file(pk: int) -> Attachment | None:
    """An attachment of an article the public may read now, or ``None``."""
    return (
        Attachment.objects.filter(pk=pk, article__in=Article.objects.public().values("pk"))
        .select_related("article")
        .first()
    )


def signed_off_measures(unit: Unit) -> list[dict]:
    """The public-safe facts of the signed-off measures of ``unit``'s subtree.

    Only what a rectification publicity shows: the measure, its deadline and the
    day it was completed. No person, no problem text, no evidence.
    """
    return list(
        Measure.objects.filter(
            unit__in=units_in_paths([unit.path]).values("pk"), status=MeasureStatus.SIGNED_OFF
        )
        .order_by("deadline", "id")
        .values("content", "deadline", "completed_on")[:PUBLICITY_MAX_ROWS]
    )


def articles_editable_by(user, *, deleted: bool = False) -> QuerySet[Article]:
    """Articles the user may manage (the source unit is in a subtree they administer)."""
    articles = Article.all_objects.deleted() if deleted else Article.objects.all()
    return editable_by(articles.select_related("source"), user).order_by("-updated_at", "-id")


def attachments_editable_by(user) -> QuerySet[Attachment]:
    """Files of the articles the user may manage."""
    return editable_by(Attachment.objects.filter(article__deleted_at__isnull=True), user)
