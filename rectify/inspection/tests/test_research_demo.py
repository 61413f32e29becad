"""The demo's research topics and guidance feedback: every status shows, loaded once."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from rectify.campaigns.models import Campaign
from rectify.demo import data, inspection_research
from rectify.inspection.models import Finding, GuidanceFeedback, ResearchStatus, ResearchTopic
from rectify.ledger.models import Source
from rectify.org.models import Person, Unit

pytestmark = pytest.mark.django_db


def _load() -> int:
    campaign = Campaign.objects.get(slug=data.CAMPAIGN["slug"])
    units = {unit.code: unit for unit in Unit.objects.all()}
    people = {
        spec.key: Person.objects.get(unit=units[spec.unit], name=data.PERSON_NAMES[spec.key])
        for spec in data.PEOPLE
    }
    return inspection_research.load(
        campaign=campaign,
        units=units,
        people=people,
        targets={target.code: target for target in campaign.targets.all()},
        admin=get_user_model().objects.get(username="admin"),
    )


def _snapshot() -> list:
    return [
        list(ResearchTopic.all_objects.values_list("pk", "status", "version", "updated_at")),
        list(Finding.objects.values_list("pk", "updated_at")),
        list(GuidanceFeedback.objects.values_list("pk", "updated_at")),
    ]


def test_demo_research_and_feedback_load_once():
    call_command("load_demo", quiet=True)
    wired = ResearchTopic.objects.exists()  # once the loader runs this module itself
    expected = sum(1 + len(spec.findings) for spec in inspection_research.TOPICS)
    expected += 1 + len(inspection_research.FEEDBACK_POINTS)
    assert _load() == (0 if wired else expected)

    topics = ResearchTopic.objects.order_by("id")
    assert {t.unit.code for t in topics} == {"SD-LC", "SD-LC-DCF", "SD-LC-LQ"}
    assert {t.status for t in topics} == set(ResearchStatus.values)
    reported = topics.get(status=ResearchStatus.REPORTED)
    assert reported.report and reported.reported_at
    assert reported.findings.count() == 2
    assert {f.source for f in reported.findings.all()} == {Source.RESEARCH}
    assert not {t.lead.name for t in topics} & data.REAL_NAMES

    feedback = GuidanceFeedback.objects.get()
    assert feedback.group.name == data.GUIDANCE_GROUP["name"]
    assert feedback.unit.code == "SD-LC"
    assert feedback.recorded_by.username == "zhidaozu"
    points = feedback.points.all()
    assert points.count() == 3
    assert {p.source for p in points} == {Source.GUIDANCE_GROUP}

    before = _snapshot()
    assert _load() == 0
    assert _snapshot() == before
