"""An administrator sets up a survey round and prints tokens; a respondent answers once."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from rectify.core.testing import (
    LOCAL_HOSTS,
    make_admin,
    make_campaign,
    make_measure,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import Measure, MeasureStatus
from rectify.org.models import Role

from ..models import Response, Survey

PASSWORD = "correct horse battery"


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")


@pytest.mark.browser
def test_survey_round_tokens_and_one_anonymous_ballot(transactional_db, live_server, browser_page):
    admin = make_admin()
    city = make_unit("聊城市科协")
    county = make_unit("东昌府区科协", parent=city)
    campaign = make_campaign(city, acting_user=admin)
    problem = make_problem(campaign, county, acting_user=admin)
    measure = make_measure(problem, acting_user=admin, content="建立科技工作者服务台账")
    Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.SIGNED_OFF)
    make_user(city, Role.UNIT_ADMIN, username="shikexie")
    page, base = browser_page, live_server.url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # The administrator creates the survey with its first round, and issues three tokens.
    _login(page, base, "shikexie")
    page.goto(f"{base}{reverse('evaluation:survey-create')}")
    page.select_option("#id_campaign", campaign.slug)
    page.select_option("#id_unit", str(city.pk))
    page.select_option("#id_units", [str(county.pk)])
    page.fill("#id_title", "整改成效满意度测评")
    page.fill("#id_first_round", "整改后")
    page.fill("#id_min_sample", "1")  # one ballot is enough to show its answers here
    page.click("#survey-form button[type=submit]")
    survey = Survey.objects.get(title="整改成效满意度测评")
    page.wait_for_url(f"{base}{reverse('evaluation:survey-detail', args=[survey.pk])}")
    assert "整改后" in page.locator("#rounds").inner_text()
    page.select_option("#token-form #id_unit", str(county.pk))
    page.fill("#token-form #id_count", "3")
    page.click("#token-form button[type=submit]")
    slips = page.locator("#slips .slip")
    expect(slips).to_have_count(3)  # waits for the page the form posts to
    assert slips.first.locator("img").get_attribute("src").startswith("data:image/svg+xml")
    link = slips.first.locator("a.slip-link").get_attribute("href")

    # A respondent, in a fresh browser without the administrator's session, answers once.
    respondent_context = page.context.browser.new_context(locale="zh-CN")
    respondent = respondent_context.new_page()
    respondent.on("request", lambda request: requested.append(request.url))
    respondent.goto(link)
    assert "建立科技工作者服务台账" in respondent.locator("#briefing").inner_text()
    for question in survey.questions.all():
        if question.is_rating:
            respondent.check(f"#id_q{question.pk}_0")
        else:
            respondent.fill(f"#id_q{question.pk}", "希望多办科普活动")
    respondent.click("#ballot button[type=submit]")
    expect(respondent.locator("#thanks")).to_be_visible()
    respondent.goto(link)
    assert respondent.locator("#public-message").get_attribute("data-reason") == "used"
    assert respondent.locator("#ballot").count() == 0
    respondent_context.close()
    assert Response.objects.count() == 1

    # The unit's results show the ballot in the counts.
    page.goto(f"{base}{reverse('evaluation:results', args=[survey.pk])}")
    assert page.locator(f"#results tr[data-unit='{county.pk}'] .responses").inner_text() == "1"
    page.goto(f"{base}{reverse('evaluation:unit-results', args=[survey.pk, county.pk])}")
    first_row = page.locator("#unit-results tbody tr").first.locator("td")
    assert first_row.nth(1).inner_text() == "1"  # one 满意 on the overall question
    assert first_row.nth(6).inner_text() == "100.0%"
    assert "希望多办科普活动" in page.locator("#comments").inner_text()

    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS, requested
