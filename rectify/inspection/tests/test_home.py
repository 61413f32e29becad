"""The inspection front page: a way to every source, and the findings waiting in scope."""

import pytest
from django.urls import reverse

from rectify.core.testing import make_campaign, make_unit, make_user
from rectify.inspection.services.findings import record_finding
from rectify.org.models import Role

pytestmark = pytest.mark.django_db


def test_front_page_counts_only_the_findings_waiting_in_the_users_scope(client):
    city = make_unit("市科协")
    mine, theirs = make_unit("东昌府区科协", parent=city), make_unit("临清市科协", parent=city)
    campaign = make_campaign(city)
    for unit, n in ((mine, 2), (theirs, 5)):
        for i in range(n):
            record_finding(campaign=campaign, unit=unit, source="other", text=f"线索{i}")
    client.force_login(make_user(mine, Role.UNIT_ADMIN))

    page = client.get(reverse("inspection:home"))

    assert page.status_code == 200
    assert page.context["to_triage"] == 2
    html = page.content.decode()
    for route in ("finding-list", "checklist-list", "opinion-form-list", "research-list",
                  "feedback-list", "gap-matrix"):  # fmt: skip
        assert reverse(f"inspection:{route}") in html
    assert reverse("dashboard:pipeline") in html
