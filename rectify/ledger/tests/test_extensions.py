"""Deadline changes (延期申请): asked by whoever answers, decided by the campaign's approver."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rectify.core.services import StaleEditError
from rectify.core.testing import (
    make_campaign,
    make_guidance_group,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.lights import Light
from rectify.ledger.models import ExtensionStatus, Measure
from rectify.ledger.selectors import with_light
from rectify.ledger.services import extension_decide, extension_request
from rectify.org.models import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    campaign = make_campaign(city)
    guide = make_user(city)
    make_guidance_group(city, members=[guide.person], campaign=campaign, units=[county])
    zeren = make_user(person=make_person(county))
    problem = make_problem(campaign, county, found_on=TODAY - dt.timedelta(days=60))
    measure = make_measure(problem, persons=[zeren.person], deadline=TODAY - dt.timedelta(days=2))
    return {
        "campaign": campaign,
        "leader": make_user(county, Role.LEADER),
        "guide": guide,
        "zeren": zeren,
        "m": measure,
    }


def _ask(world, days=20):
    return extension_request(
        measure=world["m"],
        new_deadline=TODAY + dt.timedelta(days=days),
        reason="需协调外部单位",
        acting_user=world["zeren"],
    )


def test_approved_change_moves_the_deadline_keeps_the_original_and_the_light(world):
    m, leader = world["m"], world["leader"]
    original = m.deadline
    request = _ask(world)
    assert with_light(Measure.objects.filter(pk=m.pk)).get().light == Light.RED
    extension_decide(request=request, approve=True, expected_version=m.version, acting_user=leader)
    m.refresh_from_db()
    assert (m.deadline, m.original_deadline) == (TODAY + dt.timedelta(days=20), original)
    assert with_light(Measure.objects.filter(pk=m.pk)).get().light == Light.GREEN
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ExtensionStatus.APPROVED, leader)
    assert m.history.first().deadline == m.deadline


def test_refused_change_leaves_the_deadline(world):
    m = world["m"]
    before = m.deadline
    request = _ask(world)
    extension_decide(
        request=request,
        approve=False,
        note="理由不充分",
        expected_version=m.version,
        acting_user=world["leader"],
    )
    m.refresh_from_db()
    assert (m.deadline, m.original_deadline) == (before, None)


def test_only_responsible_persons_ask_once_at_a_time_for_a_later_date(world):
    with pytest.raises(PermissionDenied):
        extension_request(
            measure=world["m"],
            new_deadline=TODAY + dt.timedelta(days=9),
            reason="x",
            acting_user=world["leader"],
        )
    with pytest.raises(ValidationError) as exc:
        _ask(world, days=-5)
    assert "new_deadline" in exc.value.message_dict
    _ask(world)
    with pytest.raises(PermissionDenied):
        _ask(world, days=30)


def test_the_campaign_chooses_the_approver_and_stale_decisions_are_refused(world):
    world["campaign"].extension_approver = "guidance"
    world["campaign"].save()
    m = Measure.objects.get(pk=world["m"].pk)
    request = _ask({**world, "m": m})
    for user in (world["leader"], world["zeren"]):
        with pytest.raises(PermissionDenied):
            extension_decide(
                request=request, approve=True, expected_version=m.version, acting_user=user
            )
    with pytest.raises(StaleEditError):
        extension_decide(
            request=request,
            approve=True,
            expected_version=m.version - 1,
            acting_user=world["guide"],
        )
    extension_decide(
        request=request, approve=True, expected_version=m.version, acting_user=world["guide"]
    )
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED


def test_the_list_filters_extended_measures(client, world):
    m = world["m"]
    extension_decide(
        request=_ask(world), approve=True, expected_version=m.version, acting_user=world["leader"]
    )
    other = make_measure(m.problem, deadline=TODAY + dt.timedelta(days=9))
    client.force_login(world["leader"])
    page = client.get("/ledger/measures/", {"extended": "true"})
    assert [row.pk for row in page.context["page_obj"]] == [m.pk]
    page = client.get("/ledger/measures/", {"extended": "false"})
    assert [row.pk for row in page.context["page_obj"]] == [other.pk]


def test_request_and_approval_through_the_measure_page(client, world):
    m = world["m"]
    url = m.get_absolute_url()
    client.force_login(world["zeren"])
    new = (TODAY + dt.timedelta(days=15)).isoformat()
    response = client.post(f"{url}extension/", {"new_deadline": new, "reason": "等待上级批复"})
    assert response.status_code == 302
    client.force_login(world["leader"])
    page = client.get(url).content.decode()
    assert 'id="extension-decide"' in page and "等待上级批复" in page
    request = m.extensions.get()
    response = client.post(
        f"/ledger/extensions/{request.pk}/decide/", {"approve": "1", "version": m.version}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'id="original-deadline"' in page and new in page
