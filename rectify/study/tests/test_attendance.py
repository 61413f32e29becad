"""Invitations by rule and by hand, and attendance marks: leave needs a reason, all or nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rectify.core.services import soft_delete
from rectify.core.testing import make_guidance_group, make_person, make_user
from rectify.org.models import Rank, Role

from .. import services
from ..models import Attendance, AttendanceStatus, InviteRule
from ..services import Mark
from .conftest import new_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    """A mix of ranks in nested units, and one person elsewhere."""
    p = {
        "city_leader": make_person(tree.city, rank=Rank.COUNTY_LEVEL_AND_ABOVE),
        "city_staff": make_person(tree.city),
        "dcf_chair": make_person(tree.dcf, is_leadership_member=True),
        "dcf_cadre": make_person(tree.dcf, rank=Rank.COUNTY_LEVEL_AND_ABOVE),
        "dcf_staff": make_person(tree.dcf),
        "section_head": make_person(tree.section, is_leadership_member=True),
        "section_staff": make_person(tree.section, rank=Rank.OTHER),
        "lq_chair": make_person(tree.lq, is_leadership_member=True),
    }
    gone = make_person(tree.dcf)
    soft_delete(gone, acting_user=tree.admin)
    return p


def _invited(meeting) -> set[int]:
    return set(Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True))


def _ids(people, *keys) -> set[int]:
    return {people[key].pk for key in keys}


def test_rule_subtree_invites_everyone_below_and_only_them(tree, people):
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    added = services.attendance_invite_by_rule(
        meeting=meeting, rule=InviteRule.SUBTREE, unit=tree.dcf, acting_user=tree.admin
    )
    expected = _ids(people, "dcf_chair", "dcf_cadre", "dcf_staff", "section_head", "section_staff")
    assert _invited(meeting) == expected
    assert added == len(expected)


def test_rule_key_group_is_county_level_cadres_and_leadership_members(tree, people):
    meeting = new_meeting(tree.campaign, tree.city, acting_user=tree.admin)
    services.attendance_invite_by_rule(
        meeting=meeting, rule=InviteRule.KEY_GROUP, unit=tree.city, acting_user=tree.admin
    )
    assert _invited(meeting) == _ids(
        people, "city_leader", "dcf_chair", "dcf_cadre", "section_head", "lq_chair"
    )


def test_rule_leadership_is_leadership_members_only(tree, people):
    meeting = new_meeting(tree.campaign, tree.city, acting_user=tree.admin)
    services.attendance_invite_by_rule(
        meeting=meeting, rule=InviteRule.LEADERSHIP, unit=tree.dcf, acting_user=tree.admin
    )
    assert _invited(meeting) == _ids(people, "dcf_chair", "section_head")


def test_invitations_are_idempotent_and_keep_marks(tree, people):
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    services.attendance_invite(
        meeting=meeting, persons=[people["dcf_staff"]], acting_user=tree.admin
    )
    row = Attendance.objects.get(meeting=meeting, person=people["dcf_staff"])
    services.attendance_mark(
        meeting=meeting,
        marks=[Mark(row.pk, AttendanceStatus.LEAVE, "外出开会", row.version)],
        acting_user=tree.admin,
    )
    again = services.attendance_invite_by_rule(
        meeting=meeting, rule=InviteRule.SUBTREE, unit=tree.dcf, acting_user=tree.admin
    )
    assert again == 4
    assert (
        services.attendance_invite_by_rule(
            meeting=meeting, rule=InviteRule.SUBTREE, unit=tree.dcf, acting_user=tree.admin
        )
        == 0
    )
    row.refresh_from_db()
    assert (row.status, row.reason) == (AttendanceStatus.LEAVE, "外出开会")
    assert Attendance.objects.filter(meeting=meeting).count() == 5
    assert row.history.count() == 2  # invited, then marked


def test_rule_guidance_group_invites_its_leader_and_members(tree, people):
    leader = make_person(tree.city, "组长")
    member = make_person(tree.city, "组员")
    group = make_guidance_group(
        tree.city, leader=leader, members=[member], campaign=tree.campaign, units=[tree.dcf]
    )
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    services.attendance_invite_by_rule(
        meeting=meeting, rule=InviteRule.GUIDANCE_GROUP, group=group, acting_user=tree.admin
    )
    assert _invited(meeting) == {leader.pk, member.pk}


def test_guidance_group_of_another_campaign_is_refused(tree, people):
    group = make_guidance_group(tree.city, members=[make_person(tree.city)])
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    with pytest.raises(ValidationError):
        services.attendance_invite_by_rule(
            meeting=meeting, rule=InviteRule.GUIDANCE_GROUP, group=group, acting_user=tree.admin
        )
    assert not _invited(meeting)


def test_rule_refuses_a_subtree_outside_the_users_scope(tree, people):
    dcf_admin = make_user(tree.dcf, Role.UNIT_ADMIN)
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=dcf_admin)
    with pytest.raises(ValidationError):
        services.attendance_invite_by_rule(
            meeting=meeting, rule=InviteRule.SUBTREE, unit=tree.lq, acting_user=dcf_admin
        )
    assert not _invited(meeting)


def test_leave_needs_a_reason_and_nothing_is_half_saved(tree, people):
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    services.attendance_invite(
        meeting=meeting, persons=[people["dcf_staff"], people["dcf_chair"]], acting_user=tree.admin
    )
    staff, chair = (
        Attendance.objects.get(meeting=meeting, person=people[key])
        for key in ("dcf_staff", "dcf_chair")
    )
    with pytest.raises(ValidationError) as caught:
        services.attendance_mark(
            meeting=meeting,
            marks=[
                Mark(chair.pk, AttendanceStatus.PRESENT, "", chair.version),
                Mark(staff.pk, AttendanceStatus.LEAVE, "  ", staff.version),
            ],
            acting_user=tree.admin,
        )
    assert people["dcf_staff"].name in str(caught.value)
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {
        AttendanceStatus.INVITED
    }


def test_the_database_refuses_leave_without_a_reason(tree, people):
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            meeting=meeting, person=people["dcf_staff"], status=AttendanceStatus.LEAVE
        )


def test_a_mark_over_someone_elses_newer_mark_is_refused(tree, people):
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    services.attendance_invite(
        meeting=meeting, persons=[people["dcf_staff"]], acting_user=tree.admin
    )
    row = Attendance.objects.get(meeting=meeting)
    seen = row.version
    services.attendance_mark(
        meeting=meeting,
        marks=[Mark(row.pk, AttendanceStatus.PRESENT, "", seen)],
        acting_user=tree.admin,
    )
    with pytest.raises(ValidationError):
        services.attendance_mark(
            meeting=meeting,
            marks=[Mark(row.pk, AttendanceStatus.ABSENT, "", seen)],
            acting_user=tree.admin,
        )
    row.refresh_from_db()
    assert row.status == AttendanceStatus.PRESENT


def test_a_mark_of_another_meetings_row_is_refused(tree, people):
    mine = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    other = new_meeting(tree.campaign, tree.lq, acting_user=tree.admin)
    services.attendance_invite(meeting=other, persons=[people["lq_chair"]], acting_user=tree.admin)
    row = Attendance.objects.get(meeting=other)
    with pytest.raises(ValidationError):
        services.attendance_mark(
            meeting=mine,
            marks=[Mark(row.pk, AttendanceStatus.PRESENT, "", row.version)],
            acting_user=tree.admin,
        )
    row.refresh_from_db()
    assert row.status == AttendanceStatus.INVITED


def test_the_rest_are_marked_absent(tree, people):
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    services.attendance_invite_by_rule(
        meeting=meeting, rule=InviteRule.SUBTREE, unit=tree.dcf, acting_user=tree.admin
    )
    row = Attendance.objects.get(meeting=meeting, person=people["dcf_chair"])
    services.attendance_mark(
        meeting=meeting,
        marks=[Mark(row.pk, AttendanceStatus.PRESENT, "", row.version)],
        acting_user=tree.admin,
    )
    assert services.attendance_mark_rest_absent(meeting=meeting, acting_user=tree.admin) == 4
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "status"))
    assert statuses.pop(people["dcf_chair"].pk) == AttendanceStatus.PRESENT
    assert set(statuses.values()) == {AttendanceStatus.ABSENT}


def test_no_invitation_to_a_deleted_meeting(tree, people):
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    services.meeting_delete(meeting=meeting, acting_user=tree.admin)
    with pytest.raises(ValidationError):
        services.attendance_invite(
            meeting=meeting, persons=[people["dcf_staff"]], acting_user=tree.admin
        )
    assert not _invited(meeting)
