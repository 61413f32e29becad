"""The floor of ``bench/public_site.py``: Rectify's settings, middleware and URLs plus one
URL, ``/bare/``, whose view renders the reference article's page from constants, without
the database.

Used as ``DJANGO_SETTINGS_MODULE=public_site_bare`` (with ``bench/`` on ``PYTHONPATH``);
the module is its own URLconf.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from rectify.settings import *  # noqa: F403 - the same settings, one URLconf changed

ROOT_URLCONF = __name__


def article(request):
    """The reference article's page, every value a constant (no query, no sanitizing)."""
    from django.shortcuts import render

    from rectify.demo import news
    from rectify.news.models import Category
    from rectify.news.views.public import site_context

    page = {
        "title": news.TITLE,
        "subtitle": "",
        "category": Category.WORK.value,
        "category_label": Category.WORK.label,
        "publish_at": dt.datetime(2019, 9, 16, 16, tzinfo=ZoneInfo("Asia/Shanghai")),
        "source": "聊城市科学技术协会",
        "author": news.AUTHOR,
        "view_count": 12345,
        "body": news.BODY,
        "attachments": [],
        "publicity": None,
    }
    return render(request, "news/site_article.html", {**site_context(), "article": page})


def _patterns():
    from django.urls import path

    from rectify import urls

    # The same URLconf as the project (the page's links resolve, and each gunicorn
    # worker imports the same views when it starts), with the bare view in front.
    return [path("bare/", article), *urls.urlpatterns]


def __getattr__(name: str):
    """``urlpatterns``, built when Django first asks (this module is also the settings,
    imported before the apps are ready)."""
    if name == "urlpatterns":
        globals()["urlpatterns"] = patterns = _patterns()
        return patterns
    raise AttributeError(name)
