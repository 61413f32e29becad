"""The demo's hand-recorded findings: every triage state shows, and a second run adds nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from rectify.campaigns.models import Campaign
from rectify.demo import data, inspection_findings
from rectify.inspection.models import Finding, FindingStatus
from rectify.org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load() -> int:
    campaign = Campaign.objects.get(slug=data.CAMPAIGN["slug"])
    return inspection_findings.load(
        campaign=campaign,
        units={unit.code: unit for unit in Unit.objects.all()},
        people={},
        targets={target.code: target for target in campaign.targets.all()},
        admin=get_user_model().objects.get(username="admin"),
    )


def test_demo_findings_show_every_triage_state_and_load_once():
    call_command("load_demo", quiet=True)
    findings = Finding.objects.filter(
        unit__code=inspection_findings.UNIT,
        opinion=None,
        answer=None,
        research_topic=None,
        feedback=None,
    )
    assert findings.count() == len(inspection_findings.FINDINGS)
    statuses = sorted(findings.values_list("status", flat=True))
    assert statuses == sorted(
        [FindingStatus.PROMOTED, FindingStatus.DISMISSED, FindingStatus.NEW, FindingStatus.NEW]
    )
    attached = findings.get(status=FindingStatus.PROMOTED)
    assert attached.problem.description.startswith("服务科技工作者“最后一公里”")
    assert attached.problem.findings.count() >= 1
    assert findings.get(status=FindingStatus.DISMISSED).dismissed_reason
    assert {f.origin()[1] for f in findings} == {None}, "recorded by hand: no source page"

    before = list(Finding.objects.values_list("pk", "status", "problem", "updated_at"))
    assert _load() == 0
    assert list(Finding.objects.values_list("pk", "status", "problem", "updated_at")) == before
