import pytest

from rectify.core.testing import make_campaign, make_measure, make_problem, make_unit, make_user
from rectify.ledger.models import Measure, Problem
from rectify.org.models import Role
from rectify.org.scoping import editable_by, visible_to

pytestmark = pytest.mark.django_db


def test_admin_who_answers_for_a_measure_elsewhere_sees_that_one_only():
    city = make_unit("市科协")
    county_a = make_unit("东昌府区科协", parent=city)
    county_b = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city)
    admin_a = make_user(county_a, Role.UNIT_ADMIN)
    own = make_measure(make_problem(campaign, county_a))
    answered = make_measure(make_problem(campaign, county_b), persons=[admin_a.person])
    other = make_measure(make_problem(campaign, county_b))

    visible = set(visible_to(Measure.objects.all(), admin_a))
    assert visible == {own, answered}
    assert other not in visible
    assert set(visible_to(Problem.objects.all(), admin_a)) == {own.problem, answered.problem}
    # Answering for a measure is not administering it.
    assert set(editable_by(Measure.objects.all(), admin_a)) == {own}


def test_admin_answering_only_inside_the_scope_sees_just_the_subtree():
    city = make_unit("市科协")
    county_a = make_unit("东昌府区科协", parent=city)
    county_b = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city)
    admin_a = make_user(county_a, Role.UNIT_ADMIN)
    own = make_measure(make_problem(campaign, county_a), persons=[admin_a.person])
    make_measure(make_problem(campaign, county_b))
    assert set(visible_to(Measure.objects.all(), admin_a)) == {own}
