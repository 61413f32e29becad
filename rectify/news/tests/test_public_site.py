"""The public site: what anyone sees without logging in, and what answers 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from .. import services
from ..models import ArticleStatus, Category
from .conftest import publish

pytestmark = pytest.mark.django_db


def test_published_article_shows_its_facts_and_counts_the_view(client, world, published):
    response = client.get(reverse("newssite:article", args=[published.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "科协工作动态" in text and "东昌府区科协" in text and "记者" in text
    assert '<b id="view-count">1</b>' in text
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert "山东省科学技术协会 版权所有" in text


def test_unpublished_scheduled_withdrawn_and_deleted_answer_404(client, world):
    county, editor = world["county"], world["editor"]
    draft = services.article_create(
        source=county, title="草稿", category=Category.WORK, acting_user=editor
    )
    future = publish(county, acting_user=editor, at=timezone.now() + dt.timedelta(hours=1))
    assert future.status == ArticleStatus.SCHEDULED
    withdrawn = publish(county, acting_user=editor)
    services.article_withdraw(article=withdrawn, reason="信息有误", acting_user=editor)
    deleted = publish(county, acting_user=editor)
    services.article_delete(article=deleted, acting_user=editor)
    for article in (draft, future, withdrawn, deleted):
        assert client.get(reverse("newssite:article", args=[article.pk])).status_code == 404
    home = client.get(reverse("newssite:home")).content.decode()
    assert "草稿" not in home


def _due_and_later(world, due_title: str, later_title: str, *, ago: dt.timedelta):
    """Two articles scheduled by the county's editor: one whose time came ``ago``, one due
    tomorrow (the first is scheduled ahead, as the form requires, then its time is moved)."""
    county, editor = world["county"], world["editor"]
    soon = timezone.now() + dt.timedelta(seconds=1)
    due = publish(county, acting_user=editor, title=due_title, at=soon)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    later = publish(county, acting_user=editor, title=later_title, at=tomorrow)
    type(due).objects.filter(pk=due.pk).update(publish_at=timezone.now() - ago)
    return due, later


def test_scheduled_in_the_past_minute_appears_and_future_does_not(client, world):
    # The due one's time comes: a minute later it is on the site, the other is not.
    due, later = _due_and_later(world, "刚到时间", "明天发布", ago=dt.timedelta(seconds=59))
    home = client.get(reverse("newssite:home")).content.decode()
    assert "刚到时间" in home and "明天发布" not in home
    assert client.get(reverse("newssite:article", args=[due.pk])).status_code == 200
    assert client.get(reverse("newssite:article", args=[later.pk])).status_code == 404
    feed = client.get(reverse("newssite:feed", args=[Category.WORK])).content.decode()
    assert "刚到时间" in feed and "明天发布" not in feed


def test_category_list_paginates_and_unknown_category_is_404(client, world):
    for n in range(25):
        publish(world["county"], acting_user=world["editor"], title=f"第{n:02d}篇",
                category=Category.CASES)  # fmt: skip
    first = client.get(reverse("newssite:category", args=["cases"])).content.decode()
    assert "第24篇" in first and "第04篇" not in first
    second = client.get(reverse("newssite:category", args=["cases"]) + "?page=2").content.decode()
    assert "第04篇" in second
    assert client.get(reverse("newssite:category", args=["nope"])).status_code == 404
    assert client.get(reverse("newssite:feed", args=["nope"])).status_code == 404


def test_search_is_escaped_and_cut_to_fifty_characters(client, world, published):
    payload = "<script>alert(1)</script>" + "科" * 100
    response = client.get(reverse("newssite:search"), {"q": payload})
    text = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" + "科" * 25 in text
    assert "科" * 26 not in text.split('id="search-for"')[1]
    found = client.get(reverse("newssite:search"), {"q": "工作动态"}).content.decode()
    assert reverse("newssite:article", args=[published.pk]) in found


def test_atom_feed_lists_published_articles(client, world, published):
    response = client.get(reverse("newssite:feed", args=["work"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "科协工作动态" in response.content.decode()


def test_publicity_table_shows_only_public_facts_of_signed_off_measures(client, world):
    from rectify.core.testing import make_campaign, make_measure, make_person, make_problem
    from rectify.ledger.models import Measure, MeasureStatus

    county, editor = world["county"], world["editor"]
    campaign = make_campaign(county, acting_user=world["admin"])
    problem = make_problem(campaign, county, acting_user=world["admin"], description="问题机密描述")
    person = make_person(county, name="责任人甲")
    done = make_measure(problem, persons=[person], acting_user=world["admin"], content="建立台账")
    make_measure(problem, acting_user=world["admin"], content="尚未完成的措施")
    Measure.objects.filter(pk=done.pk).update(
        status=MeasureStatus.SIGNED_OFF, completed_on=dt.date(2019, 12, 1)
    )
    article = publish(
        county, acting_user=editor, category=Category.RECTIFICATION, publicity_unit=county
    )
    text = client.get(reverse("newssite:article", args=[article.pk])).content.decode()
    table = text.split('id="publicity"')[1]
    assert "建立台账" in table and "2019-12-01" in table
    assert "尚未完成的措施" not in table
    assert "责任人甲" not in text and "问题机密描述" not in text


def test_staff_list_calls_a_scheduled_article_published_once_its_time_has_come(client, world):
    editor = world["editor"]
    due, later = _due_and_later(world, "到点", "明天", ago=dt.timedelta(minutes=1))
    client.force_login(editor)
    html = client.get(reverse("news:list")).content.decode()
    rows = {title: row for row in html.split("<tr>") for title in ("到点", "明天") if title in row}
    assert "已发布" in rows["到点"] and "定时发布" not in rows["到点"]
    assert "定时发布" in rows["明天"]
    preview = client.get(reverse("news:preview", args=[due.pk])).content.decode()
    assert '<b id="article-status">已发布</b>' in preview
    assert later.status == ArticleStatus.SCHEDULED  # stored as scheduled: only the words change
