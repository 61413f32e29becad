"""What a user notices on the unit, people and role-grant pages."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.core.testing import make_person, make_unit, make_user
from rectify.org.models import Person, Role, RoleGrant, Unit, UnitKind
from rectify.org.selectors import CHILDREN_PER_ROOT

pytestmark = pytest.mark.django_db
PASSWORD = "Wq7!tree-lantern-41"


def url(name, *args):
    return reverse(f"org:{name}", args=args)


# --- the unit tree ---------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client, world):
    response = client.get(url("unit-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_county_admin_sees_only_their_subtree_in_unit_tree(as_user, world):
    response = as_user(world["admin_a"]).get(url("unit-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "东昌府区科协" in content
    assert "东昌府区学会部" in content
    assert "临清市科协" not in content
    assert "市科协" not in content  # the city itself is above a county admin's scope


def test_unit_tree_shows_one_level_below_the_roots(as_user, world):
    grandchild = make_unit("东昌府区学会部一组", parent=world["office_a"])
    response = as_user(world["city_admin"]).get(url("unit-list"))
    content = response.content.decode()
    assert "东昌府区科协" in content and "临清市科协" in content
    assert "东昌府区学会部" not in content
    assert grandchild.name not in content
    # Each child with children of its own links down to its page.
    assert url("unit-detail", world["a"].pk) in content


def test_unit_tree_caps_children_per_root_and_links_to_the_rest(as_user, world):
    for n in range(CHILDREN_PER_ROOT + 3):
        make_unit(f"分会{n:03d}", parent=world["a"])
    response = as_user(world["admin_a"]).get(url("unit-list"))
    roots = list(response.context["page_obj"])
    assert len(roots[0].first_children) == CHILDREN_PER_ROOT
    assert roots[0].more_children == 4  # 33 new ones and the office, minus the 30 shown
    assert "分会032" not in response.content.decode()


def test_unit_search_finds_units_by_code_within_scope(as_user, world):
    client = as_user(world["admin_a"])
    response = client.get(url("unit-list"), {"q": world["office_a"].code})
    assert [u.pk for u in response.context["page_obj"]] == [world["office_a"].pk]
    response = client.get(url("unit-list"), {"q": world["b"].code})
    assert list(response.context["page_obj"]) == []


def test_system_admin_sees_the_tree_roots(as_user, world):
    response = as_user(world["sysadmin"]).get(url("unit-list"))
    assert [u.pk for u in response.context["page_obj"]] == [world["city"].pk]


def test_unit_detail_lists_children_people_and_grants(as_user, world):
    response = as_user(world["admin_a"]).get(url("unit-detail", world["a"].pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "东昌府区学会部" in content
    assert "张三" in content
    assert world["admin_a"].username in content
    assert response.context["breadcrumb"] == []  # the city is above a county admin's scope


def test_unit_detail_breadcrumb_shows_visible_ancestors(as_user, world):
    response = as_user(world["city_admin"]).get(url("unit-detail", world["office_a"].pk))
    assert response.context["breadcrumb"] == [world["city"], world["a"]]


def test_unit_detail_paginates_children(as_user, world):
    for n in range(55):
        make_unit(f"分会{n:03d}", parent=world["b"])
    client = as_user(world["admin_b"])
    first = client.get(url("unit-detail", world["b"].pk))
    second = client.get(url("unit-detail", world["b"].pk), {"page": 2})
    assert len(first.context["page_obj"]) == 50
    assert len(second.context["page_obj"]) == 5


@pytest.mark.parametrize(
    "name",
    [
        "unit-detail",
        "unit-edit",
        "unit-create",
        "person-list",
        "person-create",
        "grant-create",
    ],
)
def test_county_admin_gets_404_on_other_county_unit_pages(as_user, world, name):
    response = as_user(world["admin_a"]).get(url(name, world["b"].pk))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["person-detail", "person-edit", "login-create"])
def test_county_admin_gets_404_on_other_county_person_pages(as_user, world, name):
    response = as_user(world["admin_a"]).get(url(name, world["person_b"].pk))
    assert response.status_code == 404


def test_missing_unit_is_404_like_an_unseen_one(as_user, world):
    response = as_user(world["admin_a"]).get(url("unit-detail", 999_999))
    assert response.status_code == 404


def test_script_in_unit_name_is_rendered_escaped(as_user, world):
    make_unit("<script>alert('x')</script>", parent=world["a"])
    client = as_user(world["admin_a"])
    for page in (url("unit-list"), url("unit-detail", world["a"].pk)):
        content = client.get(page).content.decode()
        assert "<script>alert" not in content
        assert "&lt;script&gt;alert(" in content


# --- creating and editing units --------------------------------------------


def test_unit_admin_creates_a_child_unit_under_their_unit(as_user, world):
    response = as_user(world["admin_a"]).post(
        url("unit-create", world["a"].pk),
        {"name": "东昌府区科普部", "short_name": "科普部", "code": "DCF-KP", "kind": "office"},
    )
    unit = Unit.objects.get(code="DCF-KP")
    assert response.status_code == 302
    assert response["Location"] == url("unit-detail", unit.pk)
    assert unit.parent == world["a"]
    assert unit.is_within(world["a"])
    assert unit.depth == world["a"].depth + 1


def test_duplicate_unit_code_shows_a_field_error_in_chinese(as_user, world):
    before = Unit.all_objects.count()
    response = as_user(world["admin_a"]).post(
        url("unit-create", world["a"].pk),
        {"name": "重复", "code": world["b"].code, "kind": "office"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["code"]
    assert "已存在" in errors["code"][0]
    assert "已存在" in response.content.decode()
    assert Unit.all_objects.count() == before


def test_duplicate_unit_code_error_follows_the_language(as_user, world):
    response = as_user(world["admin_a"]).post(
        url("unit-create", world["a"].pk),
        {"name": "重复", "code": world["b"].code, "kind": "office"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "already exists" in response.context["form"].errors["code"][0]


def test_leader_cannot_create_a_child_unit(as_user, world):
    response = as_user(world["leader_a"]).post(
        url("unit-create", world["a"].pk), {"name": "新单位", "code": "NEW-1", "kind": "other"}
    )
    assert response.status_code == 403
    assert not Unit.objects.filter(code="NEW-1").exists()


def test_county_admin_cannot_create_under_the_city(as_user, world):
    # The city is outside a county admin's scope altogether: 404, not 403.
    response = as_user(world["admin_a"]).get(url("unit-create", world["city"].pk))
    assert response.status_code == 404


def test_unit_admin_edits_a_unit(as_user, world):
    response = as_user(world["admin_a"]).post(
        url("unit-edit", world["office_a"].pk),
        {"name": "东昌府区组织人事部", "short_name": "", "code": "DCF-ZR", "kind": "office"},
    )
    assert response.status_code == 302
    world["office_a"].refresh_from_db()
    assert (world["office_a"].name, world["office_a"].code) == ("东昌府区组织人事部", "DCF-ZR")


def test_unit_edit_keeps_its_own_code_and_refuses_another(as_user, world):
    client = as_user(world["admin_a"])
    office = world["office_a"]
    ok = client.post(
        url("unit-edit", office.pk), {"name": "新名", "code": office.code, "kind": "office"}
    )
    assert ok.status_code == 302
    taken = client.post(
        url("unit-edit", office.pk), {"name": "新名", "code": world["city"].code, "kind": "office"}
    )
    assert taken.status_code == 200
    assert "code" in taken.context["form"].errors


# --- people ------------------------------------------------------------------


def test_people_list_is_per_unit_and_paginated(as_user, world):
    for n in range(52):
        make_person(world["a"], f"成员{n:02d}")
    client = as_user(world["admin_a"])
    response = client.get(url("person-list", world["a"].pk))
    assert len(response.context["page_obj"]) == 50
    assert all(p.unit_id == world["a"].pk for p in response.context["page_obj"])
    response = client.get(url("person-list", world["a"].pk), {"page": 2})
    assert len(response.context["page_obj"]) == 5  # 52 + 张三 + the admin's and leader's persons


def test_unit_admin_adds_a_person(as_user, world):
    response = as_user(world["admin_a"]).post(
        url("person-create", world["office_a"].pk),
        {
            "name": "王五",
            "position": "部长",
            "rank": "county_up",
            "is_leadership_member": "on",
            "phone": "13800000000",
            "email": "wangwu@example.org",
        },
    )
    person = Person.objects.get(name="王五")
    assert response.status_code == 302
    assert person.unit == world["office_a"]
    assert person.is_leadership_member and person.rank == "county_up"
    assert person.history.first().history_user == world["admin_a"]


def test_unit_admin_edits_a_person(as_user, world):
    person = world["person_a"]
    response = as_user(world["admin_a"]).post(
        url("person-edit", person.pk),
        {"name": "张三丰", "position": "副主席", "rank": "general", "phone": "", "email": ""},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.position, person.is_leadership_member) == (
        "张三丰",
        "副主席",
        False,
    )


def test_leader_sees_a_person_but_cannot_edit(as_user, world):
    client = as_user(world["leader_a"])
    assert client.get(url("person-detail", world["person_a"].pk)).status_code == 200
    assert client.get(url("person-edit", world["person_a"].pk)).status_code == 403


# --- logins --------------------------------------------------------------------


def test_unit_admin_gives_a_person_a_login(as_user, world):
    person = world["person_a"]
    response = as_user(world["admin_a"]).post(
        url("login-create", person.pk),
        {"username": "zhangsan", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user.username == "zhangsan"
    assert person.user.check_password(PASSWORD)


def test_login_with_taken_username_is_a_field_error(as_user, world):
    taken = world["admin_b"].username
    response = as_user(world["admin_a"]).post(
        url("login-create", world["person_a"].pk),
        {"username": taken, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    world["person_a"].refresh_from_db()
    assert world["person_a"].user is None


def test_weak_password_is_refused(as_user, world):
    response = as_user(world["admin_a"]).post(
        url("login-create", world["person_a"].pk),
        {"username": "zhangsan", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not get_user_model().objects.filter(username="zhangsan").exists()


def test_leader_cannot_give_a_login(as_user, world):
    response = as_user(world["leader_a"]).post(
        url("login-create", world["person_a"].pk),
        {"username": "zhangsan", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="zhangsan").exists()


# --- role grants ------------------------------------------------------------------


def test_unit_admin_grants_a_role_to_a_login_in_scope(as_user, world):
    grantee = make_user(world["office_a"])
    response = as_user(world["admin_a"]).post(
        url("grant-create", world["office_a"].pk),
        {"username": grantee.username, "role": Role.UNIT_ADMIN},
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=grantee)
    assert (grant.unit, grant.role) == (world["office_a"], Role.UNIT_ADMIN)
    assert grant.history.first().history_user == world["admin_a"]


def test_unit_admin_cannot_grant_to_a_login_out_of_scope(as_user, world):
    outsider = make_user(world["b"])
    response = as_user(world["admin_a"]).post(
        url("grant-create", world["a"].pk), {"username": outsider.username, "role": Role.LEADER}
    )
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not RoleGrant.objects.filter(user=outsider).exists()


def test_unit_admin_cannot_grant_system_administrator(as_user, world):
    grantee = make_user(world["a"])
    client = as_user(world["admin_a"])
    form_page = client.get(url("unit-detail", world["a"].pk))
    assert Role.SYSTEM_ADMIN not in dict(form_page.context["grant_form"].fields["role"].choices)
    response = client.post(
        url("grant-create", world["a"].pk),
        {"username": grantee.username, "role": Role.SYSTEM_ADMIN},
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not RoleGrant.objects.filter(user=grantee).exists()


def test_system_admin_grants_system_administrator(as_user, world):
    grantee = make_user(world["city"])
    response = as_user(world["sysadmin"]).post(
        url("grant-create", world["city"].pk),
        {"username": grantee.username, "role": Role.SYSTEM_ADMIN},
    )
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=grantee, role=Role.SYSTEM_ADMIN).exists()


def test_unit_admin_revokes_a_role(as_user, world):
    grant = RoleGrant.objects.get(user=world["leader_a"])
    client = as_user(world["admin_a"])
    assert client.get(url("grant-revoke", grant.pk)).status_code == 405
    response = client.post(url("grant-revoke", grant.pk))
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_county_admin_cannot_revoke_other_county_grant(as_user, world):
    grant = RoleGrant.objects.get(user=world["admin_b"])
    response = as_user(world["admin_a"]).post(url("grant-revoke", grant.pk))
    assert response.status_code == 404
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_unit_admin_cannot_revoke_the_grant_of_the_unit_above(as_user, world):
    # A county admin sees the grants of their county only; the city admin's grant is on the city.
    grant = RoleGrant.objects.get(user=world["city_admin"])
    response = as_user(world["admin_a"]).post(url("grant-revoke", grant.pk))
    assert response.status_code == 404


def test_leader_sees_grants_but_cannot_revoke(as_user, world):
    grant = RoleGrant.objects.get(user=world["admin_a"])
    client = as_user(world["leader_a"])
    page = client.get(url("unit-detail", world["a"].pk))
    assert page.context["grant_form"] is None
    assert client.post(url("grant-revoke", grant.pk)).status_code == 403


# --- query counts ---------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


def test_unit_list_queries_do_not_grow_with_units(as_user, world, django_assert_max_num_queries):
    client = as_user(world["city_admin"])
    few = _queries(client, url("unit-list"))
    for n in range(25):
        child = make_unit(f"新单位{n}", parent=world["a"], kind=UnitKind.OFFICE)
        make_unit(f"新单位{n}下级", parent=child)
    with django_assert_max_num_queries(12):
        client.get(url("unit-list"))
    assert _queries(client, url("unit-list")) == few


def test_unit_detail_queries_do_not_grow_with_rows(as_user, world, django_assert_max_num_queries):
    client = as_user(world["admin_a"])
    few = _queries(client, url("unit-detail", world["a"].pk))
    for n in range(25):
        make_unit(f"新单位{n}", parent=world["a"])
        make_user(person=make_person(world["a"]), unit=world["a"], role=Role.LEADER)
    with django_assert_max_num_queries(14):
        client.get(url("unit-detail", world["a"].pk))
    assert _queries(client, url("unit-detail", world["a"].pk)) == few


def test_people_list_queries_do_not_grow_with_people(as_user, world, django_assert_max_num_queries):
    client = as_user(world["admin_a"])
    few = _queries(client, url("person-list", world["a"].pk))
    for n in range(30):
        make_user(person=make_person(world["a"], f"成员{n}"))
    with django_assert_max_num_queries(10):
        client.get(url("person-list", world["a"].pk))
    assert _queries(client, url("person-list", world["a"].pk)) == few
