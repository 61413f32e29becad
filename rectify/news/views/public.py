"""The public news site (no login): home, category lists, articles, search, files.

Only published articles whose time has come are shown; anything else answers
404. Pages carry a Content-Security-Policy that forbids every script, so even
a payload that slipped past the sanitizer could not run.
"""

import re
import secrets
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rectify.core.pagination import paginate
from rectify.core.uploads import stored_file_response
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit

from .. import services
from ..models import Article, Attachment, Category
from ..sanitize import clean_html
from ..selectors import (
    SEARCH_MAX_LENGTH,
    PublicArticle,
    attachments_editable_by,
    public_article,
    public_articles,
    public_file,
    public_home,
    signed_off_measures,
)
from ..selectors import public_search as search_articles

#: The cookie that tells one browser from another for view counting (a random id).
BROWSER_COOKIE = "rectify_news_browser"
BROWSER_COOKIE_AGE = 365 * 24 * 3600
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{16,64}")
PAGE_SIZE = 20
CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; style-src 'self'"
)


def public_page(view):
    """GET only, with the public site's Content-Security-Policy."""

    @require_GET
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    return wrapped


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise Http404(_("No such section.")) from None


def site_context() -> dict:
    """What every public page shows around its content: sections and the copyright owner."""
    return {"categories": Category.choices, "copyright": settings.RECTIFY_NEWS_COPYRIGHT}


@public_page
def home(request: HttpRequest) -> HttpResponse:
    """The latest articles of each section."""
    return render(request, "news/site_home.html", {**site_context(), "sections": public_home()})


@public_page
def category(request: HttpRequest, category: str) -> HttpResponse:
    """One section's articles, newest first, twenty to a page."""
    chosen = _category(category)
    articles = (
        public_articles()
        .filter(category=chosen)
        .only("id", "title", "publish_at", "category", "cover", "source__name")
    )
    context = {
        **site_context(),
        "category": chosen,
        "page_obj": paginate(request, articles, PAGE_SIZE),
    }
    return render(request, "news/site_list.html", context)


@public_page
def search(request: HttpRequest) -> HttpResponse:
    """Articles whose title contains the words asked for (at most fifty characters read)."""
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    context = {
        **site_context(),
        "query": query,
        "page_obj": paginate(request, search_articles(query), PAGE_SIZE) if query else None,
        "max_length": SEARCH_MAX_LENGTH,
    }
    return render(request, "news/site_search.html", context)


def article_page(article: Article | PublicArticle, *, attachments=(), publicity=None) -> dict:
    """What the article page shows, as plain values (the benchmark renders the same)."""
    return {
        "title": article.title,
        "subtitle": article.subtitle,
        "category": article.category,
        "category_label": Category(article.category).label,
        "publish_at": article.publish_at,
        "source": getattr(article, "source_name", None) or article.source.name,
        "author": article.author,
        "view_count": article.view_count,
        "body": clean_html(article.body),
        "attachments": attachments,
        "publicity": publicity,
    }


def _counts(request: HttpRequest, source_id: int) -> bool:
    """Robots and the editors of the article's source unit (previewing) are not counted."""
    if services.is_robot(request.META.get("HTTP_USER_AGENT", "")):
        return False
    user = request.user
    return not (user.is_authenticated and can_change_unit(user, Unit.objects.get(pk=source_id)))


@public_page
def article(request: HttpRequest, pk: int) -> HttpResponse:
    """A published article with 发布时间 / 来源 / 作者 / 浏览次数; the view is counted once
    per browser in thirty minutes."""
    found = public_article(pk)
    if found is None:
        raise Http404(_("No such article."))
    cookie = request.COOKIES.get(BROWSER_COOKIE, "")
    new_browser = not _COOKIE_VALUE.fullmatch(cookie)
    if new_browser:
        cookie = secrets.token_urlsafe(18)
    counted = _counts(request, found.source_id) and services.view_claim(
        article_id=found.pk, browser=services.browser_key(cookie), returning=not new_browser
    )
    files = []
    if found.has_files:
        files = list(Attachment.objects.filter(article_id=found.pk, is_image=False))
    publicity = None
    if found.publicity_unit_id:
        publicity = signed_off_measures(Unit.objects.get(pk=found.publicity_unit_id))
    page = article_page(found, attachments=files, publicity=publicity)
    page["view_count"] += counted
    context = {**site_context(), "article": page}
    response = render(request, "news/site_article.html", context)
    if new_browser:
        response.set_cookie(
            BROWSER_COOKIE,
            cookie,
            max_age=BROWSER_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@public_page
def file(request: HttpRequest, pk: int) -> HttpResponse:
    """A file of a public article, as an attachment with the type of its checked extension."""
    row = public_file(pk)
    if row is None and request.user.is_authenticated:
        # The article's editors see its images while it is a draft (the preview).
        row = attachments_editable_by(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404(_("No such file."))
    return stored_file_response(row)
