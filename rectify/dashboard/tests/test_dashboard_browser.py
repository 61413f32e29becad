"""The campaign dashboard in Debian's Chromium: every chart drawn, a red segment opens its list."""

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from rectify.core.testing import LOCAL_HOSTS
from rectify.demo import data
from rectify.ledger import tallies
from rectify.ledger.models import Measure

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

    # A measure entered 500 days ago stretches the burn-down past 60 weeks, where the line
    # draws no symbols until hovered: its points still open the lists they count.
    oldest = Measure.objects.filter(campaign__slug=data.CAMPAIGN["slug"]).order_by("pk").first()
    Measure.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - dt.timedelta(days=500))
    tallies.rebuild()
    for series, parameter in ((0, "open_on"), (1, "signed_off_to")):
        page.goto(f"{base}/dashboard/")
        page.wait_for_function("window.rectifyDashboard !== undefined")
        page.wait_for_selector("#chart-burndown svg path", state="attached")
        x, y, value, weeks = page.evaluate(
            """(series) => {
                const chart = window.rectifyDashboard.burndown;
                const data = chart.getOption().series[series].data;
                const last = data.length - 1;
                const [x, y] = chart.convertToPixel(
                    {seriesIndex: series}, [last, data[last].value / (series ? 2 : 1)]
                );
                return [x, y, data[last].value, data.length];
            }""",
            series,
        )
        assert value > 0 and weeks > 60
        page.locator("#panel-burndown").screenshot(path=str(ARTIFACTS / "dashboard-burndown.png"))
        page.locator("#chart-burndown").scroll_into_view_if_needed()
        box = page.locator("#chart-burndown").bounding_box()
        page.mouse.move(box["x"] + x - 3, box["y"] + y)
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_url(f"{base}/ledger/measures/**")
        assert parameter in parse_qs(urlsplit(page.url).query)
        assert page.locator("p.muted", has_text=f"{value} 条").count() == 1
    assert not errors, errors
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS
