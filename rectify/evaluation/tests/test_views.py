"""Staff and respondent pages: scoping, token reuse, closed surveys, abuse, escaping."""

import pytest
from django.test import override_settings
from django.urls import reverse

from rectify.core.testing import make_measure, make_problem, make_user
from rectify.inspection.models import SubmissionThrottle
from rectify.ledger.models import MeasureStatus
from rectify.org.models import Role

from .. import services
from ..models import Answer, Response, Token
from .world import ballot, issue, make_world

pytestmark = pytest.mark.django_db


def _post_ballot(client, url, survey, choice_order=1, comment="", **extra):
    data = {f"q{pk}": value for pk, value in ballot(survey, choice_order, comment).items()}
    data.update(extra)
    return client.post(url, data)


def _token_url(code):
    return reverse("survey:token", kwargs={"code": code})


def test_token_link_shows_the_briefing_and_takes_one_ballot(client):
    world = make_world()
    problem = make_problem(world.campaign, world.county, acting_user=world.admin)
    measure = make_measure(problem, acting_user=world.admin, content="建立服务台账制度")
    type(measure).objects.filter(pk=measure.pk).update(status=MeasureStatus.SIGNED_OFF)
    (code,) = issue(world)
    page = client.get(_token_url(code))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="briefing"' in html and "建立服务台账制度" in html
    assert _post_ballot(client, _token_url(code), world.survey).status_code == 200
    assert Response.objects.count() == 1
    again = client.get(_token_url(code))
    assert 'data-reason="used"' in again.content.decode()
    refused = _post_ballot(client, _token_url(code), world.survey)
    assert refused.status_code == 409 and 'data-reason="used"' in refused.content.decode()
    assert Response.objects.count() == 1


def test_briefing_is_left_out_when_the_survey_says_so(client):
    world = make_world(show_briefing=False)
    (code,) = issue(world)
    assert 'id="briefing"' not in client.get(_token_url(code)).content.decode()


def test_unknown_token_gets_a_clear_page_and_records_nothing(client):
    world = make_world()
    url = _token_url("NOSUCHCODE")
    page = client.get(url)
    assert page.status_code == 404 and 'data-reason="unknown"' in page.content.decode()
    assert _post_ballot(client, url, world.survey).status_code == 404
    assert not Response.objects.exists()


def test_closed_survey_accepts_nothing(client):
    world = make_world()
    (code,) = issue(world)
    services.survey_set_open(survey=world.survey, is_open=False, acting_user=world.admin)
    assert 'data-reason="closed"' in client.get(_token_url(code)).content.decode()
    assert _post_ballot(client, _token_url(code), world.survey).status_code == 409
    assert not Response.objects.exists() and not Token.objects.get().used


def test_typed_code_leads_to_the_ballot(client):
    world = make_world()
    (code,) = issue(world)
    printed = "-".join(code[i : i + 4] for i in range(0, len(code), 4)).lower()
    response = client.post(reverse("survey:enter"), {"code": printed})
    assert response.status_code == 302 and response.url == _token_url(code)
    page = client.post(reverse("survey:enter"), {"code": " - - "})
    assert page.status_code == 200 and page.context["form"].errors["code"]


def test_missing_rating_is_reported_next_to_the_question(client):
    world = make_world()
    (code,) = issue(world)
    overall = world.survey.questions.first()
    data = {f"q{pk}": value for pk, value in ballot(world.survey).items() if pk != overall.pk}
    page = client.post(_token_url(code), data)
    assert page.status_code == 200
    assert page.context["form"].errors[f"q{overall.pk}"]
    assert not Response.objects.exists() and not Token.objects.get().used


def test_script_in_a_comment_is_rendered_inert(client):
    world = make_world(min_sample=1)
    (code,) = issue(world)
    evil = '<script>alert("x")</script>'
    _post_ballot(client, _token_url(code), world.survey, comment=evil)
    assert Answer.objects.filter(text=evil).exists()
    client.force_login(world.admin)
    url = reverse("evaluation:unit-results", args=[world.survey.pk, world.county.pk])
    html = client.get(url).content.decode()
    assert evil not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_oversized_body_is_refused_before_reading(client):
    world = make_world()
    (code,) = issue(world)
    with override_settings(RECTIFY_OPINION_MAX_BODY=1000):
        page = _post_ballot(client, _token_url(code), world.survey, comment="长" * 2000)
    assert page.status_code == 413
    assert not Response.objects.exists()


def test_csrf_is_required_on_ballots():
    from django.test import Client

    world = make_world()
    (code,) = issue(world)
    strict = Client(enforce_csrf_checks=True)
    assert _post_ballot(strict, _token_url(code), world.survey).status_code == 403
    assert not Response.objects.exists()


def _open_url(world):
    link = services.open_link_create(
        round_=world.survey.rounds.get(), unit=world.county, acting_user=world.admin
    )
    return reverse("survey:open", kwargs={"key": link.key})


@override_settings(RECTIFY_OPINION_RATE=(2, 600))
def test_open_link_is_rate_limited(client):
    world = make_world()
    url = _open_url(world)
    assert _post_ballot(client, url, world.survey).status_code == 200
    assert _post_ballot(client, url, world.survey).status_code == 200
    assert _post_ballot(client, url, world.survey).status_code == 429
    assert Response.objects.count() == 2


def test_open_link_honeypot_is_thanked_and_dropped(client):
    world = make_world()
    url = _open_url(world)
    page = _post_ballot(client, url, world.survey, website="http://spam.example")
    assert page.status_code == 200 and 'id="thanks"' in page.content.decode()
    assert not Response.objects.exists()
    assert SubmissionThrottle.objects.count() == 1  # the bot still spends its rate


def test_unknown_open_link_is_404(client):
    assert client.get(reverse("survey:open", kwargs={"key": "nope"})).status_code == 404


def test_other_county_admin_gets_404_on_the_survey_results_and_tokens(client):
    world = make_world()
    client.force_login(world.other_admin)
    pk = world.survey.pk
    for name in ("survey-detail", "results", "survey-scale", "token-generate"):
        assert client.get(reverse(f"evaluation:{name}", args=[pk])).status_code == 404, name
    assert client.post(reverse("evaluation:token-generate", args=[pk]), {}).status_code == 404
    url = reverse("evaluation:unit-results", args=[pk, world.county.pk])
    assert client.get(url).status_code == 404
    assert not Token.objects.exists()


def test_forged_ids_answer_404(client):
    world = make_world()
    client.force_login(world.admin)
    pk = world.survey.pk
    foreign_unit = make_user(world.city).person.unit  # the city: not evaluated by the survey
    url = reverse("evaluation:unit-results", args=[pk, foreign_unit.pk])
    assert client.get(url).status_code == 404
    other = make_world()
    foreign_round = other.survey.rounds.get().pk
    results = reverse("evaluation:results", args=[pk])
    assert client.get(f"{results}?round={foreign_round}").status_code == 404
    assert client.get(f"{results}?round=x").status_code == 404
    response = client.post(
        reverse("evaluation:token-generate", args=[pk]), {"unit": other.county.pk, "count": 3}
    )
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert not Token.objects.exists()


def test_admin_issues_tokens_and_reads_the_sheet_once(client):
    world = make_world()
    client.force_login(world.admin)
    url = reverse("evaluation:token-generate", args=[world.survey.pk])
    page = client.post(url, {"unit": world.county.pk, "count": 3})
    assert page.status_code == 200
    assert len(page.context["slips"]) == 3 and Token.objects.count() == 3
    assert page.content.decode().count("data:image/svg+xml") == 3
    assert page["Cache-Control"].startswith("max-age=0")


def test_leader_of_the_city_reads_results_but_cannot_issue(client):
    world = make_world()
    leader = make_user(world.city, Role.LEADER)
    client.force_login(leader)
    assert client.get(reverse("evaluation:results", args=[world.survey.pk])).status_code == 200
    url = reverse("evaluation:token-generate", args=[world.survey.pk])
    assert client.post(url, {"unit": world.county.pk, "count": 1}).status_code == 403
    assert not Token.objects.exists()


def test_results_page_flags_redo_and_small_samples(client):
    world = make_world(min_sample=2)
    for _i in range(2):
        (code,) = issue(world)
        services.response_submit_with_token(code=code, answers=ballot(world.survey, 4))
    (code,) = issue(world, unit=world.other)
    services.response_submit_with_token(code=code, answers=ballot(world.survey, 1))
    client.force_login(world.admin)
    page = client.get(reverse("evaluation:results", args=[world.survey.pk]))
    rows = page.context["rows"]
    assert rows[0].overall.below_threshold and rows[0].overall.rate == 0
    assert rows[1].overall.rate is None
    html = page.content.decode()
    assert "flag-redo" in html and 'class="insufficient"' in html


def test_comment_promotion_page_flow(client):
    world = make_world()
    (code,) = issue(world)
    services.response_submit_with_token(code=code, answers=ballot(world.survey, comment="改进服务"))
    answer = Answer.objects.get(text="改进服务")
    client.force_login(world.other_admin)
    url = reverse("evaluation:comment-promote", args=[answer.pk])
    assert client.post(url).status_code == 404
    client.force_login(world.county_admin)
    # The county admin does not see the city's survey either: promotion is the city's.
    assert client.post(url).status_code == 404
    client.force_login(world.admin)
    assert client.post(url).status_code == 302
    answer.refresh_from_db()
    assert answer.promoted_to is not None


def test_below_the_minimum_sample_neither_answers_nor_rates_are_shown(client):
    world = make_world()  # minimum sample 5
    (code,) = issue(world)
    services.response_submit_with_token(code=code, answers=ballot(world.survey, 4))
    client.force_login(world.admin)
    url = reverse("evaluation:unit-results", args=[world.survey.pk, world.county.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'id="insufficient"' in html
    overall_row = html.split('id="unit-results"')[1].split("<tbody>")[1].split("</tr>")[0]
    assert '<td class="num">1</td>' not in overall_row  # the lone 不满意 is not told
    assert overall_row.count("—") >= 5
    results = client.get(reverse("evaluation:results", args=[world.survey.pk]))
    row = results.content.decode().split(f'data-unit="{world.county.pk}"')[1].split("</tr>")[0]
    assert '<td class="num responses">1</td>' in row
    assert row.count("—") == 5


def test_results_page_queries_do_not_grow_with_units(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rectify.core.testing import make_unit

    world = make_world(min_sample=1)
    many = [make_unit(parent=world.city) for _i in range(6)]
    wide = services.survey_create(
        campaign=world.campaign,
        unit=world.city,
        units=many,
        title="多单位测评",
        acting_user=world.admin,
    )
    for survey, units in ((world.survey, [world.county]), (wide, many)):
        for unit in units:
            round_ = survey.rounds.get()
            ((_t, code),) = services.tokens_generate(
                round_=round_, unit=unit, count=1, acting_user=world.admin
            )
            services.response_submit_with_token(code=code, answers=ballot(survey))
    client.force_login(world.admin)
    counts = []
    for survey in (world.survey, wide):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("evaluation:results", args=[survey.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
