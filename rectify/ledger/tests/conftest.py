"""A city with two counties and a campaign over it, shared by the ledger's page tests."""

from types import SimpleNamespace

import pytest

from rectify.core.testing import make_admin, make_campaign, make_person, make_unit, make_user
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
