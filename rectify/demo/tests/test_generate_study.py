"""``generate_ledger --attendance``: study meetings with about the rows asked for, over the
generated ledger's people."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from rectify.campaigns.models import Campaign
from rectify.study.models import Attendance, Meeting
from rectify.study.selectors import coverage_of

pytestmark = pytest.mark.django_db


def test_generated_attendance_fills_the_tree_and_leaves_coverage_partial():
    out = io.StringIO()
    call_command("generate_ledger", units=60, measures=50, seed=3, attendance=700, stdout=out)
    campaign = Campaign.objects.get(slug="generated")
    admin = get_user_model().objects.get(username="generated-admin")
    assert Attendance.objects.count() == 700
    assert "attendance rows" in out.getvalue() and "700" in out.getvalue()
    assert Meeting.objects.filter(campaign=campaign).count() > 10
    assert Attendance.history.count() == 700
    root = campaign.participating_units.get()
    coverage = coverage_of(admin, campaign, root)
    assert coverage.total.total == 60
    assert 0 < coverage.total.covered < coverage.total.total
    assert len(coverage.rows) > 2
