"""Urging (催办): leaders and the guidance group press for progress; counts show on the measure."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rectify.core.testing import (
    make_user,
)
from rectify.ledger.models import MeasureStatus, Urge
from rectify.ledger.services import can_urge, measure_urge, unit_urge_red
from rectify.org.models import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(urging_county):
    return urging_county


def test_leader_and_guidance_group_urge_others_may_not(world):
    measure = world["red"][0]
    measure_urge(measure=measure, message="请加快进度", acting_user=world["leader"])
    measure_urge(measure=measure, message="本周内报送进展", acting_user=world["guide"])
    for user in (world["zeren"], world["admin"]):
        assert not can_urge(user, measure)
        with pytest.raises(PermissionDenied):
            measure_urge(measure=measure, message="x", acting_user=user)
    assert measure.urges.count() == 2
    with pytest.raises(ValidationError):
        measure_urge(measure=measure, message="  ", acting_user=world["leader"])


def test_done_measures_are_not_urged(world):
    measure = world["later"]
    measure.status = MeasureStatus.COMPLETED
    assert not can_urge(world["leader"], measure)


def test_urging_all_red_measures_of_a_unit_touches_only_those(world):
    count = unit_urge_red(
        unit=world["county"], message="逾期事项限期整改", acting_user=world["guide"]
    )
    assert count == 2
    assert set(Urge.objects.values_list("measure", flat=True)) == {m.pk for m in world["red"]}
    with pytest.raises(PermissionDenied):
        unit_urge_red(unit=world["county"], message="x", acting_user=world["admin"])


def test_the_measure_page_shows_how_often_and_when_it_was_urged(client, world):
    measure = world["red"][0]
    client.force_login(world["guide"])
    url = measure.get_absolute_url()
    assert 'id="urge-form"' in client.get(url).content.decode()
    response = client.post(f"{url}urge/", {"message": "请于周五前报送"})
    assert response.status_code == 302
    client.force_login(world["zeren"])
    page = client.get(url).content.decode()
    assert "请于周五前报送" in page and 'id="urge-form"' not in page
    assert "催办 1 次" in page


def test_the_measure_page_still_shows_an_urge_whose_author_was_removed(world, client):
    """Deleting a login keeps its urges (``by`` becomes empty): the page must not break."""
    measure = world["red"][0]
    urger = make_user(world["county"], Role.LEADER)
    measure_urge(measure=measure, message="作者已注销的督办", acting_user=urger)
    urger.delete()
    client.force_login(world["admin"])
    page = client.get(measure.get_absolute_url())
    assert page.status_code == 200
    assert "作者已注销的督办" in page.content.decode()
