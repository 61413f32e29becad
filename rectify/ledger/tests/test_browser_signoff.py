"""The sign-off loop in Debian's Chromium: submit, send back, resubmit, confirm, accept.

The responsible person learns of the guidance group's send-back from the inbox.
"""

from urllib.parse import urlsplit

import pytest

from rectify.core.testing import (
    LOCAL_HOSTS,
    make_campaign,
    make_guidance_group,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import MeasureStatus, ReviewAction
from rectify.org.models import Role

PASSWORD = "correct horse battery"


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")


def _confirm_as_leader(page, base, url):
    _login(page, base, "leader")
    page.goto(url)
    page.click("#decide-confirm button")
    page.wait_for_url(url)


@pytest.mark.browser
def test_measure_goes_from_submission_to_sign_off_with_a_send_back(
    transactional_db, live_server, browser_page
):
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    campaign = make_campaign(city, sign_off_levels=2)
    make_user(county, Role.LEADER, username="leader")
    guide = make_user(city, username="zhidaozu")
    make_guidance_group(city, members=[guide.person], campaign=campaign, units=[county])
    zeren = make_user(person=make_person(county, "王责任"), username="zeren")
    problem = make_problem(campaign, county, description="理论学习不深入")
    measure = make_measure(problem, persons=[zeren.person], content="制定学习计划")
    page, base = browser_page, live_server.url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    url = f"{base}{measure.get_absolute_url()}"

    # The responsible person submits with evidence.
    _login(page, base, "zeren")
    page.goto(url)
    page.fill("#submit-form textarea[name=statement]", "已制定并印发年度学习计划")
    page.set_input_files(
        "#submit-form input[name=files]",
        files=[{"name": "计划.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
    )
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(url)
    assert page.locator("#reviews .review-submit").count() == 1

    # The guidance group finds the evidence lacking and sends it back at once.
    _login(page, base, "zhidaozu")
    page.goto(url)
    assert page.locator("#decide-accept").count() == 0  # the leader has not confirmed yet
    page.fill("#decide-send_back textarea", "佐证材料不全，请补充学习记录")
    page.click("#decide-send_back button")
    page.wait_for_url(url)
    assert "佐证材料不全" in page.locator("#reviews .review-send_back").inner_text()

    # The responsible person sees the unread message in the header, opens the inbox,
    # finds the group's reason, follows it to the measure and resubmits.
    _login(page, base, "zeren")
    assert page.locator("#inbox-unread").inner_text() == "1"
    page.click("header a.inbox-link")
    page.wait_for_url(f"{base}/inbox/")
    latest = page.locator("ol.inbox > li").first
    assert "unread" in latest.get_attribute("class")
    assert "退回" in latest.locator(".notice-title").inner_text()
    assert "佐证材料不全，请补充学习记录" in latest.locator(".note-text").inner_text()
    latest.locator(".notice-title").click()
    page.wait_for_url(url)
    assert page.locator("#inbox-unread").count() == 0
    page.fill("#submit-form textarea[name=statement]", "已补充学习记录")
    page.set_input_files(
        "#submit-form input[name=files]",
        files=[{"name": "学习记录.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
    )
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(url)

    # The leader confirms; the guidance group accepts.
    _confirm_as_leader(page, base, url)
    _login(page, base, "zhidaozu")
    page.goto(url)
    page.fill("#decide-accept textarea", "整改到位，同意销号")
    page.click("#decide-accept button")
    page.wait_for_url(url)

    # The problem is signed off (已销号) because its only measure is.
    page.goto(f"{base}{problem.get_absolute_url()}")
    assert "已销号" in page.locator("dl.facts").inner_text()
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SIGNED_OFF
    assert list(measure.reviews.values_list("action", flat=True)) == [
        ReviewAction.SUBMIT,
        ReviewAction.SEND_BACK,
        ReviewAction.SUBMIT,
        ReviewAction.CONFIRM,
        ReviewAction.ACCEPT,
    ]
    assert len(requested) >= 10, requested
    assert {urlsplit(u).hostname for u in requested} <= LOCAL_HOSTS, requested
