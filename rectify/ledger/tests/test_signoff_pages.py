"""The sign-off workflow through the measure page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rectify.core.testing import (
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import MeasureStatus, ReviewAction
from rectify.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    campaign = make_campaign(city, sign_off_levels=1)
    admin = make_user(county, Role.UNIT_ADMIN)
    leader = make_user(county, Role.LEADER)
    zeren = make_user(person=make_person(county, "王责任"))
    measure = make_measure(make_problem(campaign, county), persons=[zeren.person])
    return {"leader": leader, "zeren": zeren, "m": measure, "admin": admin}


def test_submit_then_sign_off_through_the_page(client, setup):
    m = setup["m"]
    url = m.get_absolute_url()
    client.force_login(setup["zeren"])
    page = client.get(url).content.decode()
    assert 'id="submit-form"' in page and 'id="decide-' not in page
    response = client.post(
        f"{url}submit/",
        {
            "statement": "已制定并印发学习计划",
            "version": m.version,
            "files": [SimpleUploadedFile("计划.pdf", b"%PDF-1.4", content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == MeasureStatus.COMPLETED

    client.force_login(setup["leader"])
    page = client.get(url).content.decode()
    assert 'id="decide-accept"' in page and 'id="decide-send_back"' in page
    response = client.post(
        f"{url}decide/", {"action": "accept", "text": "整改到位", "version": m.version}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == MeasureStatus.SIGNED_OFF
    page = client.get(url).content.decode()
    assert "整改到位" in page and "已销号" in page


def test_send_back_without_reason_shows_the_error_and_changes_nothing(client, setup):
    m = setup["m"]
    from rectify.ledger.services import measure_submit

    measure_submit(
        measure=m,
        statement="完成",
        no_evidence_reason="无",
        expected_version=m.version,
        acting_user=setup["zeren"],
    )
    client.force_login(setup["leader"])
    response = client.post(
        f"{m.get_absolute_url()}decide/",
        {"action": "send_back", "text": "", "version": m.version},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "退回" in response.content.decode()
    m.refresh_from_db()
    assert m.status == MeasureStatus.COMPLETED
    assert list(m.reviews.values_list("action", flat=True)) == [ReviewAction.SUBMIT]


def test_a_responsible_person_cannot_decide(client, setup):
    m = setup["m"]
    client.force_login(setup["zeren"])
    response = client.post(
        f"{m.get_absolute_url()}decide/", {"action": "accept", "text": "", "version": m.version}
    )
    assert response.status_code == 403
    m.refresh_from_db()
    assert m.status == MeasureStatus.NOT_STARTED
