"""Fixtures of the API tests: token clients and two counties full of objects."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from rectify.api.services import token_create
from rectify.core.testing import make_admin, make_unit, make_user
from rectify.ledger import pressure
from rectify.ledger.models import Review, ReviewAction, Urge
from rectify.org.models import Role
from rectify.study.services import attendance_invite


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def token_client(user, language: str = "en") -> APIClient:
    """An API client sending a fresh personal token of ``user`` (and the language asked for)."""
    client = APIClient()
    key = token_create(owner=user, name="test", acting_user=user).key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def county_objects(city, name: str, admin) -> dict:
    """Every kind of object the API serves, of one county (the URL walk's world, and more)."""
    from rectify.tests.test_url_scoping import _county_objects

    objects = _county_objects(city, name, admin)
    measure = objects["measure"]
    objects["progress_note"] = objects["evidence"].note
    objects["review"] = Review.objects.create(
        measure=measure,
        action=ReviewAction.SUBMIT,
        from_status=measure.status,
        to_status=measure.status,
        actor=admin,
        text="提交验收",
    )
    objects["urge"] = Urge.objects.create(measure=measure, by=admin, message="请加快进度")
    pressure.recount()  # the urge went in around the service that counts it
    attendance_invite(meeting=objects["meeting"], persons=[objects["person"]], acting_user=admin)
    objects["attendance"] = objects["meeting"].attendance.get()
    return objects


@pytest.fixture
def counties(db):
    """A unit administrator of one county, that county's objects, and another county's."""
    admin = make_admin()
    city = make_unit("聊城市科协")
    mine = county_objects(city, "东昌府区科协", admin)
    theirs = county_objects(city, "临清市科协", admin)
    user = make_user(mine["unit"], Role.UNIT_ADMIN)
    return user, mine, theirs
