"""Shared world of the news tests: a city, a county, their administrators, articles."""

import pytest
from django.utils import timezone

from rectify.core.testing import make_admin, make_unit, make_user
from rectify.org.models import Role

from .. import services
from ..models import Category


@pytest.fixture
def world(db):
    """The city association, one county under it, and an administrator of each."""
    admin = make_admin()
    city = make_unit("聊城市科学技术协会")
    county = make_unit("东昌府区科协", parent=city)
    other = make_unit("临清市科协", parent=city)
    return {
        "admin": admin,
        "city": city,
        "county": county,
        "other": other,
        "editor": make_user(county, Role.UNIT_ADMIN),
        "other_editor": make_user(other, Role.UNIT_ADMIN),
        "city_editor": make_user(city, Role.UNIT_ADMIN),
    }


def publish(source, *, acting_user, at=None, **fields):
    """An article of ``source``, published now (or at ``at``)."""
    fields.setdefault("title", "科协工作动态")
    fields.setdefault("category", Category.WORK)
    article = services.article_create(source=source, acting_user=acting_user, **fields)
    return services.article_publish(article=article, acting_user=acting_user, at=at)


@pytest.fixture
def published(world):
    """A published article of the county."""
    return publish(
        world["county"],
        acting_user=world["editor"],
        body="<p>正文</p>",
        author="记者",
        at=timezone.now() - timezone.timedelta(minutes=5),
    )
