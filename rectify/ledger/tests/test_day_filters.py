"""The measure list's ``open_on`` and ``signed_off_from``/``signed_off_to`` list exactly the
measures the tallies by day count: open at the end of a day, and signed off on a day."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import make_measure, make_problem
from rectify.ledger import services, tallies
from rectify.ledger.filters import MeasureFilter
from rectify.ledger.models import Measure, MeasureStatus, Review, ReviewAction

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    """A local time of ``day`` (00:15 in Beijing is still the day before in UTC)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _set_status(measure, status, user):
    return services.measure_set_status(
        measure=measure, status=status, expected_version=measure.version, acting_user=user
    )


@pytest.fixture
def world(city):
    """Six measures of one county, dated around ``day`` (20 days ago), then recounted."""
    day = timezone.localdate() - dt.timedelta(days=20)
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    m = {
        name: make_measure(problem, acting_user=city.admin_a)
        for name in ("fresh", "imported", "reopened", "accepted", "unaccepted", "bare")
    }
    for name in ("imported",):
        m[name] = _set_status(m[name], MeasureStatus.COMPLETED, city.sysadmin)
    for name in ("reopened", "accepted", "unaccepted", "bare"):
        m[name] = _set_status(m[name], MeasureStatus.SIGNED_OFF, city.sysadmin)
    _set_status(m["reopened"], MeasureStatus.IN_PROGRESS, city.sysadmin)

    def dated(name, created, completed_on=None, accepted=None):
        Measure.objects.filter(pk=m[name].pk).update(created_at=created, completed_on=completed_on)
        acceptances = Review.objects.filter(measure=m[name], action=ReviewAction.ACCEPT)
        if accepted is None:
            acceptances.delete()
        else:
            acceptances.update(created_at=accepted)

    dated("fresh", _at(day, 0, 15))
    # Imported as done: completed two days before it was entered.
    dated("imported", _at(day + dt.timedelta(days=3), 23, 45), day - dt.timedelta(days=2))
    # Signed off, then reopened: its acceptance stays on record, it counts as open.
    dated("reopened", _at(day, 12, 0), accepted=_at(day + dt.timedelta(days=1), 9, 0))
    dated(
        "accepted",
        _at(day, 9, 0),
        day + dt.timedelta(days=1),
        accepted=_at(day + dt.timedelta(days=5), 0, 15),
    )
    dated("unaccepted", _at(day, 9, 0), day + dt.timedelta(days=2))
    # Signed off with neither an acceptance nor a day of completion: signed off the day created.
    dated("bare", _at(day + dt.timedelta(days=4), 23, 45))
    tallies.rebuild([city.campaign.pk])
    return city, day, {name: measure.pk for name, measure in m.items()}


def _listed(city, **query) -> set[int]:
    data = QueryDict(mutable=True)
    data.update({"campaign": city.campaign.slug, "unit": str(city.city.pk)})
    data.update({key: value.isoformat() for key, value in query.items()})
    filterset = MeasureFilter(data, queryset=Measure.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def test_open_on_lists_the_measures_open_at_the_end_of_the_day(world):
    city, day, pk = world

    def open_on(offset):
        return _listed(city, open_on=day + dt.timedelta(days=offset))

    def named(*names):
        return {pk[name] for name in names}

    assert open_on(-1) == set()
    assert open_on(0) == named("fresh", "reopened", "accepted", "unaccepted")
    assert open_on(1) == named("fresh", "reopened", "unaccepted")
    assert open_on(3) == named("fresh", "reopened")
    assert open_on(4) == named("fresh", "reopened", "bare")
    assert open_on(30) == named("fresh", "reopened", "bare")


def test_open_on_counts_what_the_day_rows_count(world):
    city, day, _pk = world
    days = tallies.days_of(city.campaign.pk, city.city.pk)
    for offset in range(-4, 8):
        end = day + dt.timedelta(days=offset)
        created = sum(n for d, (n, _done, _signed) in days.items() if d <= end)
        done = sum(n for d, (_created, n, _signed) in days.items() if d <= end)
        assert len(_listed(city, open_on=end)) == created - done, end


def test_a_measure_completed_before_it_was_created_closes_the_day_it_opens(world):
    city, day, _pk = world
    days = tallies.days_of(city.campaign.pk, city.city.pk)
    assert day - dt.timedelta(days=2) not in days
    assert days[day + dt.timedelta(days=3)] == (1, 1, 0)
    assert tallies.stored([city.campaign.pk]) == tallies.expected([city.campaign.pk])


def test_signed_off_range_lists_the_measures_signed_off_on_those_days(world):
    city, day, pk = world

    def signed(first=None, last=None):
        query = {}
        if first is not None:
            query["signed_off_from"] = day + dt.timedelta(days=first)
        if last is not None:
            query["signed_off_to"] = day + dt.timedelta(days=last)
        return _listed(city, **query)

    def named(*names):
        return {pk[name] for name in names}

    # The last acceptance's local day, not the day of completion (nor the UTC day).
    assert signed(5, 5) == named("accepted")
    assert signed(1, 1) == set()
    assert signed(4, 4) == named("bare")
    # No acceptance: the day of completion.
    assert signed(2, 2) == named("unaccepted")
    assert signed(0, 6) == named("accepted", "unaccepted", "bare")
    assert signed(3) == named("accepted", "bare")
    assert signed(last=3) == named("unaccepted")
    assert (
        signed(-30, 30) == signed(-30) == signed(last=30) == named("accepted", "unaccepted", "bare")
    )


def test_signed_off_range_counts_what_the_day_rows_count(world):
    city, day, _pk = world
    days = tallies.days_of(city.campaign.pk, city.city.pk)
    assert sum(signed for _created, _done, signed in days.values()) == 3
    for offset in range(-4, 8):
        on = day + dt.timedelta(days=offset)
        listed = _listed(city, signed_off_from=on, signed_off_to=on)
        assert len(listed) == days.get(on, (0, 0, 0))[2], on


def test_the_measure_list_page_offers_and_applies_the_filters(client, world):
    city, day, pk = world
    client.force_login(city.sysadmin)
    response = client.get(
        reverse("ledger:measure-list"),
        {"campaign": city.campaign.slug, "open_on": (day + dt.timedelta(days=4)).isoformat()},
    )
    assert response.status_code == 200
    listed = {measure.pk for measure in response.context["page_obj"].object_list}
    assert listed == {pk["fresh"], pk["reopened"], pk["bare"]}
    html = response.content.decode()
    for name in ("open_on", "signed_off_from", "signed_off_to"):
        assert f'name="{name}"' in html
    bad = client.get(reverse("ledger:measure-list"), {"signed_off_from": "not-a-day"})
    assert bad.status_code == 200
    assert bad.context["filter"].errors
