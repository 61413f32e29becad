"""What the API shows of the stages around the ledger: survey results as aggregates only,
opinions with their senders' details only when given, people without contact details."""

import json

import pytest
from django.urls import reverse

from rectify.core.testing import make_person, make_user
from rectify.evaluation.services import response_submit_with_token
from rectify.evaluation.tests.world import ballot, issue, make_world
from rectify.inspection.services.opinions import opinion_form_create, opinion_submit
from rectify.org.models import Role

from .conftest import token_client

pytestmark = pytest.mark.django_db


def test_survey_results_are_aggregates_never_responses():
    world = make_world(min_sample=1)
    for order, comment in ((1, "很满意，秘密评论甲"), (4, "不满意，秘密评论乙")):
        (code,) = issue(world, world.county)
        response_submit_with_token(code=code, answers=ballot(world.survey, order, comment))
    client = token_client(make_user(world.city, Role.UNIT_ADMIN))
    response = client.get(reverse("api-v1:survey-results", args=[world.survey.pk]))
    assert response.status_code == 200, response.content
    body = response.json()
    (round_,) = body["rounds"]
    county = next(row for row in round_["units"] if row["unit"] == world.county.pk)
    assert county["responses"] == 2 and round_["total"]["responses"] == 2
    assert county["overall"]["answers"] == 2
    assert 0 <= county["overall"]["satisfied"] <= 2
    text = json.dumps(body, ensure_ascii=False)
    assert "秘密评论" not in text
    assert "token" not in text and "code" not in text


def test_other_county_cannot_read_a_survey_it_does_not_run():
    world = make_world()
    client = token_client(world.other_admin)
    url = reverse("api-v1:survey-results", args=[world.survey.pk])
    assert client.get(url).status_code == 404


def test_anonymous_opinion_shows_no_sender_details():
    world = make_world()
    form = opinion_form_create(
        campaign=world.campaign, unit=world.city, title="征求意见", acting_user=world.admin
    )
    signed, _code = opinion_submit(
        form=form, text="署名意见", anonymous=False, name="张三", phone="13800000000", client=None
    )
    anonymous, _code = opinion_submit(form=form, text="匿名意见", client=None)
    client = token_client(make_user(world.city, Role.UNIT_ADMIN))
    rows = {row["id"]: row for row in client.get(reverse("api-v1:opinion-list")).json()["results"]}
    assert rows[signed.pk]["name"] == "张三" and rows[signed.pk]["phone"] == "13800000000"
    assert rows[anonymous.pk]["name"] == rows[anonymous.pk]["phone"] == ""
    assert rows[anonymous.pk]["finding"] is not None


def test_people_are_listed_without_contact_details():
    world = make_world()
    make_person(world.county, name="李四", phone="13900000000", email="li@example.cn")
    client = token_client(world.county_admin)
    rows = client.get(reverse("api-v1:person-list"), {"unit": world.county.pk}).json()
    (row,) = [r for r in rows["results"] if r["name"] == "李四"]
    assert "phone" not in row and "email" not in row
    assert "13900000000" not in json.dumps(rows)
