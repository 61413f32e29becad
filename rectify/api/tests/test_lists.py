"""Lists filter exactly as the list pages (the same FilterSets), order, paginate, and refuse
bad input in the one error shape, in the user's language."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger import pressure, services
from rectify.ledger.filters import MeasureFilter, ProblemFilter
from rectify.ledger.models import Level, Measure, MeasureStatus, Source, Urge
from rectify.ledger.selectors import measures_visible_to, problems_visible_to
from rectify.org.models import Role

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    """A city with two counties; problems of every source, measures red, green and urged."""
    admin = make_admin()
    city = make_unit("聊城市科协")
    counties = [make_unit("东昌府区科协", parent=city), make_unit("临清市科协", parent=city)]
    campaign = make_campaign(city, acting_user=admin)
    today = timezone.localdate()
    for n, (unit, source) in enumerate(
        (u, s) for u in counties for s in (Source.SELF_EXAMINATION, Source.OPINIONS, Source.OTHER)
    ):
        problem = make_problem(
            campaign,
            unit,
            acting_user=admin,
            source=source,
            level=Level.LEADER if n % 2 else Level.UNIT,
            description=f"问题{n} {'学习' if n % 3 == 0 else '作风'}",
            found_on=today - dt.timedelta(days=40 + n),
        )
        deadline = today + dt.timedelta(days=(-3 if n % 2 else 20) + n)
        measure = make_measure(
            problem, persons=[make_person(unit)], acting_user=admin, deadline=deadline
        )
        if n % 3 == 1:
            Urge.objects.create(measure=measure, by=admin, message="催办")
    pressure.recount()  # the urges were written around the urging service
    return campaign, city, counties, make_user(city, Role.UNIT_ADMIN)


PROBLEM_QUERIES = [
    "",
    "source=opinions",
    "level=leader&o=-found",
    "status=open&q=学习",
    "unit={county}&below=false",
    "campaign={campaign}&target={target}&o=unit",
]
MEASURE_QUERIES = [
    "",
    "light=red",
    "urged=true&o=-deadline",
    "light=green&source=self",
    "unit={county}&status=not_started",
    "q=作风&o=deadline",
]


def _expected(filter_class, queryset, query: str) -> list[int]:
    filterset = filter_class(QueryDict(query), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("pk", flat=True))


def _api_ids(client, url: str, query: str) -> list[int]:
    response = client.get(f"{url}?{query}&page_size=200")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("template", PROBLEM_QUERIES)
def test_problem_filters_are_the_problem_lists(ledger, template):
    campaign, _city, counties, user = ledger
    query = template.format(
        county=counties[0].pk, campaign=campaign.slug, target=campaign.targets.first().pk
    )
    expected = _expected(ProblemFilter, problems_visible_to(user), query)
    assert expected, f"{query}: nothing matches, the comparison would prove little"
    actual = _api_ids(token_client(user), reverse("api-v1:problem-list"), query)
    assert actual == expected


@pytest.mark.parametrize("template", MEASURE_QUERIES)
def test_measure_filters_are_the_measure_lists(ledger, template):
    _campaign, _city, counties, user = ledger
    query = template.format(county=counties[0].pk)
    expected = _expected(MeasureFilter, measures_visible_to(user), query)
    assert expected, f"{query}: nothing matches, the comparison would prove little"
    actual = _api_ids(token_client(user), reverse("api-v1:measure-list"), query)
    assert actual == expected


def test_measure_day_filters_are_the_burndowns(ledger):
    """``open_on`` and ``signed_off_from``/``signed_off_to``, which the dashboard's burn-down
    links to, filter the API's measures as the measure list."""
    campaign, _city, _counties, user = ledger
    today = timezone.localdate()
    measures = list(Measure.objects.filter(campaign=campaign).order_by("pk"))
    older, signed = measures[0], measures[1]
    Measure.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    services.measure_set_status(
        measure=signed,
        status=MeasureStatus.SIGNED_OFF,
        expected_version=signed.version,
        acting_user=make_admin(),
    )
    url = reverse("api-v1:measure-list")
    client = token_client(user)
    yesterday, week_ago = today - dt.timedelta(days=1), today - dt.timedelta(days=7)
    for query, ids in [
        (f"open_on={yesterday}", [older.pk]),
        (f"open_on={today}", [m.pk for m in measures if m.pk != signed.pk]),
        (f"signed_off_from={week_ago}&signed_off_to={today}", [signed.pk]),
        (f"signed_off_to={yesterday}", []),
    ]:
        assert sorted(_expected(MeasureFilter, measures_visible_to(user), query)) == sorted(ids)
        assert sorted(_api_ids(client, url, query)) == sorted(ids), query
    response = client.get(f"{url}?open_on=tomorrow")
    assert response.status_code == 400
    assert "open_on" in response.json()["error"]["fields"]


def test_ordering_parameter_orders(ledger):
    *_rest, user = ledger
    client = token_client(user)
    url = reverse("api-v1:measure-list")
    rows = client.get(url, {"ordering": "-deadline"}).json()["results"]
    deadlines = [row["deadline"] for row in rows]
    assert deadlines == sorted(deadlines, reverse=True) and len(set(deadlines)) > 1


@pytest.mark.parametrize("ordering", ["deadline", "-deadline", "status", "-updated_at"])
def test_paging_a_sort_with_ties_returns_each_measure_once_ties_by_id(ledger, ordering):
    campaign, _city, counties, user = ledger
    problem = make_problem(campaign, counties[0])
    due = timezone.localdate() + dt.timedelta(days=60)
    tied = [make_measure(problem, deadline=due).pk for _ in range(7)]
    grey = make_measure(problem, kind="long_term", deadline=None).pk
    client = token_client(user)
    url, listed = reverse("api-v1:measure-list"), []
    page = client.get(url, {"ordering": ordering, "page_size": 3}).json()
    while True:
        listed += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert sorted(listed) == sorted(m.pk for m in measures_visible_to(user))
    in_ties = [pk for pk in listed if pk in tied]
    assert in_ties == sorted(tied, reverse=ordering.startswith("-"))
    if ordering in ("deadline", "-deadline"):  # no deadline: the latest, on every database
        assert listed.index(grey) == (len(listed) - 1 if ordering == "deadline" else 0)


def test_pagination_is_bounded(ledger):
    *_rest, user = ledger
    client = token_client(user)
    url = reverse("api-v1:problem-list")
    first = client.get(url, {"page_size": 4}).json()
    assert first["count"] == 6 and len(first["results"]) == 4 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert len(client.get(url, {"page_size": 100000}).json()["results"]) == 6
    response = client.get(url, {"page": 99})
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize(
    "query, field",
    [("light=purple", "light"), ("found=x&campaign=nope", "campaign"), ("status=bogus", "status")],
)
def test_invalid_filter_value_is_400_with_field_errors(ledger, query, field):
    *_rest, user = ledger
    response = token_client(user).get(f"{reverse('api-v1:measure-list')}?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_errors_speak_the_users_language(ledger):
    *_rest, user = ledger
    url = reverse("api-v1:problem-detail", args=[999999])
    english = token_client(user, language="en").get(url).json()["error"]
    chinese = token_client(user, language="zh-hans").get(url).json()["error"]
    assert english["code"] == chinese["code"] == "not_found"
    assert english["message"] != chinese["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["message"])


@pytest.mark.parametrize("value", ["-9.1e146", "99999999999999999999999", "1.5", "0"])
def test_id_filters_refuse_what_is_not_an_id(ledger, value):
    *_rest, user = ledger
    response = token_client(user).get(reverse("api-v1:urge-list"), {"measure": value})
    assert response.status_code == 400
    assert "measure" in response.json()["error"]["fields"]
