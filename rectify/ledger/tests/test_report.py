"""The standing report (情况通报), its Excel download, and the 督办次数/延期次数 columns."""

import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
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
from rectify.core.xlsx import attachment_disposition
from rectify.ledger import pressure
from rectify.ledger import report as report_module
from rectify.ledger.lights import Light, light_q, warning_windows
from rectify.ledger.models import (
    ExtensionRequest,
    ExtensionStatus,
    Measure,
    MeasureKind,
    MeasureStatus,
    Review,
    ReviewAction,
    Urge,
)
from rectify.ledger.report import standing_report
from rectify.org.models import Role, UnitKind

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REPORT = reverse("ledger:standing-report")
FORMULA = '=HYPERLINK("http://evil.example/","点我")'

S = MeasureStatus


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _urge(measure, times=1):
    # Urged by whoever filed the problem: any login will do for counting.
    for _ in range(times):
        Urge.objects.create(measure=measure, by=measure.problem.created_by, message="请加快进度")
    pressure.recount()  # written around the urging service


def _extension(measure, status):
    old = measure.deadline or TODAY
    request = ExtensionRequest.objects.create(
        measure=measure,
        old_deadline=old,
        new_deadline=old + dt.timedelta(days=30),
        reason="需要协调",
        status=status,
    )
    pressure.recount()  # written around the extension service
    return request


def _review(measure, action, times=1):
    for _ in range(times):
        Review.objects.create(
            measure=measure, action=action, from_status=S.COMPLETED, to_status=S.IN_PROGRESS
        )


@pytest.fixture
def tree():
    """市科协 (2 own measures) with counties A (+ section A1), B and C, and known figures.

    Expected rows (status, light, urges, approved extensions, send-backs):

    - 市科协 own: not_started red ×1, signed_off green ×1 → 1/2 done (50%);
      urges 2, extensions 1, send-backs 0.
    - A + A1: completed green, in_progress yellow, confirmed green, long-term
      grey not_started → 2/4 done (50%); urges 2, extensions 2, send-backs 1.
    - B: in_progress red, signed_off ×2, completed → 3/4 (75%); urges 1,
      extensions 0 (one pending, one refused), send-backs 2.
    - C: nothing → unranked, last.
    """
    admin = make_admin()
    city = make_unit("市科协", kind=UnitKind.CITY)
    a = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY)
    a1 = make_unit("东昌府区科普部", parent=a)
    b = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY)
    c = make_unit("冠县科协", parent=city, kind=UnitKind.COUNTY)
    campaign = make_campaign(city, name="主题教育整改", slug="zhuti-2026")
    other_campaign = make_campaign(city)

    def measure(unit, status, deadline, *, kind=MeasureKind.DEADLINE, persons=None, **fields):
        problem = make_problem(campaign, unit, acting_user=admin)
        return make_measure(
            problem,
            status=status,
            deadline=deadline,
            kind=kind,
            persons=persons,
            acting_user=admin,
            **fields,
        )

    evil = make_person(city, "=cmd|' /C calc'!A0")
    m = {
        "city_red": measure(city, S.NOT_STARTED, _days(-5), persons=[evil], content=FORMULA),
        "city_done": measure(city, S.SIGNED_OFF, _days(30)),
        "a_done": measure(a, S.COMPLETED, _days(2)),
        "a_yellow": measure(a, S.IN_PROGRESS, _days(3)),
        "a1_confirmed": measure(a1, S.CONFIRMED, _days(40)),
        "a1_grey": measure(a1, S.NOT_STARTED, None, kind=MeasureKind.LONG_TERM),
        "b_red": measure(b, S.IN_PROGRESS, _days(-10)),
        "b_off1": measure(b, S.SIGNED_OFF, _days(-1)),
        "b_off2": measure(b, S.SIGNED_OFF, _days(50)),
        "b_done": measure(b, S.COMPLETED, _days(60)),
    }
    # Noise that must not count: another campaign, a deleted measure.
    noise = make_measure(make_problem(other_campaign, a, acting_user=admin), acting_user=admin)
    _urge(noise, 3)
    gone = measure(b, S.NOT_STARTED, _days(-3))
    _urge(gone)
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])

    _urge(m["city_red"], 2)
    _urge(m["a_yellow"])
    _urge(m["a1_confirmed"])
    _urge(m["b_red"])
    _extension(m["city_red"], ExtensionStatus.APPROVED)
    _extension(m["a_yellow"], ExtensionStatus.APPROVED)
    _extension(m["a_yellow"], ExtensionStatus.REFUSED)
    _extension(m["a1_confirmed"], ExtensionStatus.APPROVED)
    _extension(m["b_red"], ExtensionStatus.PENDING)
    _review(m["a_done"], ReviewAction.SEND_BACK)
    _review(m["b_off1"], ReviewAction.SEND_BACK, 2)
    _review(m["city_done"], ReviewAction.ACCEPT)
    return {
        "admin": admin,
        "city": city,
        "a": a,
        "a1": a1,
        "b": b,
        "c": c,
        "campaign": campaign,
        "other_campaign": other_campaign,
        "m": m,
    }


def _figures(row) -> dict:
    return {
        "total": row.total,
        "status": [row.not_started, row.in_progress, row.completed, row.confirmed, row.signed_off],
        "light": [row.red, row.yellow, row.green, row.grey],
        "supervision": [row.urges, row.extensions, row.send_backs],
    }


def test_counts_per_unit_match_the_hand_computed_figures(tree):
    report = standing_report(tree["admin"], tree["campaign"], tree["city"], TODAY)
    by_unit = {(row.unit.pk, row.own): row for row in report.rows}
    assert _figures(by_unit[tree["city"].pk, True]) == {
        "total": 2,
        "status": [1, 0, 0, 0, 1],
        "light": [1, 0, 1, 0],
        "supervision": [2, 1, 0],
    }
    assert _figures(by_unit[tree["a"].pk, False]) == {
        "total": 4,
        "status": [1, 1, 1, 1, 0],
        "light": [0, 1, 2, 1],
        "supervision": [2, 2, 1],
    }
    assert _figures(by_unit[tree["b"].pk, False]) == {
        "total": 4,
        "status": [0, 1, 1, 0, 2],
        "light": [1, 0, 3, 0],
        "supervision": [1, 0, 2],
    }
    assert _figures(by_unit[tree["c"].pk, False]) == {
        "total": 0,
        "status": [0, 0, 0, 0, 0],
        "light": [0, 0, 0, 0],
        "supervision": [0, 0, 0],
    }
    assert _figures(report.total) == {
        "total": 10,
        "status": [2, 2, 2, 1, 3],
        "light": [2, 1, 6, 1],
        "supervision": [5, 3, 3],
    }
    assert report.total.completion_percent == "60.0%"
    assert by_unit[tree["b"].pk, False].completion_percent == "75.0%"
    assert by_unit[tree["c"].pk, False].completion_percent == "—"


def test_broad_scope_counts_the_same(tree, monkeypatch):
    """Past BROAD_SCOPE measures the urges and others are read table-first: same figures."""
    narrow = standing_report(tree["admin"], tree["campaign"], tree["city"], TODAY)
    monkeypatch.setattr(report_module, "BROAD_SCOPE", 0)
    broad = standing_report(tree["admin"], tree["campaign"], tree["city"], TODAY)
    assert [_figures(row) for row in broad.rows] == [_figures(row) for row in narrow.rows]
    assert _figures(broad.total)["supervision"] == [5, 3, 3]
    county = standing_report(tree["admin"], tree["campaign"], tree["a"], TODAY)
    assert _figures(county.total)["supervision"] == [2, 2, 1]


def test_report_refuses_a_unit_the_user_cannot_see(tree):
    with pytest.raises(PermissionDenied):
        standing_report(make_user(tree["a"], Role.UNIT_ADMIN), tree["campaign"], tree["b"])


@pytest.mark.parametrize("days", [0, 3, 7, 30])
def test_lights_with_a_constant_window_match_the_per_campaign_window(tree, days):
    campaign = tree["campaign"]
    campaign.warning_days = days
    campaign.save(update_fields=["warning_days"])
    # Another campaign warning otherwise: without ``warning_days`` the edge is each row's.
    make_campaign(tree["city"], warning_days=days + 5)
    assert len(warning_windows()) > 1
    measures = Measure.objects.filter(campaign=campaign)
    for light in Light.values:
        per_row = set(measures.filter(light_q(light, TODAY)).values_list("pk", flat=True))
        constant = measures.filter(light_q(light, TODAY, warning_days=days))
        assert set(constant.values_list("pk", flat=True)) == per_row, light


def test_rows_rank_by_completion_rate_then_unit_order(tree):
    report = standing_report(tree["admin"], tree["campaign"], tree["city"], TODAY)
    order = [(row.rank, row.unit.name, row.own) for row in report.rows]
    # B 75%; then the city's own row and A tie at 50%: the city comes first in unit order;
    # C has no measure: last, without a rank.
    assert order == [
        (1, "临清市科协", False),
        (2, "市科协", True),
        (3, "东昌府区科协", False),
        (None, "冠县科协", False),
    ]


def test_overdue_list_longest_overdue_first_with_urges(tree):
    report = standing_report(tree["admin"], tree["campaign"], tree["city"], TODAY)
    rows = [(m.pk, m.days_overdue, m.urge_count) for m in report.overdue]
    assert rows == [(tree["m"]["b_red"].pk, 10, 1), (tree["m"]["city_red"].pk, 5, 2)]
    assert report.overdue_total == 2
    assert not report.overdue_truncated
    capped = standing_report(tree["admin"], tree["campaign"], tree["city"], TODAY, overdue_limit=1)
    assert [m.pk for m in capped.overdue] == [tree["m"]["b_red"].pk]
    assert capped.overdue_total == 2 and capped.overdue_truncated


def test_report_page_shows_ranked_rows_and_overdue_list(tree, client):
    client.force_login(tree["admin"])
    response = client.get(REPORT, {"campaign": "zhuti-2026", "unit": tree["city"].pk})
    assert response.status_code == 200
    html = response.text.split('id="standing"')[1]
    assert html.index("临清市科协") < html.index("东昌府区科协") < html.index("冠县科协")
    assert "市科协 (own measures)" in html
    assert "75.0%" in html and "60.0%" in html
    assert "Overdue: 2 measures" in html
    # User text is escaped, never markup.
    assert "=HYPERLINK(&quot;http://evil.example/&quot;" in html


def test_report_defaults_to_the_latest_campaign_and_the_top_unit(tree, client):
    county_admin = make_user(tree["a"], Role.UNIT_ADMIN)
    client.force_login(county_admin)
    response = client.get(REPORT)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.unit == tree["a"]
    assert report.campaign in (tree["campaign"], tree["other_campaign"])


def test_county_admin_sees_only_their_subtree(tree, client):
    county_admin = make_user(tree["a"], Role.UNIT_ADMIN)
    client.force_login(county_admin)
    response = client.get(REPORT, {"campaign": "zhuti-2026"})
    report = response.context["report"]
    assert [(row.unit.name, row.own) for row in report.rows] == [
        ("东昌府区科协", True),
        ("东昌府区科普部", False),
    ]
    assert report.total.total == 4
    assert report.overdue == []
    assert "临清市科协" not in response.text.split("<main")[1]


@pytest.mark.parametrize("unit", ["b", "city", "abc", "999999"])
def test_a_unit_outside_the_scope_is_404(tree, client, unit):
    client.force_login(make_user(tree["a"], Role.UNIT_ADMIN))
    value = tree[unit].pk if unit in tree else unit
    response = client.get(REPORT, {"campaign": "zhuti-2026", "unit": value})
    assert response.status_code == 404
    xlsx = client.get(REPORT, {"campaign": "zhuti-2026", "unit": value, "format": "xlsx"})
    assert xlsx.status_code == 404


def test_a_campaign_outside_the_scope_is_404(tree, client):
    elsewhere = make_unit("外市科协")
    foreign = make_campaign(elsewhere, slug="foreign")
    client.force_login(make_user(tree["a"], Role.UNIT_ADMIN))
    assert client.get(REPORT, {"campaign": foreign.slug}).status_code == 404
    assert client.get(REPORT, {"campaign": "no-such-campaign"}).status_code == 404


def test_guidance_member_sees_the_assigned_units_only(tree, client):
    guide = make_user(person=make_person(tree["city"]))
    make_guidance_group(
        tree["city"], members=[guide.person], campaign=tree["campaign"], units=[tree["b"]]
    )
    client.force_login(guide)
    response = client.get(REPORT, {"campaign": "zhuti-2026"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.unit == tree["b"]
    assert [row.unit.name for row in report.rows] == ["临清市科协"]
    assert [m.pk for m in report.overdue] == [tree["m"]["b_red"].pk]
    assert _figures(report.total)["supervision"] == [1, 0, 2]
    for unit in ("a", "city"):
        assert client.get(REPORT, {"unit": tree[unit].pk}).status_code == 404


def test_user_without_a_scope_gets_an_empty_page(tree, client):
    client.force_login(make_user())
    response = client.get(REPORT)
    assert response.status_code == 200
    assert "report" not in response.context


def _report_queries(client, unit) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(REPORT, {"campaign": "wide", "unit": unit.pk})
    assert response.status_code == 200
    return len(captured)


def test_report_query_count_does_not_grow_with_child_units(client):
    admin = make_admin()
    small, large = make_unit("小市"), make_unit("大市")
    campaign = make_campaign(small, large, slug="wide")
    for root, n in ((small, 3), (large, 10)):
        for i in range(n):
            child = make_unit(f"{root.name}下属{i}", parent=root)
            grandchild = make_unit(f"{root.name}下属{i}-1", parent=child)
            for unit in (child, grandchild):
                m = make_measure(
                    make_problem(campaign, unit, acting_user=admin),
                    deadline=_days(-i - 1),
                    acting_user=admin,
                )
                _urge(m)
                _extension(m, ExtensionStatus.APPROVED)
                _review(m, ReviewAction.SEND_BACK)
    client.force_login(admin)
    few, many = _report_queries(client, small), _report_queries(client, large)
    assert few == many
    assert many <= 20
    report = standing_report(admin, campaign, large, TODAY)
    assert len(report.rows) == 11
    assert report.total.total == report.total.red == 20
    assert report.total.urges == 20


# Excel


def _workbook(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response)))


def test_excel_download_reads_back(tree, client):
    client.force_login(tree["admin"])
    response = client.get(
        REPORT, {"campaign": "zhuti-2026", "unit": tree["city"].pk, "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = _workbook(response)
    assert len(book.sheetnames) == 2
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "主题教育整改" in rows[0][0]
    assert "市科协" in rows[1][0] and TODAY.strftime("%Y") in rows[1][0]
    assert rows[2][:4] == ("Rank", "Unit", "Measures in all", "Not started")
    body = rows[3:]
    assert [row[:3] for row in body] == [
        (1, "临清市科协", 4),
        (2, "市科协 (own measures)", 2),
        (3, "东昌府区科协", 4),
        (None, "冠县科协", 0),
        (None, "Total", 10),
    ]
    assert body[0][3:12] == (0, 1, 1, 0, 2, 1, 0, 3, 0)
    assert body[0][12] == pytest.approx(0.75)
    assert sheet.cell(row=4, column=13).number_format == "0.0%"
    assert body[4][13:] == (5, 3, 3)

    overdue = book.worksheets[1]
    lines = list(overdue.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(lines) if row[0] == "No.")
    first, second = lines[header_at + 1], lines[header_at + 2]
    assert first[0] == tree["m"]["b_red"].pk
    assert second[0] == tree["m"]["city_red"].pk
    deadline = overdue.cell(row=header_at + 2, column=6)
    assert deadline.is_date and deadline.value.date() == _days(-10)
    assert first[6] == 10 and second[6] == 5 and second[7] == 2
    # Formula-looking text is stored as text and marked so that Excel never evaluates it.
    content = overdue.cell(row=header_at + 3, column=4)
    assert content.value == FORMULA and content.data_type == "s" and content.quotePrefix
    person = overdue.cell(row=header_at + 3, column=5)
    assert person.value == "=cmd|' /C calc'!A0" and person.data_type == "s"


def test_excel_filename_is_chinese_with_an_ascii_fallback(tree, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(tree["admin"])
    response = client.get(
        REPORT, {"campaign": "zhuti-2026", "unit": tree["city"].pk, "format": "xlsx"}
    )
    disposition = response["Content-Disposition"]
    day = TODAY.strftime("%Y%m%d")
    assert disposition.startswith("attachment; ")
    assert f'filename="standing-report-zhuti-2026-{day}.xlsx"' in disposition
    wanted = f"情况通报-zhuti-2026-市科协-{day}.xlsx"
    assert f"filename*=UTF-8''{quote(wanted, safe='')}" in disposition
    rows = list(_workbook(response).worksheets[0].iter_rows(values_only=True))
    assert f"截至{TODAY.year}年{TODAY.month}月{TODAY.day}日" in rows[1][0]
    assert rows[2][:2] == ("排名", "单位")


def test_attachment_disposition_neutralises_quotes_and_newlines():
    header = attachment_disposition('a"b\r\nc.xlsx')
    assert "\r" not in header and "\n" not in header
    assert 'filename="a_b__c.xlsx"' in header


# The 督办次数 / 延期次数 columns and filters


def test_measure_list_shows_urge_and_extension_counts(tree, client):
    client.force_login(tree["admin"])
    response = client.get(reverse("ledger:measure-list"), {"campaign": "zhuti-2026"})
    rows = {m.pk: m for m in response.context["page_obj"]}
    city_red, a_yellow = tree["m"]["city_red"], tree["m"]["a_yellow"]
    assert (rows[city_red.pk].urge_count, rows[city_red.pk].extension_count) == (2, 1)
    # A refused request is not an extension.
    assert (rows[a_yellow.pk].urge_count, rows[a_yellow.pk].extension_count) == (1, 1)
    assert rows[tree["m"]["b_off2"].pk].urge_count == 0
    assert rows[city_red.pk].last_urged_at is not None
    assert "Times urged" in response.text and "Times extended" in response.text


def test_responsibility_page_shows_the_counts(tree, client):
    person = tree["m"]["city_red"].responsible_persons.get()
    client.force_login(tree["admin"])
    response = client.get(reverse("ledger:person-responsibilities", args=[person.pk]))
    [row] = list(response.context["page_obj"])
    assert (row.urge_count, row.extension_count) == (2, 1)
    assert '<td class="num urge-count">2' in response.text


def test_measure_detail_shows_the_counts(tree, client):
    client.force_login(tree["admin"])
    response = client.get(reverse("ledger:measure-detail", args=[tree["m"]["a_yellow"].pk]))
    assert response.context["extension_count"] == 1
    assert '<dd id="fact-urges">1' in response.text
    assert '<dd id="fact-extensions">1</dd>' in response.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"urged": "true"}, {"city_red", "a_yellow", "a1_confirmed", "b_red"}),
        ({"extended": "true"}, {"city_red", "a_yellow", "a1_confirmed"}),
        ({"urged": "true", "extended": "false"}, {"b_red"}),
        ({"urged": "false", "unit": "b"}, {"b_off1", "b_off2", "b_done"}),
    ],
)
def test_urged_and_extended_filters(tree, client, params, expected):
    client.force_login(tree["admin"])
    params = {"campaign": "zhuti-2026", **params}
    if params.get("unit") == "b":
        params["unit"] = tree["b"].pk
    response = client.get(reverse("ledger:measure-list"), params)
    by_pk = {m.pk: name for name, m in tree["m"].items()}
    assert {by_pk[m.pk] for m in response.context["page_obj"]} == expected


def test_guidance_member_sees_nothing_of_another_campaign_in_the_assigned_unit(tree, client):
    """Assigned county B for one campaign only: another campaign's report of B is 404."""
    other = make_campaign(tree["city"], slug="other-2026")
    make_measure(
        make_problem(other, tree["b"], found_on=TODAY - dt.timedelta(days=30)),
        deadline=TODAY - dt.timedelta(days=1),
    )
    guide = make_user(person=make_person(tree["city"]))
    make_guidance_group(
        tree["city"], members=[guide.person], campaign=tree["campaign"], units=[tree["b"]]
    )
    client.force_login(guide)
    assert client.get(REPORT, {"campaign": "zhuti-2026", "unit": tree["b"].pk}).status_code == 200
    for fmt in ({}, {"format": "xlsx"}):
        response = client.get(REPORT, {"campaign": other.slug, "unit": tree["b"].pk, **fmt})
        assert response.status_code == 404
