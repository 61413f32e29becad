"""Sorting the lists: every sort pages through each row once, ties broken by number, and a
measure without a deadline sorts as the latest, on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
)
from rectify.ledger.models import MeasureKind

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
#: More rows share one deadline than a page holds (50).
TIED = 55


@pytest.fixture
def ledger(client):
    unit = make_unit("市科协")
    campaign = make_campaign(unit)
    problem = make_problem(campaign, unit)
    person = make_person(unit)
    due = TODAY + dt.timedelta(days=10)
    tied = [make_measure(problem, deadline=due, persons=[person]).pk for _ in range(TIED)]
    early = make_measure(problem, deadline=TODAY + dt.timedelta(days=2), persons=[person]).pk
    grey = make_measure(problem, kind=MeasureKind.LONG_TERM, deadline=None, persons=[person]).pk
    client.force_login(make_admin())
    return {"campaign": campaign, "unit": unit, "person": person, "tied": tied,
            "early": early, "grey": grey}  # fmt: skip


def _listed(client, url: str, **params) -> list[int]:
    """The numbers of the rows of every page of ``url``, in order."""
    pks, page = [], 1
    while True:
        response = client.get(url, {**params, "page": page})
        assert response.status_code == 200
        page_obj = response.context["page_obj"]
        pks += [row.pk for row in page_obj.object_list]
        if not page_obj.has_next():
            return pks
        page += 1


def test_sorting_by_deadline_pages_through_ties_by_number_with_no_deadline_last(client, ledger):
    tied, early, grey = ledger["tied"], ledger["early"], ledger["grey"]
    url = reverse("ledger:measure-list")
    assert _listed(client, url, o="deadline") == [early, *sorted(tied), grey]
    assert _listed(client, url, o="-deadline") == [grey, *sorted(tied, reverse=True), early]


@pytest.mark.parametrize("order", ["status", "-status", "updated", "-updated", "problem", "unit"])
def test_every_sort_lists_each_measure_once(client, ledger, order):
    listed = _listed(client, reverse("ledger:measure-list"), o=order)
    assert sorted(listed) == sorted([*ledger["tied"], ledger["early"], ledger["grey"]])
    dated = [pk for pk in listed if pk != ledger["grey"]]
    if order == "status":  # one status: by deadline, then by number
        assert dated == [ledger["early"], *sorted(ledger["tied"])]
    if order == "-status":
        assert dated == [*sorted(ledger["tied"], reverse=True), ledger["early"]]


def test_the_responsibility_list_puts_measures_without_a_deadline_last(client, ledger):
    url = reverse("ledger:person-responsibilities", kwargs={"pk": ledger["person"].pk})
    assert _listed(client, url) == [ledger["early"], *sorted(ledger["tied"]), ledger["grey"]]


def test_problems_found_on_one_day_page_by_number(client, ledger):
    found = TODAY - dt.timedelta(days=5)
    problems = [
        make_problem(ledger["campaign"], ledger["unit"], found_on=found).pk for _ in range(TIED)
    ]
    older = make_problem(ledger["campaign"], ledger["unit"], found_on=found - dt.timedelta(1))
    url = reverse("ledger:problem-list")
    listed = [pk for pk in _listed(client, url, o="found") if pk in {*problems, older.pk}]
    assert listed == [older.pk, *sorted(problems)]
    listed = [pk for pk in _listed(client, url, o="-found") if pk in {*problems, older.pk}]
    assert listed == [*sorted(problems, reverse=True), older.pk]
