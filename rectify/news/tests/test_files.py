"""Files of articles: images verified and re-encoded, size-limited, served as attachments."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from .. import services
from ..models import Article, Attachment

pytestmark = pytest.mark.django_db


def _png(size=(40, 30), **info) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG", **info)
    return out.getvalue()


def test_image_is_reencoded_and_served_as_an_attachment(client, world, published):
    (image,) = services.attachment_add(
        article=published,
        uploads=[SimpleUploadedFile("现场照片.png", _png(), content_type="text/html")],
        acting_user=world["editor"],
    )
    assert image.is_image and image.content_type == "image/png"
    response = client.get(reverse("newssite:file", args=[image.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    served = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert served.size == (40, 30)


def test_document_is_served_with_its_type_and_as_an_attachment(client, world, published):
    (pdf,) = services.attachment_add(
        article=published,
        uploads=[SimpleUploadedFile("通知.pdf", b"%PDF-1.4 x", content_type="text/html")],
        acting_user=world["editor"],
    )
    response = client.get(reverse("newssite:file", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    page = client.get(published.get_absolute_url()).content.decode()
    assert "通知.pdf" in page


def test_html_disguised_as_an_image_is_refused(world, published):
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            article=published,
            uploads=[SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>")],
            acting_user=world["editor"],
        )
    assert "not an image" in str(refused.value) or "不是图片" in str(refused.value)
    assert not Attachment.objects.exists()


def test_non_image_cover_is_refused(world, published):
    with pytest.raises(ValidationError):
        services.article_set_cover(
            article=published,
            upload=SimpleUploadedFile("封面.pdf", b"%PDF-1.4 x"),
            acting_user=world["editor"],
        )
    assert Article.objects.get(pk=published.pk).cover is None
    cover = services.article_set_cover(
        article=published,
        upload=SimpleUploadedFile("封面.png", _png()),
        acting_user=world["editor"],
    )
    assert Article.objects.get(pk=published.pk).cover == cover


def test_oversized_image_and_forbidden_types_are_refused(world, published, settings):
    settings.RECTIFY_NEWS_IMAGE_MAX_BYTES = 1000
    big = _png(size=(400, 400), pnginfo=None)
    with pytest.raises(ValidationError):
        services.attachment_add(
            article=published,
            uploads=[SimpleUploadedFile("大图.png", big + b"\0" * 2000)],
            acting_user=world["editor"],
        )
    with pytest.raises(ValidationError):
        services.attachment_add(
            article=published,
            uploads=[SimpleUploadedFile("page.html", b"<script>alert(1)</script>")],
            acting_user=world["editor"],
        )
    assert not Attachment.objects.exists()


def test_files_of_unpublished_articles_are_not_public(client, world):
    draft = services.article_create(
        source=world["county"], title="草稿", category="work", acting_user=world["editor"]
    )
    (pdf,) = services.attachment_add(
        article=draft,
        uploads=[SimpleUploadedFile("草稿.pdf", b"%PDF-1.4 x")],
        acting_user=world["editor"],
    )
    assert client.get(reverse("newssite:file", args=[pdf.pk])).status_code == 404
    client.force_login(world["other_editor"])
    assert client.get(reverse("newssite:file", args=[pdf.pk])).status_code == 404
    client.force_login(world["editor"])
    assert client.get(reverse("newssite:file", args=[pdf.pk])).status_code == 200


def test_staff_upload_page_refuses_a_non_image_cover(client, world, published):
    client.force_login(world["editor"])
    response = client.post(
        reverse("news:files", args=[published.pk]),
        {"cover": SimpleUploadedFile("cover.png", b"GIF89a not really")},
        follow=True,
    )
    assert "cover.png" in response.content.decode()
    assert Article.objects.get(pk=published.pk).cover is None
