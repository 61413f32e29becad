"""The campaign dashboard on the demo campaign: every figure equals the list it links to."""

import datetime as dt
import io
import json
import re
from html import unescape

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rectify.campaigns.models import Campaign
from rectify.demo import data, evaluation
from rectify.ledger import tallies
from rectify.ledger.models import DONE_STATUSES, Measure, MeasureStatus, Review, ReviewAction
from rectify.org.models import Unit

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard:campaign")
EXPORT = reverse("dashboard:export")
#: demo admin (the whole tree), a county administrator, the guidance group member.
USERS = ("admin", "dongchangfu", "zhidaozu")
COUNT_LINK = re.compile(r'<a href="([^"]+)" data-count="(\d+)"')


@pytest.fixture(autouse=True)
def _fast_hasher(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("RECTIFY_DEMO_PASSWORD", "demo-password")


@pytest.fixture
def campaign(django_db_setup, django_db_blocker):
    call_command("load_demo", quiet=True)
    return Campaign.objects.get(slug=data.CAMPAIGN["slug"])


def _login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))


def _listed(client, href: str) -> int:
    response = client.get(unescape(href))
    assert response.status_code == 200, href
    return response.context["page_obj"].paginator.count


def _charts(html: str) -> dict:
    return json.loads(
        unescape(re.search(r'id="dashboard-charts"[^>]*>(.*?)</script>', html, re.S).group(1))
    )


def _chart_links(html: str) -> list[tuple[str, int]]:
    links = []
    for spec in _charts(html).values():
        for series in spec["series"]:
            for datum in series["data"]:
                if isinstance(datum, dict) and "url" in datum:
                    links.append((datum["url"], datum["value"]))
    return links


@pytest.mark.parametrize("username", USERS)
def test_every_number_equals_the_count_of_the_list_it_links_to(client, campaign, username):
    _login(client, username)
    response = client.get(DASHBOARD, {"campaign": campaign.slug})
    assert response.status_code == 200
    html = response.content.decode()

    numbers = [(href, int(count)) for href, count in COUNT_LINK.findall(html)]
    charted = _chart_links(html)
    assert len(numbers) >= 30 and len(charted) >= 30
    assert any(count > 0 for _href, count in numbers)
    checked = {}
    for href, count in numbers + charted:
        if href not in checked:
            checked[href] = _listed(client, href)
        assert checked[href] == count, (username, href)


def _spread_over_weeks(campaign) -> None:
    """Date the demo's measures (all written today) over nine weeks, as a ledger kept for a
    while reads: created at local times either side of midnight, some completed days before
    they were created (imported as done), some accepted days later, some signed off without
    an acceptance (imported so); then recount the tallies."""
    now = timezone.localtime()
    measures = Measure.objects.filter(campaign=campaign).order_by("pk")
    for n, measure in enumerate(measures):
        day = now.date() - dt.timedelta(days=1 + 7 * n % 60)
        at = dt.time(0, 15) if n % 2 else dt.time(23, 45)
        created = timezone.make_aware(dt.datetime.combine(day, at))
        changes = {"created_at": created}
        if measure.status in DONE_STATUSES:
            changes["completed_on"] = min(day + dt.timedelta(days=4 * (n % 4) - 5), now.date())
        Measure.objects.filter(pk=measure.pk).update(**changes)
        if measure.status == MeasureStatus.SIGNED_OFF:
            accepted = Review.objects.filter(measure=measure, action=ReviewAction.ACCEPT)
            if n % 3:
                accepted.update(created_at=min(created + dt.timedelta(days=n % 11), now))
            else:
                accepted.delete()  # as imported signed off: the day of sign-off is completion's
    tallies.rebuild([campaign.pk])


@pytest.mark.parametrize(
    "username, signed_weeks",
    # The county has no measure signed off: its sign-off points are all zero.
    [("admin", 3), ("dongchangfu", 0)],
)
def test_every_burndown_point_equals_the_count_of_the_list_it_links_to(
    client, campaign, username, signed_weeks
):
    _spread_over_weeks(campaign)
    done_before_created = [
        measure
        for measure in Measure.objects.filter(campaign=campaign, status__in=DONE_STATUSES)
        if measure.completed_on < timezone.localdate(measure.created_at)
    ]
    assert done_before_created, "no measure completed before its creation: the clamp is untested"
    _login(client, username)
    html = client.get(DASHBOARD, {"campaign": campaign.slug}).content.decode()
    spec = _charts(html)["burndown"]
    opened, signed = (series["data"] for series in spec["series"])
    assert len(spec["categories"]) == len(opened) == len(signed) >= 9

    for week, open_point, signed_point in zip(spec["categories"], opened, signed, strict=True):
        end = (dt.date.fromisoformat(week) + dt.timedelta(days=6)).isoformat()
        assert f"open_on={end}" in open_point["url"]
        assert f"signed_off_from={week}&signed_off_to={end}" in signed_point["url"]
    charted = [point for point in opened + signed if point["value"]]
    assert len([point for point in opened if point["value"]]) >= 8
    assert len([point for point in signed if point["value"]]) >= signed_weeks
    for point in charted:
        assert _listed(client, point["url"]) == point["value"], (username, point["url"])


def test_scopes_differ_and_nothing_outside_leaks_in(client, campaign):
    figures = {}
    for username in USERS:
        _login(client, username)
        board = client.get(DASHBOARD, {"campaign": campaign.slug}).context["board"]
        figures[username] = (board.node.name, board.totals.problems, board.totals.measures)
    assert figures["dongchangfu"][0] == "东昌府区科学技术协会"
    assert figures["zhidaozu"][0] == "聊城市科学技术协会"
    # The county's figures are a part of the city's, the city's of the whole tree's.
    assert 0 < figures["dongchangfu"][1] < figures["zhidaozu"][1] <= figures["admin"][1]
    assert 0 < figures["dongchangfu"][2] < figures["zhidaozu"][2] <= figures["admin"][2]


def test_drill_down_to_any_depth_with_a_breadcrumb_back(client, campaign):
    _login(client, "admin")
    city = Unit.objects.get(name="聊城市科学技术协会")
    county = Unit.objects.get(name="东昌府区科学技术协会")
    top = client.get(DASHBOARD, {"campaign": campaign.slug}).context["board"]
    assert city in [row.unit for row in top.by_unit]
    middle = client.get(DASHBOARD, {"campaign": campaign.slug, "unit": city.pk})
    assert county in [row.unit for row in middle.context["board"].by_unit]
    assert f'href="?campaign={campaign.slug}&amp;unit={county.pk}"' in middle.content.decode()

    response = client.get(DASHBOARD, {"campaign": campaign.slug, "unit": county.pk})
    board = response.context["board"]
    assert board.node == county
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', response.content.decode(), re.S)
    assert f"unit={city.pk}" in crumbs.group(0) and f"unit={top.node.pk}" in crumbs.group(0)
    assert sum(row.problems for row in board.by_unit) == board.totals.problems
    assert sum(row.measures for row in board.by_unit) == board.totals.measures


def test_county_admin_cannot_open_another_county_or_the_city(client, campaign):
    _login(client, "dongchangfu")
    for name in ("临清市科学技术协会", "聊城市科学技术协会"):
        unit = Unit.objects.get(name=name)
        for url in (DASHBOARD, EXPORT):
            assert client.get(url, {"campaign": campaign.slug, "unit": unit.pk}).status_code == 404
    for forged in ("999999", "1 OR 1=1", "<script>alert(1)</script>"):
        assert client.get(DASHBOARD, {"unit": forged}).status_code == 404
    assert client.get(DASHBOARD, {"campaign": "no-such-campaign"}).status_code == 404


def test_export_writes_every_table_to_one_workbook(client, campaign):
    _login(client, "dongchangfu")
    response = client.get(EXPORT, {"campaign": campaign.slug})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 11
    board = client.get(DASHBOARD, {"campaign": campaign.slug}).context["board"]
    totals = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=4, values_only=True)}
    assert board.totals.problems in totals.values()
    units = [row[0] for row in book.worksheets[1].iter_rows(min_row=4, values_only=True)]
    assert len(units) == len(board.by_unit)


def test_page_is_chinese_by_default_with_the_charts_and_print_layout(client, campaign):
    _login(client, "admin")
    html = client.get(DASHBOARD, {"campaign": campaign.slug}).content.decode()
    assert 'lang="zh-hans"' in html
    for chart in ("lights", "statuses", "targets", "sources", "levels", "kinds", "units"):
        assert f'data-chart="{chart}"' in html
    assert "dashboard/vendor/echarts/echarts.min.js" in html
    assert "http://" not in html.split("</header>")[0].replace("http://www.w3.org", "")
    css = Unit._meta.apps.get_app_config("dashboard").path + "/static/dashboard/dashboard.css"
    with open(css, encoding="utf-8") as handle:
        assert "size: A4 landscape" in handle.read()


def test_dashboard_queries_do_not_grow_with_the_children(client, campaign):
    _login(client, "admin")
    params = {"campaign": campaign.slug}
    client.get(DASHBOARD, params)
    with CaptureQueriesContext(connection) as queries:
        client.get(DASHBOARD, params)
    assert len(queries.captured_queries) < 60


def test_study_coverage_links_to_the_coverage_page_showing_the_same_share(client, campaign):
    _login(client, "zhidaozu")
    response = client.get(DASHBOARD, {"campaign": campaign.slug})
    board, link = response.context["board"], response.context["links"]["coverage"]
    coverage = client.get(link).context["coverage"]
    assert coverage.total.percent == board.coverage.percent
    assert (coverage.total.covered, coverage.total.total) == (
        board.coverage.covered,
        board.coverage.total,
    )


def test_page_reads_in_english_too(client, campaign, settings):
    _login(client, "admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(DASHBOARD, {"campaign": campaign.slug}).content.decode()
    assert 'lang="en"' in html
    assert "Deadline lights" in html and "Problems by target" in html


def test_a_hostile_unit_name_in_the_by_unit_table_is_escaped(client, campaign):
    _login(client, "admin")
    city = Unit.objects.get(name="聊城市科学技术协会")
    county = Unit.objects.get(name="东昌府区科学技术协会")
    Unit.objects.filter(pk=county.pk).update(short_name='<img src=x onerror="alert(1)">')
    html = client.get(DASHBOARD, {"campaign": campaign.slug, "unit": city.pk}).content.decode()
    table = re.search(r'<table class="list" id="dashboard-units">.*?</table>', html, re.S).group(0)
    assert "<img" not in table
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</a>" in table
    assert f'<tr data-unit="{county.pk}"><th scope="row"><a href="?campaign=' in table


@pytest.mark.parametrize(
    ("username", "unit_code", "expected"),
    [
        ("admin", None, {"SD-LC", "SD-LC-KJG", "SD-LC-ZXFW"}),
        ("city", None, {"SD-LC", "SD-LC-KJG", "SD-LC-ZXFW"}),
        ("admin", "SD-LC-KJG", {"SD-LC-KJG"}),
        ("dongchangfu", None, set()),
    ],
)
def test_satisfaction_shows_the_latest_round_of_the_units_in_scope(
    client, campaign, username, unit_code, expected
):
    _login(client, username)
    query = {"campaign": campaign.slug}
    if unit_code:
        query["unit"] = Unit.objects.get(code=unit_code).pk
    response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    shown = response.context["board"].satisfaction
    assert {item.unit.code for item in shown} == expected
    latest_name, ballots = evaluation.ROUNDS[-1]
    for item in shown:
        assert item.round.name == latest_name
        assert item.responses == sum(ballots[item.unit.code])
        assert f"{evaluation.TITLE} · {latest_name}" in response.content.decode()
    if not expected:
        assert evaluation.TITLE not in response.content.decode()
