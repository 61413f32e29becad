"""Shared fixtures of the study tests: a city with two counties and a campaign over it."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from rectify.core.testing import make_admin, make_campaign, make_unit

from .. import services


@pytest.fixture
def tree(db):
    """聊城市科协 → 东昌府区科协 (with a section below) and 临清市科协; a campaign over the city."""
    admin = make_admin()
    city = make_unit("聊城市科协")
    dcf = make_unit("东昌府区科协", parent=city)
    section = make_unit("东昌府区科协学会部", parent=dcf)
    lq = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city, acting_user=admin)
    return SimpleNamespace(
        admin=admin, city=city, dcf=dcf, section=section, lq=lq, campaign=campaign
    )


def new_meeting(campaign, unit, *, acting_user, **fields):
    """A meeting of ``unit`` two days ago, through the service."""
    fields.setdefault("title", "集中学习")
    fields.setdefault("starts_at", timezone.now() - dt.timedelta(days=2))
    return services.meeting_create(campaign=campaign, unit=unit, acting_user=acting_user, **fields)
