"""A small city with two counties, shared by the org tests."""

import pytest

from rectify.core.testing import make_admin, make_person, make_unit, make_user
from rectify.org.models import Role, UnitKind


@pytest.fixture
def world(db):
    """市科协 with two counties; each county has an office, a person and an administrator."""
    city = make_unit("市科协", kind=UnitKind.CITY)
    county_a = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY)
    county_b = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY)
    office_a = make_unit("东昌府区学会部", parent=county_a, kind=UnitKind.OFFICE)
    return {
        "city": city,
        "a": county_a,
        "b": county_b,
        "office_a": office_a,
        "person_a": make_person(county_a, "张三"),
        "person_b": make_person(county_b, "李四"),
        "admin_a": make_user(county_a, Role.UNIT_ADMIN),
        "admin_b": make_user(county_b, Role.UNIT_ADMIN),
        "city_admin": make_user(city, Role.UNIT_ADMIN),
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
