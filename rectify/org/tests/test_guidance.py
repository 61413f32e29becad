"""Guidance groups (巡回指导组) in the org app: who may set them up and see them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rectify.core.testing import make_guidance_group, make_user
from rectify.org.models import GuidanceGroup
from rectify.org.selectors import guidance_groups_visible_to
from rectify.org.services import guidance_group_create, guidance_group_update

pytestmark = pytest.mark.django_db


def test_unit_admin_creates_a_group_at_the_home_unit(world):
    member = make_user(world["a"])
    group = guidance_group_create(
        name="第七巡回指导组",
        home_unit=world["a"],
        leader=world["person_a"],
        members=[member.person],
        acting_user=world["admin_a"],
    )
    assert list(group.members.all()) == [member.person]
    assert {h.history_user for h in group.history.all()} == {world["admin_a"]}
    assert [m.person for m in group.history.latest().members.all()] == [member.person]


def test_non_admin_cannot_create_a_group(world):
    for user in (world["leader_a"], world["admin_b"]):
        with pytest.raises(PermissionDenied):
            guidance_group_create(name="组", home_unit=world["a"], acting_user=user)
    assert not GuidanceGroup.objects.exists()


def test_non_admin_create_page_is_refused(world, as_user):
    client = as_user(world["leader_a"])
    response = client.post(
        reverse("org:guidance-create"), {"name": "组", "home_unit": world["a"].pk}
    )
    assert response.status_code == 403
    assert not GuidanceGroup.objects.exists()


def test_admin_cannot_name_people_outside_their_scope(world):
    with pytest.raises(ValidationError) as exc:
        guidance_group_create(
            name="组",
            home_unit=world["a"],
            members=[world["person_b"]],
            acting_user=world["admin_a"],
        )
    assert "members" in exc.value.error_dict


def test_create_and_edit_pages(world, as_user):
    member = make_user(world["a"])
    client = as_user(world["admin_a"])
    assert client.get(reverse("org:guidance-create")).status_code == 200
    response = client.post(
        reverse("org:guidance-create"),
        {"name": "指导组", "home_unit": world["a"].pk, "members": [member.person.pk]},
    )
    group = GuidanceGroup.objects.get()
    assert response.status_code == 302 and response.url == group.get_absolute_url()
    edit = reverse("org:guidance-edit", args=[group.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": "改名", "leader": world["person_a"].pk, "members": []})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "改名" and group.leader == world["person_a"]
    assert not group.members.exists() and group.home_unit == world["a"]


def test_members_picker_offers_only_people_with_logins(world, as_user):
    member = make_user(world["a"])
    page = as_user(world["admin_a"]).get(reverse("org:guidance-create"))
    members = page.context["form"].fields["members"].widget.choices
    offered = {str(value) for value, _label in members}
    assert str(member.person.pk) in offered
    assert str(world["person_a"].pk) not in offered


def test_groups_are_visible_to_home_admins_and_members_only(world, as_user):
    member = make_user(world["b"])
    group = make_guidance_group(world["a"], members=[member.person])
    assert group in guidance_groups_visible_to(world["admin_a"])
    assert group in guidance_groups_visible_to(world["city_admin"])
    assert group in guidance_groups_visible_to(member)
    assert group not in guidance_groups_visible_to(world["admin_b"])
    assert group not in guidance_groups_visible_to(world["leader_a"])
    listing = as_user(member).get(reverse("org:guidance-list")).content.decode()
    assert group.name in listing
    detail = reverse("org:guidance-detail", args=[group.pk])
    assert as_user(world["admin_b"]).get(detail).status_code == 404


def test_update_keeps_people_the_editor_cannot_see(world):
    outsider = make_user(world["b"])
    group = make_guidance_group(world["a"], members=[outsider.person])
    guidance_group_update(
        group=group, name="新名", members=list(group.members.all()), acting_user=world["admin_a"]
    )
    assert list(group.members.all()) == [outsider.person]
