"""The Django admin, as a system administrator uses it."""

import pytest
from django.urls import reverse

from rectify.core.services import soft_delete
from rectify.core.testing import make_person, make_user
from rectify.org.models import PATH_STEP, Person, Role, RoleGrant, Unit, path_segment

pytestmark = pytest.mark.django_db


def test_unit_added_in_the_admin_gets_its_tree_path(as_user, world):
    response = as_user(world["sysadmin"]).post(
        reverse("admin:org_unit_add"),
        {"name": "东昌府区科普部", "short_name": "", "code": "DCF-KP", "kind": "office",
         "parent": world["a"].pk, "order": 0},
    )  # fmt: skip
    unit = Unit.objects.get(code="DCF-KP")
    assert response.status_code == 302
    assert unit.path == world["a"].path + path_segment(unit.pk)
    assert unit.depth == 2
    assert unit in Unit.objects.subtree_of(world["city"])


def test_root_unit_added_in_the_admin(as_user, world):
    as_user(world["sysadmin"]).post(
        reverse("admin:org_unit_add"),
        {"name": "省科协", "short_name": "", "code": "SD", "kind": "province", "order": 0},
    )
    unit = Unit.objects.get(code="SD")
    assert (unit.parent, unit.depth, len(unit.path)) == (None, 0, PATH_STEP)


def test_duplicate_unit_code_in_the_admin_is_a_field_error(as_user, world):
    response = as_user(world["sysadmin"]).post(
        reverse("admin:org_unit_add"),
        {"name": "重复", "code": world["b"].code, "kind": "office", "parent": world["a"].pk,
         "order": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors


def test_unit_renamed_in_the_admin_keeps_its_place(as_user, world):
    office = world["office_a"]
    response = as_user(world["sysadmin"]).post(
        reverse("admin:org_unit_change", args=[office.pk]),
        {"name": "新名", "short_name": "", "code": office.code, "kind": "office", "order": 0,
         "parent": world["b"].pk},
    )  # fmt: skip
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "新名"
    assert office.parent == world["a"]  # parent is read-only once created


def test_deleted_units_are_listed_and_restored_in_the_admin(as_user, world):
    office = world["office_a"]
    soft_delete(office, acting_user=world["sysadmin"])
    client = as_user(world["sysadmin"])
    live = client.get(reverse("admin:org_unit_changelist"))
    assert office not in live.context["cl"].result_list
    deleted = client.get(reverse("admin:org_unit_changelist"), {"deleted": "yes"})
    assert list(deleted.context["cl"].result_list) == [office]
    client.post(
        reverse("admin:org_unit_changelist") + "?deleted=yes",
        {"action": "restore_selected", "_selected_action": [office.pk]},
    )
    assert Unit.objects.filter(pk=office.pk).exists()


def test_units_are_never_hard_deleted_in_the_admin(as_user, world):
    response = as_user(world["sysadmin"]).get(
        reverse("admin:org_unit_delete", args=[world["office_a"].pk])
    )
    assert response.status_code == 403


def test_person_added_in_the_admin_records_who(as_user, world):
    as_user(world["sysadmin"]).post(
        reverse("admin:org_person_add"),
        {"name": "赵六", "unit": world["b"].pk, "position": "", "rank": "general", "phone": "",
         "email": ""},
    )  # fmt: skip
    person = Person.objects.get(name="赵六")
    assert person.history.first().history_user == world["sysadmin"]


def test_role_granted_and_revoked_in_the_admin(as_user, world):
    grantee = make_user(world["b"])
    client = as_user(world["sysadmin"])
    client.post(
        reverse("admin:org_rolegrant_add"),
        {"user": grantee.pk, "unit": world["b"].pk, "role": Role.UNIT_ADMIN},
    )
    grant = RoleGrant.objects.get(user=grantee)
    client.post(
        reverse("admin:org_rolegrant_changelist"),
        {"action": "revoke_selected", "_selected_action": [grant.pk]},
    )
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_system_administrator_role_opens_the_admin(client, world):
    staff = make_user(world["city"], Role.SYSTEM_ADMIN)
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    for name in ("org_unit", "org_person", "org_rolegrant", "campaigns_campaign"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name


def test_staff_without_system_administrator_role_is_kept_out(client, world):
    staff = world["city_admin"]
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get(reverse("admin:org_unit_changelist")).status_code == 403
    assert client.get(reverse("admin:org_unit_add")).status_code == 403


def test_admin_pages_load(as_user, world):
    person = make_person(world["a"])
    client = as_user(world["sysadmin"])
    grant = RoleGrant.objects.first()
    pages = [
        reverse("admin:org_unit_change", args=[world["a"].pk]),
        reverse("admin:org_person_change", args=[person.pk]),
        reverse("admin:org_person_history", args=[person.pk]),
        reverse("admin:org_rolegrant_change", args=[grant.pk]),
        reverse("admin:org_unit_changelist") + "?q=科协",
        reverse("admin:org_person_changelist"),
        reverse("admin:org_rolegrant_changelist"),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
