"""A small tree with ranks and leadership flags, shared by the checklist tests."""

from types import SimpleNamespace

from rectify.core.services import soft_delete
from rectify.core.testing import make_admin, make_campaign, make_person, make_unit, make_user
from rectify.org.models import Rank, Role, UnitKind
from rectify.org.services import role_grant

from ..services.checklists import checklist_create_from_template

COUNTY_UP = Rank.COUNTY_LEVEL_AND_ABOVE


def admin_of(unit):
    """A unit administrator's login, tied to no person (so no rule can pick it)."""
    user = make_user()
    role_grant(user=user, unit=unit, role=Role.UNIT_ADMIN)
    return user


def build_tree() -> SimpleNamespace:
    """市科协 over two counties (one with an office below it), a campaign over the city,
    its 十个扪心自问, and people of every rank and flag, one of them deleted.

    ``people`` holds them by name; ``login`` gives some of them a login.
    """
    sysadmin = make_admin()
    city = make_unit("市科协", kind=UnitKind.CITY)
    a = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY)
    a1 = make_unit("东昌府区科协学会部", parent=a, kind=UnitKind.OFFICE)
    b = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY)
    outside = make_unit("不参加的单位")
    campaign = make_campaign(city, acting_user=sysadmin)
    specs = [
        (city, "城书记", COUNTY_UP, True),
        (city, "城调研员", COUNTY_UP, False),
        (city, "城科员", Rank.GENERAL, False),
        (a, "甲主席", Rank.GENERAL, True),
        (a, "甲调研员", COUNTY_UP, False),
        (a, "甲科员", Rank.GENERAL, False),
        (a1, "甲一部长", Rank.GENERAL, True),
        (a1, "甲一科员", Rank.OTHER, False),
        (a, "甲离任", COUNTY_UP, True),
        (b, "乙主席", COUNTY_UP, True),
        (b, "乙科员", Rank.GENERAL, False),
        (outside, "外单位主任", COUNTY_UP, True),
    ]
    people = {
        name: make_person(unit, name, rank=rank, is_leadership_member=lead)
        for unit, name, rank, lead in specs
    }
    soft_delete(people["甲离任"], acting_user=None)
    admin_city = admin_of(city)
    checklist = checklist_create_from_template(campaign=campaign, acting_user=admin_city)
    return SimpleNamespace(
        sysadmin=sysadmin,
        city=city,
        a=a,
        a1=a1,
        b=b,
        outside=outside,
        campaign=campaign,
        checklist=checklist,
        questions=list(checklist.questions.all()),
        people=people,
        admin_city=admin_city,
        admin_a=admin_of(a),
        admin_b=admin_of(b),
        admin_outside=admin_of(outside),
        leader_a=_leader_of(a),
    )


def _leader_of(unit):
    """A login holding the leader role on ``unit`` (reads its subtree, changes nothing)."""
    user = make_user()
    role_grant(user=user, unit=unit, role=Role.LEADER)
    return user


def login(person):
    """A login tied to ``person`` (with no role)."""
    return make_user(person=person)
