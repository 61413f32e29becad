"""Writing, reviewing, publishing and withdrawing articles: who may, and what is kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rectify.core.services import StaleEditError

from .. import services
from ..models import Article, ArticleStatus, Category
from .conftest import publish

pytestmark = pytest.mark.django_db


def _draft(world, **fields):
    fields.setdefault("title", "草稿")
    return services.article_create(
        source=world["county"], category=Category.WORK, acting_user=world["editor"], **fields
    )


def test_only_administrators_of_the_source_subtree_may_write(world):
    with pytest.raises(PermissionDenied):
        _draft({**world, "editor": world["other_editor"]})
    # The city's administrator writes for the county below it.
    article = services.article_create(
        source=world["county"], title="市里写的", category=Category.WORK,
        acting_user=world["city_editor"],
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.article_publish(article=article, acting_user=world["other_editor"])
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.DRAFT


def test_a_stale_edit_is_refused_and_changes_nothing(world):
    article = _draft(world)
    services.article_update(
        article=Article.objects.get(pk=article.pk), expected_version=1, title="第一次修改",
        acting_user=world["editor"],
    )  # fmt: skip
    with pytest.raises(StaleEditError):
        services.article_update(
            article=Article.objects.get(pk=article.pk), expected_version=1, title="过时的修改",
            acting_user=world["city_editor"],
        )  # fmt: skip
    assert Article.objects.get(pk=article.pk).title == "第一次修改"


def test_body_is_cleaned_when_saved_and_history_is_kept(world):
    article = _draft(world, body='<h2>标题</h2><p onclick="x()">段落<script>alert(1)</script></p>')
    assert article.body == "<h2>标题</h2><p>段落</p>"
    services.article_publish(article=article, acting_user=world["editor"])
    services.article_withdraw(article=article, reason="内容需核实", acting_user=world["editor"])
    article.refresh_from_db()
    assert article.status == ArticleStatus.WITHDRAWN and article.withdraw_reason == "内容需核实"
    statuses = list(article.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["draft", "published", "withdrawn"]
    assert article.history.latest().history_user == world["editor"]


def test_withdrawal_needs_a_reason(world):
    article = publish(world["county"], acting_user=world["editor"])
    with pytest.raises(ValidationError):
        services.article_withdraw(article=article, reason="  ", acting_user=world["editor"])


def test_review_site_needs_a_second_person_to_publish(world, settings):
    settings.RECTIFY_NEWS_REVIEW = True
    article = _draft(world)
    with pytest.raises(ValidationError):
        services.article_publish(article=article, acting_user=world["editor"])
    services.article_submit(article=article, acting_user=world["editor"])
    with pytest.raises(PermissionDenied):
        services.article_publish(article=article, acting_user=world["editor"])
    services.article_publish(article=article, acting_user=world["city_editor"])
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.PUBLISHED


def test_delete_is_soft_and_restore_brings_it_back(world):
    article = publish(world["county"], acting_user=world["editor"])
    services.article_delete(article=article, acting_user=world["editor"], reason="重复")
    assert not Article.objects.filter(pk=article.pk).exists()
    assert Article.all_objects.filter(pk=article.pk).exists()
    services.article_restore(article=article, acting_user=world["editor"])
    assert Article.objects.public().filter(pk=article.pk).exists()


def test_links_to_other_units_objects_are_refused(world):
    from rectify.core.testing import make_campaign, make_measure, make_problem

    campaign = make_campaign(world["other"], acting_user=world["admin"])
    problem = make_problem(campaign, world["other"], acting_user=world["admin"])
    measure = make_measure(problem, acting_user=world["admin"])
    with pytest.raises(ValidationError) as refused:
        _draft(world, measures=[measure], publicity_unit=world["other"])
    assert {"measures", "publicity_unit"} <= set(refused.value.error_dict)
    assert not Article.objects.exists()
