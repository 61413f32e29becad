"""In Debian's Chromium: a lead writes a report with a file and a finding, a guidance member gives
feedback; script typed into any of it never runs, and no request leaves the machine."""

from urllib.parse import urlsplit

import pytest

from rectify.core.testing import LOCAL_HOSTS
from rectify.inspection.models import Finding, GuidanceFeedback, ResearchStatus, ResearchTopic
from rectify.ledger.models import Source

from .opinions_world import XSS_PAYLOADS
from .research_world import build_world

PASSWORD = "correct horse battery"


def _log_in(page, base: str, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")


@pytest.mark.browser
def test_report_finding_and_feedback_with_script_stay_text(
    transactional_db, live_server, browser_page
):
    world = build_world()
    page = browser_page
    base = live_server.url
    requested: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = "\n".join(XSS_PAYLOADS)
    topic_url = f"{base}{world.topic.get_absolute_url()}"

    # The lead writes a draft with a file, records a finding, then submits.
    _log_in(page, base, world.lead)
    page.goto(topic_url)
    page.fill("#id_report", f"调研报告正文\n{payload}")
    page.set_input_files(
        "#id_files",
        files=[{"name": "问卷汇总.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
    )
    page.click("#report-form button[value=save]")
    page.wait_for_url(topic_url)
    assert page.locator("#report-files a", has_text="问卷汇总.pdf").is_visible()
    page.fill("#id_text", f"服务流程繁琐{payload}")
    page.click("#finding-form button[type=submit]")
    page.wait_for_url(topic_url)
    assert "<script>alert(1)</script>" in page.locator("#topic-findings").inner_text()
    page.click("#report-form button[value=submit]")
    page.wait_for_url(topic_url)
    assert ResearchTopic.objects.get(pk=world.topic.pk).status == ResearchStatus.REPORTED
    assert "<img src=x onerror=alert(1)>" in page.locator("#report-text").inner_text()

    # A member of the group assigned the county gives feedback with two points.
    _log_in(page, base, world.member_a)
    page.goto(f"{base}/inspection/feedback/")
    page.click(f"a[href^='/inspection/feedback/units/{world.a.pk}/new/']")
    page.fill("#id_summary", payload)
    page.fill("#id_points-0-text", "调研成果转化不够")
    page.fill("#id_points-1-text", payload)
    page.click("#feedback-form button[type=submit]")
    feedback = GuidanceFeedback.objects.get()
    page.wait_for_url(f"{base}{feedback.get_absolute_url()}")
    assert page.locator("#feedback-points tbody tr").count() == 2
    assert "<svg onload=alert(1)>" in page.locator("#feedback-summary").inner_text()

    # The county's staff read both, points with their triage status.
    _log_in(page, base, world.staff_a)
    page.goto(f"{base}{feedback.get_absolute_url()}")
    assert page.locator("#feedback-points", has_text="调研成果转化不够").is_visible()
    page.goto(topic_url)

    assert Finding.objects.filter(source=Source.GUIDANCE_GROUP).count() == 2
    assert Finding.objects.filter(source=Source.RESEARCH).count() == 1
    assert dialogs == []
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS
