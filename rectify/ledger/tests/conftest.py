"""A city with two counties and a campaign over it, shared by the ledger's page tests."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

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
from rectify.org.models import Role, UnitKind


def build_city() -> SimpleNamespace:
    """市科协 with two counties, a campaign, admins and a responsible person with a login."""
    city = make_unit("市科协", kind=UnitKind.CITY)
    county_a = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY)
    county_b = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY)
    campaign = make_campaign(city)
    zeren = make_user(person=make_person(county_a, "王责任"))
    return SimpleNamespace(
        city=city,
        a=county_a,
        b=county_b,
        campaign=campaign,
        admin_a=make_user(county_a, Role.UNIT_ADMIN),
        admin_b=make_user(county_b, Role.UNIT_ADMIN),
        sysadmin=make_admin(),
        zeren=zeren,
        zeren_person=zeren.person,
    )


@pytest.fixture
def city(db) -> SimpleNamespace:
    """See :func:`build_city`."""
    return build_city()


@pytest.fixture
def urging_county(db) -> dict:
    """A county with two red measures and a later one that a person answers for, its leader
    and administrator, a guidance group member assigned it, and a red measure elsewhere."""
    today = timezone.localdate()
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    other = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city)
    guide = make_user(city)
    make_guidance_group(city, members=[guide.person], campaign=campaign, units=[county])
    zeren = make_user(person=make_person(county))
    problem = make_problem(campaign, county, found_on=today - dt.timedelta(days=60))
    red = [
        make_measure(problem, persons=[zeren.person], deadline=today - dt.timedelta(days=d))
        for d in (1, 2)
    ]
    later = make_measure(problem, persons=[zeren.person], deadline=today + dt.timedelta(days=20))
    elsewhere = make_measure(
        make_problem(campaign, other, found_on=today - dt.timedelta(days=60)),
        deadline=today - dt.timedelta(days=3),
    )
    return {
        "county": county,
        "leader": make_user(county, Role.LEADER),
        "admin": make_user(county, Role.UNIT_ADMIN),
        "guide": guide,
        "zeren": zeren,
        "red": red,
        "later": later,
        "elsewhere": elsewhere,
    }
