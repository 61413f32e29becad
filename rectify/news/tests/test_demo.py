"""The demo publishes the reference article with the facts of REFERENCE.md."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from rectify.demo import news as demo_news
from rectify.news.models import Article, ArticleStatus, Category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_password(monkeypatch):
    monkeypatch.setenv("RECTIFY_DEMO_PASSWORD", "demo-password")


def test_reference_article_is_published_with_its_facts_once(client):
    call_command("load_demo", quiet=True)
    call_command("load_demo", quiet=True)
    article = Article.objects.get(title="聊城市科协“不忘初心、牢记使命”主题教育工作会议召开")
    assert article.category == Category.WORK and article.status == ArticleStatus.PUBLISHED
    assert timezone.localtime(article.publish_at).date() == dt.date(2019, 9, 16)
    assert article.source.name == "聊城市科学技术协会" and article.author == "张静"
    assert article.campaign.slug == "zhutijiaoyu-2019"
    assert article.meeting.title == "市科协“不忘初心、牢记使命”主题教育工作会议"
    for name in ("潘云霞", "王延飞", "刘全来"):
        assert name in article.body
    assert article.body == demo_news.BODY  # every tag of it is on the allow-list
    page = client.get(article.get_absolute_url()).content.decode()
    assert "2019-09-16" in page and "张静" in page
