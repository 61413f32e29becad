"""The demo survey loads once, with rates, a 补课 flag, a small sample and a trend."""

import pytest

from rectify.core.testing import make_admin, make_campaign, make_unit
from rectify.demo import evaluation as demo

from ..models import Response, Survey
from ..selectors import round_results, trend_of

pytestmark = pytest.mark.django_db


def test_demo_survey_loads_once_and_shows_every_state():
    admin = make_admin()
    city = make_unit("聊城市科学技术协会", code="SD-LC")
    units = {
        "SD-LC": city,
        "SD-LC-KJG": make_unit("聊城市科技馆", parent=city),
        "SD-LC-ZXFW": make_unit("聊城市科技咨询服务中心", parent=city),
    }
    campaign = make_campaign(city, acting_user=admin)
    kwargs = {"campaign": campaign, "units": units, "people": {}, "targets": {}, "admin": admin}
    assert demo.load(**kwargs) > 0
    assert demo.load(**kwargs) == 0
    survey = Survey.objects.get()
    assert Response.objects.count() == sum(sum(c) for _n, by in demo.ROUNDS for c in by.values())
    before, _after = survey.rounds.all()
    rows, _total = round_results(survey, before)
    by_unit = {row.unit: row.overall for row in rows}
    assert by_unit[units["SD-LC-KJG"]].below_threshold  # 3 of 7 scored: 补课
    assert by_unit[units["SD-LC-ZXFW"]].rate is None  # 3 ballots: 样本不足
    _rounds, trend = trend_of(survey)
    assert all(row.change is None or row.change > 0 for row in trend)
    assert trend[0].change == pytest.approx(100 * 15 / 16 - 100 * 10 / 13)
