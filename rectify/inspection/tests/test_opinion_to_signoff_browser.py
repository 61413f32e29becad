"""The whole chain in Debian's Chromium: an opinion from the public becomes a problem, is fixed
and signed off, and its sender sees that on the receipt page.

以查促改: nobody can otherwise show which opinion became which problem and whether it was fixed.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from rectify.core.testing import (
    LOCAL_HOSTS,
    make_campaign,
    make_guidance_group,
    make_person,
    make_unit,
    make_user,
)
from rectify.inspection.models import FindingStatus, Opinion
from rectify.inspection.services.opinions import opinion_form_create
from rectify.ledger.models import Measure, MeasureKind, MeasureStatus, Source
from rectify.ledger.services import measure_confirm, measure_submit
from rectify.org.models import Role

PASSWORD = "correct horse battery"
OPINION = "科技工作者反映项目申报材料过多，希望精简表格、一次提交。"


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")


def _receipt_state(browser, base, code) -> str:
    """The receipt page's status, read in a fresh context that has never logged in."""
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{base}{reverse('public:receipt')}")
        page.fill("#id_code", code)
        page.click("#receipt-form button[type=submit]")
        return page.locator("#receipt-state").inner_text()
    finally:
        context.close()


@pytest.mark.browser
def test_an_opinion_becomes_a_problem_is_signed_off_and_its_sender_sees_it(
    transactional_db, live_server, browser_page
):
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    campaign = make_campaign(city, sign_off_levels=2)
    target = campaign.targets.order_by("order").first()
    staff = make_user(county, Role.UNIT_ADMIN, username="dongchangfu")
    leader = make_user(county, Role.LEADER, username="leader")
    guide = make_user(city, username="zhidaozu")
    make_guidance_group(city, members=[guide.person], campaign=campaign, units=[county])
    zeren = make_user(person=make_person(county, "王责任"), username="zeren")
    form = opinion_form_create(
        campaign=campaign, unit=county, title="东昌府区科协征求意见", acting_user=staff
    )
    page, base = browser_page, live_server.url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # 1. Without logging in, a science worker sends an opinion and keeps the receipt code.
    page.goto(f"{base}{reverse('public:opinion-form', kwargs={'token': form.token})}")
    page.fill("#id_text", OPINION)
    page.click("#opinion-public-form button[type=submit]")
    code = page.locator("#receipt-code").inner_text().strip()
    assert len(code) >= 22
    opinion = Opinion.objects.get()
    assert opinion.text == OPINION and opinion.name == "" and opinion.phone == ""

    # 2. The unit's staff promote it into a problem, from the opinion's page.
    _login(page, base, "dongchangfu")
    page.goto(f"{base}{reverse('inspection:opinion-inbox', kwargs={'pk': form.pk})}")
    detail = reverse("inspection:opinion-detail", kwargs={"pk": opinion.pk})
    page.click(f"#opinion-{opinion.pk} a[href='{detail}']")
    page.click("#promote-link")
    page.select_option("#promote-form select[name=target]", str(target.pk))
    page.fill("#promote-form textarea[name=root_cause]", "服务意识不强，流程未优化")
    page.click("#promote-form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/problems/*/")
    opinion.finding.refresh_from_db()
    problem = opinion.finding.problem
    assert problem is not None and problem.source == Source.OPINIONS
    assert page.url == f"{base}{problem.get_absolute_url()}"
    # The problem page names its source opinion.
    assert OPINION[:12] in page.locator("#problem-sources").inner_text()

    # …and add a measure with a responsible person.
    page.click(f"a[href='/ledger/problems/{problem.pk}/measures/new/']")
    page.fill("#id_content", "精简申报表格，推行一次提交")
    page.select_option("#id_kind", MeasureKind.DEADLINE)
    page.fill("#id_deadline", (dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.select_option("#id_responsible_persons", [str(zeren.person.pk)])
    page.click("#measure-form button[type=submit]")
    measure = Measure.objects.get(problem=problem)
    assert _receipt_state(page.context.browser, base, code) == "已列为问题，正在整改"

    # 3. The responsible person reports it done and the leader confirms (the sign-off loop has
    # its own browser test); the guidance group signs it off in the browser.
    measure_submit(
        measure=measure,
        statement="已精简表格",
        expected_version=measure.version,
        acting_user=zeren,
        no_evidence_reason="表格已在网站公布",
    )
    measure.refresh_from_db()
    measure_confirm(
        measure=measure, opinion="情况属实", expected_version=measure.version, acting_user=leader
    )
    _login(page, base, "zhidaozu")
    url = f"{base}{measure.get_absolute_url()}"
    page.goto(url)
    page.fill("#decide-accept textarea", "整改到位，同意销号")
    page.click("#decide-accept button")
    page.wait_for_url(url)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SIGNED_OFF

    # 4. Back on the receipt page, the sender sees the problem signed off.
    assert _receipt_state(page.context.browser, base, code) == "已整改销号"
    assert opinion.finding.status == FindingStatus.PROMOTED
    assert {urlsplit(u).hostname for u in requested} <= LOCAL_HOSTS, requested
