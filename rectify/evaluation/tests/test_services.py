"""Surveys, tokens and responses through the services: anonymity, reuse, closing, promotion."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from rectify.inspection.models import Finding, FindingStatus, Opinion, OpinionForm
from rectify.org.models import Person

from .. import services
from ..models import Answer, QuestionKind, Response, Token
from ..selectors import round_results, trend_of
from .world import ballot, issue, make_world

pytestmark = pytest.mark.django_db


def test_new_survey_has_default_scale_questions_and_first_round():
    world = make_world()
    survey = world.survey
    labels = [(c.label, c.weight, c.satisfied) for c in survey.choices.all()]
    assert [w for _l, w, _s in labels] == [100, 90, 75, 55, None]
    assert [s for _l, _w, s in labels] == [True, True, True, False, False]
    kinds = [q.kind for q in survey.questions.all()]
    assert kinds[0] == QuestionKind.OVERALL and kinds[-1] == QuestionKind.COMMENT
    assert kinds.count(QuestionKind.TARGET) == world.campaign.targets.count() == 5
    assert survey.rounds.count() == 1
    assert survey.threshold == 60 and survey.min_sample == 5


def test_survey_refuses_units_outside_the_organizing_unit():
    world = make_world()
    with pytest.raises(ValidationError) as exc:
        services.survey_create(
            campaign=world.campaign,
            unit=world.county,
            units=[world.other],
            title="越权",
            acting_user=world.admin,
        )
    assert "units" in exc.value.message_dict


def test_county_admin_cannot_create_a_survey_for_the_city():
    world = make_world()
    with pytest.raises(PermissionDenied):
        services.survey_create(
            campaign=world.campaign,
            unit=world.city,
            units=[world.county],
            title="越权",
            acting_user=world.county_admin,
        )


def test_tokens_are_random_128_bit_and_stored_hashed():
    world = make_world()
    codes = issue(world, count=3)
    assert len(set(codes)) == 3
    assert all(len(code) == 26 for code in codes)  # 128 bits in base 32
    stored = list(Token.objects.values_list("code_hash", flat=True))
    assert all(code not in stored for code in codes)
    assert sorted(stored) == sorted(services.token_hash(code) for code in codes)
    assert list(Token.objects.values_list("serial", flat=True)) == [1, 2, 3]
    assert issue(world, count=1) and Token.objects.order_by("-serial").first().serial == 4


def test_batch_size_is_bounded():
    world = make_world()
    round_ = world.survey.rounds.get()
    for count in (0, services.MAX_BATCH + 1):
        with pytest.raises(ValidationError):
            services.tokens_generate(
                round_=round_, unit=world.county, count=count, acting_user=world.admin
            )
    assert not Token.objects.exists()


def test_token_answers_once_then_is_refused_and_records_nothing():
    world = make_world()
    (code,) = issue(world)
    services.response_submit_with_token(code=code, answers=ballot(world.survey, comment="很好"))
    assert Response.objects.count() == 1
    with pytest.raises(services.ResponseRefused) as exc:
        services.response_submit_with_token(code=code, answers=ballot(world.survey))
    assert exc.value.code == "used"
    assert Response.objects.count() == 1
    assert Answer.objects.filter(text="很好").count() == 1


def test_code_is_accepted_in_groups_lower_case_and_with_look_alike_digits():
    world = make_world()
    (code,) = issue(world)
    printed = "-".join(code[i : i + 4] for i in range(0, len(code), 4)).lower()
    typed = printed.replace("o", "0").replace("i", "1").replace("b", "8")
    services.response_submit_with_token(code=typed, answers=ballot(world.survey))
    assert Token.objects.get().used


def test_unknown_token_is_refused_and_records_nothing():
    world = make_world()
    with pytest.raises(services.ResponseRefused) as exc:
        services.response_submit_with_token(code="A" * 26, answers=ballot(world.survey))
    assert exc.value.code == "unknown"
    assert not Response.objects.exists()


def test_closed_survey_accepts_nothing_and_keeps_the_token_unused():
    world = make_world()
    (code,) = issue(world)
    services.survey_set_open(survey=world.survey, is_open=False, acting_user=world.admin)
    with pytest.raises(services.ResponseRefused) as exc:
        services.response_submit_with_token(code=code, answers=ballot(world.survey))
    assert exc.value.code == "closed"
    assert not Response.objects.exists()
    assert not Token.objects.get().used


def test_a_new_round_closes_the_earlier_one():
    world = make_world()
    (old,) = issue(world)
    services.round_create(survey=world.survey, name="整改后", acting_user=world.admin)
    with pytest.raises(services.ResponseRefused) as exc:
        services.response_submit_with_token(code=old, answers=ballot(world.survey))
    assert exc.value.code == "closed"
    (new,) = issue(world)
    services.response_submit_with_token(code=new, answers=ballot(world.survey))
    assert Response.objects.get().round.name == "整改后"


def test_every_rating_must_be_answered_and_nothing_is_half_saved():
    world = make_world()
    (code,) = issue(world)
    answers = ballot(world.survey)
    overall = world.survey.questions.get(kind=QuestionKind.OVERALL)
    del answers[overall.pk]
    with pytest.raises(ValidationError) as exc:
        services.response_submit_with_token(code=code, answers=answers)
    assert f"q{overall.pk}" in exc.value.message_dict
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not Token.objects.get().used


def test_a_choice_of_another_survey_is_refused():
    world = make_world()
    other = services.survey_create(
        campaign=world.campaign,
        unit=world.city,
        units=[world.county],
        title="另一测评",
        acting_user=world.admin,
    )
    (code,) = issue(world)
    foreign = other.choices.first().pk
    answers = {q.pk: foreign if q.is_rating else "" for q in world.survey.questions.all()}
    with pytest.raises(ValidationError):
        services.response_submit_with_token(code=code, answers=answers)
    assert not Response.objects.exists()


def test_anonymity_no_relation_links_a_response_to_a_token_or_person():
    """Given the database, no join can pair a response with its token or a person."""
    linked = {Token, Person}
    for model in (Response, Answer):
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            assert related not in linked, f"{model.__name__}.{field.name} → {related}"
    for field in Token._meta.get_fields():
        assert getattr(field, "related_model", None) not in {Response, Answer}, field.name
    # Neither carries a time of day: both are stamped with the date only.
    for model in (Response, Token):
        assert not any(isinstance(f, models.DateTimeField) for f in model._meta.concrete_fields)
    assert isinstance(Response._meta.pk, models.UUIDField)  # no insertion order to match
    assert not hasattr(Response, "history") and not hasattr(Token, "history")


def test_anonymity_stamps_are_coarsened_to_the_day():
    world = make_world()
    (code,) = issue(world)
    services.response_submit_with_token(code=code, answers=ballot(world.survey))
    response, token = Response.objects.get(), Token.objects.get()
    assert type(response.submitted_on) is dt.date
    assert type(token.used_on) is dt.date
    assert response.submitted_on == token.used_on  # the same day, nothing finer


def test_results_count_answers_per_unit_and_flag_small_samples():
    world = make_world(min_sample=3)
    survey = world.survey
    for order in (1, 1, 4, 5):  # 满意, 满意, 不满意, 不了解
        (code,) = issue(world)
        services.response_submit_with_token(code=code, answers=ballot(survey, order))
    (code,) = issue(world, unit=world.other)
    services.response_submit_with_token(code=code, answers=ballot(survey, 1))
    rows, total = round_results(survey, survey.rounds.get())
    county, other = rows
    assert county.unit == world.county and county.responses == 4
    assert county.overall.counts == (2, 0, 0, 1, 1)
    assert county.overall.rate == pytest.approx(200 / 3)  # 2 of 3 scored
    assert not county.overall.below_threshold
    assert other.responses == 1 and other.overall.rate is None  # 样本不足
    assert total.responses == 5 and total.overall.counts == (3, 0, 0, 1, 1)
    assert total.overall.rate == pytest.approx(75.0)
    target_rates = [rate for q, rate in county.questions if q.kind == QuestionKind.TARGET]
    assert len(target_rates) == 5 and all(r.counts == (2, 0, 0, 1, 1) for r in target_rates)


def test_trend_between_rounds():
    world = make_world(min_sample=1)
    survey = world.survey
    for _i in range(2):  # before: two 不满意, 0 %
        (code,) = issue(world)
        services.response_submit_with_token(code=code, answers=ballot(survey, 4))
    services.round_create(survey=survey, name="整改后", acting_user=world.admin)
    for _i in range(2):  # after: two 满意, 100 %
        (code,) = issue(world)
        services.response_submit_with_token(code=code, answers=ballot(survey, 1))
    rounds, rows = trend_of(survey)
    county = rows[0]
    assert [r.name for r in rounds][1] == "整改后"
    assert county.rates == [pytest.approx(0.0), pytest.approx(100.0)]
    assert county.change == pytest.approx(100.0)
    assert rows[1].rates == [None, None] and rows[1].change is None  # nobody answered
    assert rows[-1].unit is None  # total row last


def test_scale_labels_and_weights_are_editable():
    world = make_world(min_sample=1)
    survey = world.survey
    choices = list(survey.choices.all())
    changes = [(c, c.label, c.weight, c.satisfied) for c in choices]
    changes[3] = (choices[3], "很不满意", 0, False)
    services.scale_update(survey=survey, choices=changes, acting_user=world.admin)
    assert survey.choices.get(order=4).label == "很不满意"
    (code,) = issue(world)
    services.response_submit_with_token(code=code, answers=ballot(survey, 4))
    rows, _total = round_results(survey, survey.rounds.get())
    assert rows[0].overall.score == pytest.approx(0.0)


def test_unscored_choice_cannot_count_as_satisfied():
    world = make_world()
    choices = list(world.survey.choices.all())
    changes = [(c, c.label, c.weight, c.satisfied) for c in choices]
    changes[4] = (choices[4], "不了解", None, True)
    with pytest.raises(ValidationError):
        services.scale_update(survey=world.survey, choices=changes, acting_user=world.admin)


def test_comment_promoted_into_an_opinion_and_finding_of_the_unit():
    world = make_world()
    (code,) = issue(world)
    services.response_submit_with_token(
        code=code, answers=ballot(world.survey, comment="服务窗口办事慢")
    )
    answer = Answer.objects.get(text="服务窗口办事慢")
    opinion = services.comment_promote(answer=answer, acting_user=world.county_admin)
    assert opinion.text == "服务窗口办事慢" and opinion.anonymous
    form = OpinionForm.objects.get(pk=opinion.form_id)
    assert form.unit == world.county and not form.is_open  # closed to the public
    finding = Finding.objects.get(opinion=opinion)
    assert finding.unit == world.county and finding.status == FindingStatus.NEW
    answer.refresh_from_db()
    assert answer.promoted_to == opinion
    with pytest.raises(ValidationError):
        services.comment_promote(answer=answer, acting_user=world.admin)
    # A second comment of the same unit goes through the same (closed) form.
    (code,) = issue(world)
    services.response_submit_with_token(code=code, answers=ballot(world.survey, comment="再提一条"))
    services.comment_promote(answer=Answer.objects.get(text="再提一条"), acting_user=world.admin)
    assert OpinionForm.objects.count() == 1 and Opinion.objects.count() == 2


def test_other_county_admin_cannot_promote():
    world = make_world()
    (code,) = issue(world)
    services.response_submit_with_token(code=code, answers=ballot(world.survey, comment="意见"))
    with pytest.raises(PermissionDenied):
        services.comment_promote(
            answer=Answer.objects.get(text="意见"), acting_user=world.other_admin
        )
    assert not Opinion.objects.exists()


def test_open_link_records_and_counts_the_client_in_the_throttle():
    from rectify.inspection.models import SubmissionThrottle

    world = make_world()
    link = services.open_link_create(
        round_=world.survey.rounds.get(), unit=world.county, acting_user=world.admin
    )
    again = services.open_link_create(
        round_=world.survey.rounds.get(), unit=world.county, acting_user=world.admin
    )
    assert again == link and len(link.key) >= 32
    services.response_submit_open(link=link, answers=ballot(world.survey), client="c1")
    assert Response.objects.get().unit == world.county
    assert SubmissionThrottle.objects.filter(client_hash="c1").count() == 1
