"""In Chromium: the reference article as the public reads it, and hostile articles that run
nothing."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils.translation import override, pgettext

from rectify.core.testing import LOCAL_HOSTS

from ..models import Article, Category
from .conftest import publish
from .xss import PAYLOADS

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _label(msgid: str) -> str:
    """The page's label in Chinese (发布时间, 来源, 作者, 浏览次数 once translations are built)."""
    with override("zh-hans"):
        return pgettext("news", msgid)


TITLE = "聊城市科协“不忘初心、牢记使命”主题教育工作会议召开"


@pytest.mark.browser
def test_reference_article_page_as_the_public_reads_it(
    transactional_db, live_server, browser_page, monkeypatch
):
    monkeypatch.setenv("RECTIFY_DEMO_PASSWORD", "demo-password")
    call_command("load_demo", quiet=True)
    article = Article.objects.get(title=TITLE)
    page, url = browser_page, live_server.url + article.get_absolute_url()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server.url + "/news/")
    page.click(f"#section-work a:text('{TITLE}')")
    page.wait_for_url(url)
    assert page.locator("#article-title").inner_text() == TITLE
    meta = page.locator("#article-meta").inner_text()
    for fact in (
        f"{_label('Published')}：2019-09-16",
        f"{_label('Source')}：聊城市科学技术协会",
        f"{_label('Author')}：张静",
        f"{_label('Views')}：1",
    ):
        assert fact in meta, meta
    body = page.locator("#article-body").inner_text()
    for name in ("潘云霞", "王延飞", "刘全来"):
        assert name in body
    assert "山东省科学技术协会 版权所有" in page.locator("#copyright").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "news-reference-article.png"), full_page=True)

    # The same browser reloading does not count again; another browser does.
    page.reload()
    assert page.locator("#view-count").inner_text() == "1"
    other_context = page.context.browser.new_context(locale="zh-CN")
    other = other_context.new_page()
    other.on("request", lambda request: requested.append(request.url))
    other.goto(url)
    assert other.locator("#view-count").inner_text() == "2"
    page.reload()
    assert page.locator("#view-count").inner_text() == "2"
    other_context.close()
    # On a phone the page fits its width.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "news-reference-article-phone.png"))
    assert Article.objects.get(pk=article.pk).view_count == 2
    assert {urlsplit(u).hostname for u in requested} <= LOCAL_HOSTS, requested


@pytest.mark.browser
def test_stored_payloads_run_no_script_in_chromium(transactional_db, live_server, browser_page):
    from rectify.core.testing import make_admin, make_unit

    admin = make_admin()
    unit = make_unit("聊城市科学技术协会")
    page = browser_page
    dialogs: list[str] = []
    requested: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requested.append(request.url))
    for payload in PAYLOADS:
        article = publish(
            unit, acting_user=admin, title=payload[:200], subtitle=payload[:200],
            author=payload[:100], body=f"<p>正文</p>{payload}", category=Category.CASES,
        )  # fmt: skip
        page.goto(live_server.url + article.get_absolute_url())
        page.wait_for_load_state("load")
        page.mouse.click(5, 5)
        assert page.evaluate("window.__ran === undefined"), payload
        assert "正文" in page.locator("#article-body").inner_text()
    page.goto(live_server.url + "/news/c/cases/")
    page.goto(live_server.url + "/news/search/?q=" + "%3Cscript%3Ealert(1)%3C/script%3E")
    assert dialogs == []
    assert {urlsplit(u).hostname for u in requested} <= LOCAL_HOSTS, requested
