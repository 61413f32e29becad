"""A city that organizes a campaign two of its counties take part in."""

import pytest

from rectify.core.testing import make_admin, make_campaign, make_unit, make_user
from rectify.org.models import Role, UnitKind


@pytest.fixture
def world(db):
    """市科协 organizes a campaign over 东昌府区科协; 临清市科协 takes no part."""
    city = make_unit("市科协", kind=UnitKind.CITY, code="LC")
    county_a = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY, code="LC-DCF")
    county_b = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY, code="LC-LQ")
    office_a = make_unit("学会部", parent=county_a, kind=UnitKind.OFFICE, code="LC-DCF-XH")
    group_a = make_unit("学会部一组", parent=office_a, code="LC-DCF-XH-1")
    city_admin = make_user(city, Role.UNIT_ADMIN)
    campaign = make_campaign(county_a, organizer=city, slug="zt", acting_user=city_admin)
    return {
        "city": city,
        "a": county_a,
        "b": county_b,
        "office_a": office_a,
        "group_a": group_a,
        "campaign": campaign,
        "city_admin": city_admin,
        "admin_a": make_user(county_a, Role.UNIT_ADMIN),
        "admin_b": make_user(county_b, Role.UNIT_ADMIN),
        "leader_a": make_user(county_a, Role.LEADER),
        "sysadmin": make_admin(),
    }


@pytest.fixture
def as_user(client):
    """Log the test client in as the given login and return the client."""

    def login(user):
        client.force_login(user)
        return client

    return login
