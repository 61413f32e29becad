"""A small world for evaluation tests: a city, two counties, a campaign and a survey."""

from dataclasses import dataclass

from rectify.core.testing import make_admin, make_campaign, make_unit, make_user
from rectify.org.models import Role

from ..models import Answer, QuestionKind, Survey
from ..services import response_submit_with_token, survey_create, tokens_generate


@dataclass
class World:
    admin: object
    city: object
    county: object
    other: object
    campaign: object
    survey: Survey
    county_admin: object
    other_admin: object


def make_world(**survey_fields) -> World:
    """A city association running a survey of two counties; each county has an administrator."""
    admin = make_admin()
    city = make_unit("聊城市科协")
    county = make_unit("东昌府区科协", parent=city)
    other = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city, acting_user=admin)
    survey = survey_create(
        campaign=campaign,
        unit=city,
        units=[county, other],
        title="主题教育满意度测评",
        acting_user=admin,
        **survey_fields,
    )
    return World(
        admin=admin,
        city=city,
        county=county,
        other=other,
        campaign=campaign,
        survey=survey,
        county_admin=make_user(county, Role.UNIT_ADMIN),
        other_admin=make_user(other, Role.UNIT_ADMIN),
    )


def issue(world: World, unit=None, count: int = 1) -> list[str]:
    """Codes of ``count`` fresh tokens of the survey's latest round for ``unit``."""
    round_ = world.survey.rounds.order_by("-order").first()
    issued = tokens_generate(
        round_=round_, unit=unit or world.county, count=count, acting_user=world.admin
    )
    return [code for _token, code in issued]


def ballot(survey: Survey, choice_order: int = 1, comment: str = "") -> dict[int, object]:
    """Answers to every question: the ``choice_order``-th choice on each rating, and a comment."""
    choice = survey.choices.get(order=choice_order)
    return {q.pk: (choice.pk if q.is_rating else comment) for q in survey.questions.all()}


def answered_comment(survey: Survey, unit, text: str, *, acting_user) -> Answer:
    """The comment ``text`` about ``unit``, answered through a fresh token of the latest round."""
    round_ = survey.rounds.order_by("-order").first()
    ((_token, code),) = tokens_generate(round_=round_, unit=unit, count=1, acting_user=acting_user)
    response = response_submit_with_token(code=code, answers=ballot(survey, comment=text))
    return response.answers.get(question__kind=QuestionKind.COMMENT)
