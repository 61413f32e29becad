"""Rules the org services keep for every caller (web pages, admin, API, commands)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rectify.core.testing import make_user
from rectify.org import services
from rectify.org.models import Role, RoleGrant, Unit

pytestmark = pytest.mark.django_db


def test_only_admins_of_the_parent_add_a_child_unit(world):
    with pytest.raises(PermissionDenied):
        services.unit_create(
            name="越权", code="X-1", parent=world["b"], acting_user=world["admin_a"]
        )
    with pytest.raises(PermissionDenied):
        services.unit_create(
            name="越权", code="X-2", parent=world["a"], acting_user=world["leader_a"]
        )
    unit = services.unit_create(
        name="新部门", code="X-3", parent=world["office_a"], acting_user=world["admin_a"]
    )
    assert unit.is_within(world["a"])


def test_only_system_admins_add_a_root_unit(world):
    with pytest.raises(PermissionDenied):
        services.unit_create(name="省", code="P", acting_user=world["city_admin"])
    assert services.unit_create(name="省", code="P", acting_user=world["sysadmin"]).depth == 0


def test_duplicate_code_is_a_code_error(world):
    with pytest.raises(ValidationError) as caught:
        services.unit_create(name="重复", code=world["b"].code, parent=world["a"])
    assert "code" in caught.value.error_dict
    assert Unit.all_objects.filter(code=world["b"].code).count() == 1


def test_people_are_changed_only_by_admins_of_their_unit(world):
    with pytest.raises(PermissionDenied):
        services.person_create(name="越权", unit=world["b"], acting_user=world["admin_a"])
    with pytest.raises(PermissionDenied):
        services.person_update(person=world["person_b"], name="改", acting_user=world["admin_a"])
    with pytest.raises(PermissionDenied):
        # Moving a person out of one's scope needs the other unit too.
        services.person_update(
            person=world["person_a"], unit=world["b"], acting_user=world["admin_a"]
        )


def test_login_create_refuses_taken_username_and_second_login(world):
    with pytest.raises(ValidationError) as caught:
        services.login_create(
            person=world["person_a"],
            username=world["admin_b"].username,
            password="x",
            acting_user=world["admin_a"],
        )
    assert "username" in caught.value.error_dict
    user = services.login_create(
        person=world["person_a"], username="zs", password="pw", acting_user=world["admin_a"]
    )
    assert user.check_password("pw")
    with pytest.raises(ValidationError):
        services.login_create(person=world["person_a"], username="zs2", password="pw")
    with pytest.raises(PermissionDenied):
        services.login_create(
            person=world["person_b"], username="ls", password="pw", acting_user=world["admin_a"]
        )


def test_system_administrator_role_is_granted_and_revoked_only_by_system_admins(world):
    grantee = make_user(world["a"])
    with pytest.raises(PermissionDenied):
        services.role_grant(
            user=grantee, unit=world["a"], role=Role.SYSTEM_ADMIN, acting_user=world["admin_a"]
        )
    grant = services.role_grant(
        user=grantee, unit=world["a"], role=Role.SYSTEM_ADMIN, acting_user=world["sysadmin"]
    )
    with pytest.raises(PermissionDenied):
        services.role_revoke(grant=grant, acting_user=world["admin_a"])
    services.role_revoke(grant=grant, acting_user=world["sysadmin"])
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_unit_admin_grants_only_to_logins_in_their_scope(world):
    outsider = make_user(world["b"])
    with pytest.raises(ValidationError):
        services.role_grant(
            user=outsider, unit=world["a"], role=Role.LEADER, acting_user=world["admin_a"]
        )
    with pytest.raises(PermissionDenied):
        services.role_grant(
            user=outsider, unit=world["b"], role=Role.LEADER, acting_user=world["admin_a"]
        )


def test_granting_twice_is_a_no_op(world):
    first = services.role_grant(
        user=world["leader_a"], unit=world["a"], role=Role.LEADER, acting_user=world["admin_a"]
    )
    assert RoleGrant.objects.filter(user=world["leader_a"]).count() == 1
    assert first.history.count() == 1
