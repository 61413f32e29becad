"""Two-level sign-off: the leader confirms, the guidance group assigned the unit accepts."""

import pytest
from django.core.exceptions import PermissionDenied

from rectify.campaigns.services import guidance_assign
from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_guidance_group,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import MeasureStatus, ReviewAction
from rectify.ledger.services import (
    available_actions,
    measure_accept,
    measure_confirm,
    measure_reopen,
    measure_submit,
)
from rectify.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_levels():
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    elsewhere = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city, sign_off_levels=2)
    other_campaign = make_campaign(city, sign_off_levels=2)
    guide = make_user(city)
    outsider_guide = make_user(city)
    make_guidance_group(city, members=[guide.person], campaign=campaign, units=[county])
    # Another group: this county on another campaign, another county on this one.
    other = make_guidance_group(
        city, members=[outsider_guide.person], campaign=other_campaign, units=[county]
    )
    guidance_assign(campaign=campaign, group=other, units=[elsewhere], acting_user=make_admin())
    zeren = make_user(person=make_person(county))
    measure = make_measure(make_problem(campaign, county), persons=[zeren.person])
    measure_submit(
        measure=measure,
        statement="完成",
        no_evidence_reason="会议决定",
        expected_version=measure.version,
        acting_user=zeren,
    )
    return {
        "m": measure,
        "leader": make_user(county, Role.LEADER),
        "guide": guide,
        "outsider": outsider_guide,
        "zeren": zeren,
    }


def test_leader_confirms_then_the_assigned_group_signs_off(two_levels):
    m, leader, guide = two_levels["m"], two_levels["leader"], two_levels["guide"]
    assert ReviewAction.ACCEPT not in available_actions(guide, m)
    measure_confirm(measure=m, expected_version=m.version, acting_user=leader)
    assert m.status == MeasureStatus.CONFIRMED
    assert available_actions(leader, m) == set()
    assert available_actions(guide, m) == {ReviewAction.ACCEPT, ReviewAction.SEND_BACK}
    measure_accept(measure=m, opinion="同意销号", expected_version=m.version, acting_user=guide)
    m.refresh_from_db()
    assert m.status == MeasureStatus.SIGNED_OFF
    assert list(m.reviews.values_list("action", "actor")) == [
        (ReviewAction.SUBMIT, two_levels["zeren"].pk),
        (ReviewAction.CONFIRM, leader.pk),
        (ReviewAction.ACCEPT, guide.pk),
    ]
    measure_reopen(
        measure=m, reason="回头看发现反弹", expected_version=m.version, acting_user=guide
    )
    m.refresh_from_db()
    assert m.status == MeasureStatus.IN_PROGRESS


def test_a_group_assigned_elsewhere_or_on_another_campaign_cannot_accept(two_levels):
    m = two_levels["m"]
    measure_confirm(measure=m, expected_version=m.version, acting_user=two_levels["leader"])
    outsider = two_levels["outsider"]
    assert available_actions(outsider, m) == set()
    with pytest.raises(PermissionDenied):
        measure_accept(measure=m, expected_version=m.version, acting_user=outsider)
    m.refresh_from_db()
    assert m.status == MeasureStatus.CONFIRMED
