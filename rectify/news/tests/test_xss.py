"""Script in any field of an article is stored and shown inert."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .. import services
from ..models import Category
from ..sanitize import clean_html
from .conftest import publish
from .xss import PAYLOADS, live_markup

pytestmark = pytest.mark.django_db


def _hostile_article(world, payload: str):
    article = publish(
        world["county"],
        acting_user=world["editor"],
        title=payload[:200],
        subtitle=payload[:200],
        body=f"<p>正文</p>{payload}",
        author=payload[:100],
        category=Category.CASES,
    )
    services.attachment_add(
        article=article,
        uploads=[SimpleUploadedFile(f"{payload[:80]}.pdf", b"%PDF-1.4 x")],
        acting_user=world["editor"],
    )
    return article


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_every_field_is_inert_on_every_public_page(client, world, payload):
    article = _hostile_article(world, payload)
    assert "<script" not in article.body.lower() and "onerror" not in article.body.lower()
    pages = [
        reverse("newssite:article", args=[article.pk]),
        reverse("newssite:home"),
        reverse("newssite:category", args=["cases"]),
        reverse("newssite:search") + "?q=" + payload[:50],
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert live_markup(response.content.decode()) == [], url
    feed = client.get(reverse("newssite:feed", args=["cases"])).content.decode()
    assert "<script" not in feed


@pytest.mark.parametrize("payload", PAYLOADS[:6])
def test_payload_is_inert_on_the_staff_pages(client, world, payload):
    article = _hostile_article(world, payload)
    client.force_login(world["editor"])
    for url in (reverse("news:preview", args=[article.pk]), reverse("news:list")):
        response = client.get(url)
        assert response.status_code == 200
        # The layout's own language switcher submits on change; nothing else may be live.
        found = live_markup(response.content.decode())
        assert [f for f in found if f != "select onchange"] == [], url


def test_a_body_rendered_later_is_cleaned_again(client, world):
    """Rows written around the service (an old import, a raw SQL fix) are cleaned on render."""
    article = publish(world["county"], acting_user=world["editor"])
    type(article).objects.filter(pk=article.pk).update(
        body="<p>旧数据</p><script>alert(1)</script><img src=x onerror=alert(1)>"
    )
    text = client.get(reverse("newssite:article", args=[article.pk])).content.decode()
    assert "旧数据" in text and live_markup(text) == []


@pytest.mark.parametrize(
    ("src", "kept"),
    [
        ("/news/files/7/", "/news/files/7/"),
        ("http://127.0.0.1:8000/news/files/7/", "/news/files/7/"),  # as the editor writes it
        ("//news/files/7/", "/news/files/7/"),  # a path the editor made protocol-relative
        ("https://tracker.example/news/files/7/", "/news/files/7/"),  # only ever our own file
        ("https://tracker.example/pixel.gif", None),
        ("/news/files/7/?u=1", None),
        ("javascript:alert(1)//news/files/7/", None),
    ],
)
def test_body_images_are_only_the_sites_own_files(src, kept):
    cleaned = clean_html(f'<p>图<img src="{src}" alt="会场"></p>')
    assert (f'<img src="{kept}" alt="会场">' if kept else '<img alt="会场">') in cleaned


def test_the_editors_zero_width_spaces_are_not_kept():
    assert clean_html("<p>\u200b整改\u200b台账</p>") == "<p>整改台账</p>"
