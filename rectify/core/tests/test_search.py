import pytest

from rectify.core.search import text_match
from rectify.core.testing import (
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
)
from rectify.ledger.filters import MeasureFilter, ProblemFilter
from rectify.ledger.models import Measure, Problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    unit = make_unit("市科协")
    campaign = make_campaign(unit)
    problem = make_problem(campaign, unit, description="科普阵地建设滞后，Science Day 活动少")
    return {
        "problem": problem,
        "by_content": make_measure(problem, content="开展 WeChat 科普推送"),
        "by_person": make_measure(problem, persons=[make_person(unit, name="Li Wei 李伟")]),
        "other": make_measure(
            make_problem(campaign, unit, description="会议多"), content="精简会议"
        ),
    }


def _found(model, filterset, value) -> set[int]:
    return {row.pk for row in filterset({"q": value}, queryset=model.objects.all()).qs}


@pytest.mark.parametrize("value", ["科普", "wechat", "WECHAT", "science day", "li wei", "李伟"])
def test_search_finds_chinese_as_written_and_letters_in_any_case(ledger, value):
    matches = {
        "科普": {"by_content", "by_person"},  # the content, and the problem's description
        "wechat": {"by_content"},
        "WECHAT": {"by_content"},
        "science day": {"by_content", "by_person"},
        "li wei": {"by_person"},
        "李伟": {"by_person"},
    }[value]
    assert _found(Measure, MeasureFilter, value) == {ledger[key].pk for key in matches}


def test_problem_search_matches_the_description_in_any_case(ledger):
    assert _found(Problem, ProblemFilter, "SCIENCE") == {ledger["problem"].pk}
    assert _found(Problem, ProblemFilter, "阵地") == {ledger["problem"].pk}


def test_text_without_letter_case_is_matched_as_written():
    """No upper-casing of every row's text when case cannot matter (Chinese, digits)."""
    assert text_match("科普2019", "content", "name").children == [
        ("content__contains", "科普2019"),
        ("name__contains", "科普2019"),
    ]
    assert text_match("科普Day", "content").children == [("content__icontains", "科普Day")]
