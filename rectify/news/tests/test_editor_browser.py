"""In Chromium: staff write an article's body with the editor (headings, lists, a table, an
image of the article), and the public page shows what the editor wrote, cleaned."""

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rectify.core.testing import LOCAL_HOSTS, make_unit, make_user
from rectify.org.models import Role

from .. import services
from ..models import Article

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def _choose(page, command: str, choice: str) -> None:
    """Open the editor's ``command`` menu and pick the button ``choice`` selects in it."""
    page.click(f".se-btn-tray button[data-command='{command}']")
    page.click(f".se-list-layer button{choice}:visible")


@pytest.mark.browser
def test_staff_write_a_body_with_headings_lists_a_table_and_an_image(
    transactional_db, live_server, browser_page, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    county = make_unit("东昌府区科协")
    editor = make_user(county, Role.UNIT_ADMIN, username="bianji")
    draft = services.article_create(
        source=county, title="主题教育工作动态", category="work", acting_user=editor
    )
    (image,) = services.attachment_add(
        article=draft,
        uploads=[SimpleUploadedFile("会场.png", _png(), content_type="image/png")],
        acting_user=editor,
    )
    page, base = browser_page, live_server.url
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base, editor.username)

    page.goto(f"{base}/news/manage/{draft.pk}/edit/")
    body = page.locator(".se-wrapper-wysiwyg")
    body.wait_for()
    # The toolbar speaks Chinese, and the article's image addresses are listed beside it.
    assert "粗体" in page.locator("button[data-command='bold'] .se-tooltip-text").text_content()
    address = f"/news/files/{image.pk}/"
    assert base + address in page.locator("#article-image-addresses").inner_text()

    body.click()
    page.keyboard.type("一、总体要求")
    _choose(page, "formatBlock", "[data-value='h2']")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    _choose(page, "list", "[data-command='UL']")
    page.keyboard.type("把学习教育贯穿始终")
    page.keyboard.press("Enter")
    page.keyboard.type("检视问题要见人见事")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # leaves the list
    page.click(".se-btn-tray button[data-command='table']")
    page.click(".se-controller-table-picker", position={"x": 5, "y": 5})  # one cell
    page.keyboard.type("整改台账")
    page.click(".se-btn-tray button[data-command='image']")
    page.fill("input._se_image_url:visible", base + address)  # as listed
    page.fill("input._se_image_alt:visible", "会场")
    page.click(".se-dialog-inner button[type=submit]:visible")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "news-editor.png"), full_page=True)
    page.fill("#id_reason", "用编辑器排版")
    page.click("#article-save")
    page.wait_for_url(f"{base}/news/manage/{draft.pk}/")

    stored = Article.objects.get(pk=draft.pk).body
    assert "<h2>一、总体要求</h2>" in stored
    assert "<ul><li>把学习教育贯穿始终" in stored and "<li>检视问题要见人见事</li></ul>" in stored
    assert "<table><tbody><tr><td>整改台账" in stored
    assert f'<img src="{address}" alt="会场"' in stored
    assert "\u200b" not in stored  # the editor's zero-width spaces are not kept
    shown = page.locator("#article-body")
    assert shown.locator("h2").inner_text() == "一、总体要求"
    assert shown.locator("ul li").count() == 2
    assert shown.locator("table td").first.inner_text().strip() == "整改台账"
    assert shown.locator(f"img[src='{address}']").count() == 1
    assert not errors, errors
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS, requested
