"""Guidance groups (巡回指导组): assignment, read-only scope and ``guidance_supervises``."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rectify.campaigns.models import GuidanceAssignment
from rectify.campaigns.selectors import guidance_supervises
from rectify.campaigns.services import guidance_assign
from rectify.core.testing import (
    make_campaign,
    make_guidance_group,
    make_measure,
    make_person,
    make_problem,
    make_user,
)
from rectify.ledger.models import Measure, Problem
from rectify.org.models import Role
from rectify.org.scoping import CHANGE, scope_paths

pytestmark = pytest.mark.django_db


@pytest.fixture
def guided(world):
    """A city group assigned 学会部 (inside 东昌府区科协) on the campaign; one member logs in."""
    member = make_user(world["city"])
    leader = make_user(world["city"])
    group = make_guidance_group(
        world["city"],
        members=[member.person],
        leader=leader.person,
        campaign=world["campaign"],
        units=[world["office_a"]],
        acting_user=world["city_admin"],
    )
    inside = make_problem(world["campaign"], world["group_a"])
    outside = make_problem(world["campaign"], world["a"])
    return {
        **world,
        "group": group,
        "member": member,
        "leader": leader,
        "inside": inside,
        "inside_measure": make_measure(inside),
        "outside": outside,
        "outside_measure": make_measure(outside),
    }


def test_member_reads_assigned_subtree_and_changes_nothing(guided):
    member = guided["member"]
    assert scope_paths(member) == [guided["office_a"].path]
    assert scope_paths(member, CHANGE) == []


def test_member_sees_assigned_units_problems_and_measures(guided, as_user):
    client = as_user(guided["member"])
    inside, measure = guided["inside"], guided["inside_measure"]
    for url in (
        reverse("ledger:problem-list"),
        reverse("ledger:measure-list"),
        reverse("campaigns:detail", args=[guided["campaign"].slug]),
        reverse("ledger:problem-detail", args=[inside.pk]),
        reverse("ledger:measure-detail", args=[measure.pk]),
        reverse("org:unit-detail", args=[guided["group_a"].pk]),
    ):
        assert client.get(url).status_code == 200, url
    problems = client.get(reverse("ledger:problem-list")).content.decode()
    assert inside.description in problems
    assert guided["outside"].description not in problems
    measures = client.get(reverse("ledger:measure-list")).content.decode()
    assert measure.content in measures
    assert guided["outside_measure"].content not in measures


def test_member_gets_404_outside_the_assignment(guided, as_user):
    client = as_user(guided["member"])
    other = make_problem(make_campaign(guided["b"]), guided["b"])
    for url in (
        reverse("ledger:problem-detail", args=[guided["outside"].pk]),
        reverse("ledger:measure-detail", args=[guided["outside_measure"].pk]),
        reverse("ledger:problem-detail", args=[other.pk]),
        reverse("org:unit-detail", args=[guided["a"].pk]),
        reverse("org:unit-detail", args=[guided["b"].pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_member_gets_403_on_every_change_of_assigned_units(guided, as_user):
    client = as_user(guided["member"])
    problem, measure = guided["inside"], guided["inside_measure"]
    unit, slug = guided["group_a"], guided["campaign"].slug
    person = make_person(unit)
    before = (problem.version, measure.version, measure.status, measure.progress_notes.count())
    urls = [
        reverse("ledger:problem-edit", args=[problem.pk]),
        reverse("ledger:problem-delete", args=[problem.pk]),
        reverse("ledger:problem-restore", args=[problem.pk]),
        reverse("ledger:measure-create", args=[problem.pk]),
        reverse("ledger:measure-edit", args=[measure.pk]),
        reverse("ledger:measure-status", args=[measure.pk]),
        reverse("ledger:measure-progress", args=[measure.pk]),
        reverse("ledger:measure-delete", args=[measure.pk]),
        reverse("ledger:measure-restore", args=[measure.pk]),
        reverse("org:unit-edit", args=[unit.pk]),
        reverse("org:unit-create", args=[unit.pk]),
        reverse("org:person-create", args=[unit.pk]),
        reverse("org:grant-create", args=[unit.pk]),
        reverse("org:person-edit", args=[person.pk]),
        reverse("org:login-create", args=[person.pk]),
        reverse("campaigns:edit", args=[slug]),
        reverse("campaigns:target-create", args=[slug]),
        reverse("campaigns:phase-create", args=[slug]),
        reverse("campaigns:guidance-assign", args=[slug]),
    ]
    data = {
        "content": "改写",
        "description": "改写",
        "text": "进展",
        "status": "completed",
        "version": 1,
        "reason": "x",
        "name": "x",
    }
    for url in urls:
        assert client.post(url, data).status_code == 403, url
    problem.refresh_from_db()
    measure.refresh_from_db()
    after = (problem.version, measure.version, measure.status, measure.progress_notes.count())
    assert after == before
    assert problem.deleted_at is None and measure.deleted_at is None
    assert not Problem.history.filter(history_user=guided["member"]).exists()
    assert not Measure.history.filter(history_user=guided["member"]).exists()


def test_leader_reads_like_a_member(guided):
    assert scope_paths(guided["leader"]) == [guided["office_a"].path]


def test_deleted_group_gives_no_scope(guided):
    from rectify.core.services import soft_delete

    soft_delete(guided["group"], acting_user=None)
    member = type(guided["member"]).objects.get(pk=guided["member"].pk)
    assert scope_paths(member) == []
    assert not guidance_supervises(member, guided["group_a"], guided["campaign"])


def test_guidance_supervises(guided):
    member, leader, campaign = guided["member"], guided["leader"], guided["campaign"]
    assert guidance_supervises(member, guided["office_a"], campaign)
    assert guidance_supervises(member, guided["group_a"], campaign)
    assert guidance_supervises(leader, guided["group_a"], campaign)
    # Above or beside the assigned unit.
    assert not guidance_supervises(member, guided["a"], campaign)
    assert not guidance_supervises(member, guided["b"], campaign)
    # Another campaign over the same units is not supervised.
    other = make_campaign(guided["a"], organizer=guided["city"])
    assert not guidance_supervises(member, guided["group_a"], other)
    # Administrators are not guidance groups; neither are strangers.
    assert not guidance_supervises(guided["sysadmin"], guided["group_a"], campaign)
    assert not guidance_supervises(guided["admin_a"], guided["group_a"], campaign)


def test_assignment_outside_participating_units_is_refused(guided):
    with pytest.raises(ValidationError) as exc:
        guidance_assign(
            campaign=guided["campaign"],
            group=guided["group"],
            units=[guided["b"]],
            acting_user=guided["city_admin"],
        )
    assert "units" in exc.value.error_dict
    assignment = GuidanceAssignment.objects.get(group=guided["group"])
    assert list(assignment.units.all()) == [guided["office_a"]]


def test_only_organizer_admins_assign(guided):
    for user in (guided["admin_a"], guided["member"]):
        with pytest.raises(PermissionDenied):
            guidance_assign(
                campaign=guided["campaign"],
                group=guided["group"],
                units=[guided["a"]],
                acting_user=user,
            )


def test_assigning_again_replaces_the_units(guided):
    assignment = guidance_assign(
        campaign=guided["campaign"],
        group=guided["group"],
        units=[guided["a"]],
        acting_user=guided["city_admin"],
    )
    assert GuidanceAssignment.objects.filter(group=guided["group"]).count() == 1
    assert list(assignment.units.all()) == [guided["a"]]
    latest = assignment.history.latest()
    assert latest.history_user == guided["city_admin"]
    assert [row.unit for row in latest.units.all()] == [guided["a"]]


def test_assign_page_assigns_and_campaign_page_lists_it(world, as_user):
    group = make_guidance_group(world["city"], members=[make_user(world["city"]).person])
    client = as_user(world["city_admin"])
    url = reverse("campaigns:guidance-assign", args=[world["campaign"].slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"group": group.pk, "units": [world["office_a"].pk]})
    assert response.status_code == 302
    assert list(GuidanceAssignment.objects.get(group=group).units.all()) == [world["office_a"]]
    page = client.get(reverse("campaigns:detail", args=[world["campaign"].slug]))
    assert group.name in page.content.decode()
    # A unit outside the campaign is a field error, nothing saved.
    response = client.post(url, {"group": group.pk, "units": [world["b"].pk]})
    assert response.status_code == 200 and response.context["form"].errors["units"]
    assert list(GuidanceAssignment.objects.get(group=group).units.all()) == [world["office_a"]]


def test_group_page_shows_assignments_to_its_member(guided, as_user):
    client = as_user(guided["member"])
    page = client.get(reverse("org:guidance-detail", args=[guided["group"].pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert guided["campaign"].name in body and guided["office_a"].name in body
    # A member reads the group but does not manage it.
    assert client.get(reverse("org:guidance-edit", args=[guided["group"].pk])).status_code == 403


def test_unit_leader_of_home_unit_needs_membership_to_read_group(guided, as_user):
    leader = make_user(guided["city"], Role.LEADER)
    response = as_user(leader).get(reverse("org:guidance-detail", args=[guided["group"].pk]))
    assert response.status_code == 404
