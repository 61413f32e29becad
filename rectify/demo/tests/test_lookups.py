import pytest

from rectify.campaigns.lookups import resolve_campaign
from rectify.campaigns.models import Campaign
from rectify.core.testing import make_campaign, make_unit
from rectify.org.lookups import resolve_unit
from rectify.org.models import Unit

pytestmark = pytest.mark.django_db


def test_resolve_unit_by_code_name_or_short_name():
    city = make_unit("聊城市科学技术协会", code="SD-LC")
    city.short_name = "聊城市科协"
    city.save()
    assert resolve_unit("SD-LC") == city
    assert resolve_unit("聊城市科学技术协会") == city
    assert resolve_unit(" 聊城市科协 ") == city


def test_resolve_unit_refuses_unknown_and_ambiguous_names():
    make_unit("办公室")
    make_unit("办公室")
    with pytest.raises(Unit.MultipleObjectsReturned):
        resolve_unit("办公室")
    with pytest.raises(Unit.DoesNotExist, match="No unit"):
        resolve_unit("不存在")


def test_resolve_campaign_by_slug_or_name():
    unit = make_unit()
    campaign = make_campaign(unit, slug="zt-2019", name="主题教育")
    assert resolve_campaign("zt-2019") == campaign
    assert resolve_campaign("主题教育") == campaign
    with pytest.raises(Campaign.DoesNotExist):
        resolve_campaign("nope")
