"""The campaign dashboard in Debian's Chromium: every chart drawn, a red segment opens its list."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from rectify.core.testing import LOCAL_HOSTS
from rectify.demo import data

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CHARTS = ("lights", "statuses", "targets", "sources", "levels", "kinds", "units", "burndown")


def _keep_error(errors: list[str], message) -> None:
    """Record console errors, except the browser's own request for a favicon the app lacks."""
    if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
        errors.append(message.text)


@pytest.mark.browser
def test_dashboard_draws_every_chart_and_a_red_segment_opens_the_overdue_list(
    transactional_db, live_server, browser_page, settings, monkeypatch
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("RECTIFY_DEMO_PASSWORD", "demo-password")
    call_command("load_demo", quiet=True)
    page = browser_page
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: _keep_error(errors, message))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", "zhidaozu")
    page.fill("#id_password", "demo-password")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")
    page.click(".mainnav a:has-text('工作看板')")
    page.wait_for_url(f"{base}/dashboard/")
    assert page.get_attribute("html", "lang") == "zh-hans"

    page.wait_for_function("window.rectifyDashboard !== undefined")
    for chart in CHARTS:
        page.wait_for_selector(f"#chart-{chart} svg path", state="attached")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "dashboard-print.png"), full_page=True)
    page.emulate_media(media="screen")

    red = int(page.get_attribute("#panel-lights a[data-light=red]", "data-count"))
    assert red > 0
    # Click the middle of the red bar of the lights chart, where ECharts drew it.
    x, y = page.evaluate(
        """() => {
            const chart = window.rectifyDashboard.lights;
            const data = chart.getOption().series[0].data;
            const index = data.findIndex((d) => d.light === "red");
            return chart.convertToPixel({seriesIndex: 0}, [index, data[index].value / 2]);
        }"""
    )
    box = page.locator("#chart-lights").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"{base}/ledger/measures/**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["light"] == ["red"] and query["campaign"] == [data.CAMPAIGN["slug"]]
    assert page.locator("table.list tbody tr").count() == red
    assert not errors, errors
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS
