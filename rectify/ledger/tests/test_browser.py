"""A county administrator's day in Debian's Chromium: a problem, two measures, progress, lights."""

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from rectify.core.testing import LOCAL_HOSTS, make_user
from rectify.ledger.models import Evidence, Measure, MeasureKind, Problem
from rectify.org.models import Role

from .conftest import build_city

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PASSWORD = "correct horse battery"


@pytest.mark.browser
def test_county_admin_records_a_problem_with_two_measures_and_evidence(
    transactional_db, live_server, browser_page
):
    city = build_city()
    make_user(city.a, Role.UNIT_ADMIN, username="dongchangfu")
    person = city.zeren_person
    page = browser_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    base = live_server.url

    # Log in as the county administrator.
    page.goto(f"{base}/login/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    page.fill("#id_username", "dongchangfu")
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")

    # Record a problem against the campaign's first target.
    page.goto(f"{base}/ledger/problems/")
    page.click("a[href='/ledger/problems/new/']")
    page.select_option("#id_unit", str(city.a.pk))
    page.select_option("#id_target", str(city.campaign.targets.first().pk))
    page.fill("#id_description", "理论学习流于形式,学用结合不紧")
    page.select_option("#id_source", "self")
    page.fill("#id_root_cause", "学习制度落实不到位")
    page.click("#problem-form button[type=submit]")
    problem = Problem.objects.get()
    page.wait_for_url(f"{base}{problem.get_absolute_url()}")

    # A measure due in three days: inside the seven-day warning window.
    deadline = timezone.localdate() + dt.timedelta(days=3)
    page.click(f"a[href='/ledger/problems/{problem.pk}/measures/new/']")
    page.fill("#id_content", "制定季度学习计划并落实")
    page.select_option("#id_kind", MeasureKind.DEADLINE)
    page.fill("#id_deadline", deadline.isoformat())
    page.select_option("#id_responsible_persons", [str(person.pk)])
    page.click("#measure-form button[type=submit]")
    first = Measure.objects.get(kind=MeasureKind.DEADLINE)
    page.wait_for_url(f"{base}{first.get_absolute_url()}")
    assert page.locator(".facts .light-yellow").inner_text() == "黄"

    # Progress with an evidence file.
    page.fill("#id_text", "已召开专题学习会")
    page.set_input_files(
        "#id_files",
        files=[
            {"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
        ],
    )
    page.click("#progress-form button[type=submit]")
    page.wait_for_url(f"{base}{first.get_absolute_url()}")
    assert page.locator("a[href^='/ledger/evidence/']", has_text="会议纪要.pdf").is_visible()
    assert Evidence.objects.get().note.measure == first

    # A long-term measure has no deadline and a grey light.
    page.goto(f"{base}{problem.get_absolute_url()}")
    page.click(f"a[href='/ledger/problems/{problem.pk}/measures/new/']")
    page.fill("#id_content", "建立常态化学习机制")
    page.select_option("#id_kind", MeasureKind.LONG_TERM)
    page.select_option("#id_responsible_persons", [str(person.pk)])
    page.click("#measure-form button[type=submit]")
    second = Measure.objects.get(kind=MeasureKind.LONG_TERM)
    page.wait_for_url(f"{base}{second.get_absolute_url()}")
    assert page.locator(".facts .light-grey").inner_text() == "灰"

    # The problem shows both lights.
    page.goto(f"{base}{problem.get_absolute_url()}")
    assert page.locator("table.list .light-yellow").count() == 1
    assert page.locator("table.list .light-grey").count() == 1

    # The responsible person's responsibility list holds both measures.
    page.goto(f"{base}/ledger/responsibilities/person/{person.pk}/")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    assert rows.filter(has_text="制定季度学习计划并落实").locator(".light-yellow").is_visible()
    assert rows.filter(has_text="建立常态化学习机制").locator(".light-grey").is_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ledger-responsibilities.png"), full_page=True)

    # Nothing left the machine: every request went to the live server (and there were many).
    assert len(requested) >= 10, requested
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS, requested
