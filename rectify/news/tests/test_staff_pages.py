"""The staff pages: write, edit (a stale save refused), preview, publish, withdraw, restore."""

import pytest
from django.urls import reverse

from ..models import Article, ArticleStatus

pytestmark = pytest.mark.django_db


def _form(world, **overrides):
    data = {
        "title": "东昌府区科协召开专题会议",
        "subtitle": "",
        "category": "work",
        "source": world["county"].pk,
        "author": "通讯员",
        "body": "<h2>会议内容</h2><p>研究整改工作。</p><script>alert(1)</script>",
        "campaign": "",
        "meeting": "",
        "publicity_unit": "",
        "problem_ids": "",
        "measure_ids": "",
        "reason": "",
    }
    data.update(overrides)
    return data


def test_an_editor_writes_previews_publishes_and_withdraws(client, world):
    client.force_login(world["editor"])
    response = client.post(reverse("news:create"), _form(world))
    article = Article.objects.get()
    assert response["Location"] == reverse("news:preview", args=[article.pk])
    assert article.body == "<h2>会议内容</h2><p>研究整改工作。</p>"
    preview = client.get(reverse("news:preview", args=[article.pk])).content.decode()
    assert "研究整改工作" in preview
    assert client.get(article.get_absolute_url()).status_code == 404  # still a draft

    client.post(reverse("news:publish", args=[article.pk]), {"at": ""})
    assert Article.objects.get().status == ArticleStatus.PUBLISHED
    assert client.get(article.get_absolute_url()).status_code == 200
    assert Article.objects.get().view_count == 0  # its own editor reading it

    client.post(reverse("news:withdraw", args=[article.pk]), {"reason": "需要核实"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.WITHDRAWN and article.withdraw_reason == "需要核实"
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_stale_edit_form_is_refused(client, world):
    client.force_login(world["editor"])
    client.post(reverse("news:create"), _form(world))
    article = Article.objects.get()
    url = reverse("news:edit", args=[article.pk])
    client.post(url, _form(world, title="第一次修改", version=1))
    response = client.post(url, _form(world, title="过时的修改", version=1))
    assert response.status_code == 200
    assert Article.objects.get().title == "第一次修改"


def test_another_unit_cannot_be_chosen_as_source(client, world):
    client.force_login(world["editor"])
    response = client.post(reverse("news:create"), _form(world, source=world["other"].pk))
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_delete_and_restore_from_the_list(client, world, published):
    client.force_login(world["editor"])
    client.post(reverse("news:delete", args=[published.pk]))
    assert not Article.objects.filter(pk=published.pk).exists()
    listing = client.get(reverse("news:list")).content.decode()
    assert reverse("news:restore", args=[published.pk]) in listing
    client.post(reverse("news:restore", args=[published.pk]))
    assert Article.objects.filter(pk=published.pk).exists()


def test_edit_page_carries_the_version_and_other_units_articles_are_404(client, world, published):
    client.force_login(world["editor"])
    page = client.get(reverse("news:edit", args=[published.pk])).content.decode()
    assert 'name="version" value="2"' in page  # created, then published
    client.force_login(world["other_editor"])
    for name in ("news:edit", "news:preview"):
        assert client.get(reverse(name, args=[published.pk])).status_code == 404
    assert (
        client.post(reverse("news:withdraw", args=[published.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert Article.objects.get(pk=published.pk).status == ArticleStatus.PUBLISHED


def test_the_form_names_an_articles_source_and_author_as_a_newsroom_does(client, world):
    client.force_login(world["editor"])
    html = client.get(reverse("news:create")).content.decode()
    assert '<label for="id_source">来源</label>' in html
    assert '<label for="id_author">作者</label>' in html
    assert "问题来源" not in html and "填报人" not in html  # the ledger's words for these
