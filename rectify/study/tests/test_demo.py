"""The demo's study stage: the reference meeting as REFERENCE.md states it, and partial coverage."""

import pytest

from rectify.campaigns.models import Campaign
from rectify.demo import data
from rectify.demo import study as demo_study
from rectify.demo.loader import load_demo
from rectify.org.models import GuidanceGroup, Person, Unit

from ..models import Attendance, AttendanceStatus, Meeting
from ..selectors import coverage_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    result = load_demo(password="demo-password")
    campaign = Campaign.objects.get(slug=data.CAMPAIGN["slug"])
    units = {unit.code: unit for unit in Unit.objects.all()}
    people = {
        spec.key: Person.objects.get(unit=units[spec.unit], name=data.PERSON_NAMES[spec.key])
        for spec in data.PEOPLE
    }
    admin = Person.objects.get(name=data.PERSON_NAMES["sd.admin"]).user
    args = {
        "campaign": campaign,
        "units": units,
        "people": people,
        "targets": {t.code: t for t in campaign.targets.all()},
        "admin": admin,
    }
    return args, result.created["study"]


def test_the_deployment_meeting_is_the_reference_meeting(demo):
    _args, created = demo
    assert created == 1 + len(demo_study.SESSIONS)
    meeting = Meeting.objects.get(title=demo_study.DEPLOYMENT_TITLE)
    assert meeting.unit.code == "SD-LC"
    assert meeting.starts_at.date().isoformat() == "2019-09-16"
    assert (meeting.presider.name, meeting.presider.position) == (
        "潘云霞",
        "市科协党组成员、副主席",
    )
    assert {p.name for p in meeting.speakers.all()} == {"王延飞", "刘全来"}
    attended = Attendance.objects.filter(meeting=meeting)
    assert set(attended.values_list("status", flat=True)) == {AttendanceStatus.PRESENT}
    codes = set(attended.values_list("person__unit__code", flat=True))
    assert codes == set(demo_study.ASSOCIATION_UNITS)  # offices and affiliated units, no county
    group = GuidanceGroup.objects.get(name=data.GUIDANCE_GROUP["name"])
    guides = {group.leader_id, *group.members.values_list("pk", flat=True)}
    assert guides <= set(attended.values_list("person_id", flat=True))


def test_real_names_appear_only_in_the_reference_meeting(demo):
    real = Person.objects.filter(name__in=data.REAL_NAMES)
    assert set(real.values_list("name", flat=True)) == {"潘云霞", "王延飞", "刘全来"}
    later = Meeting.objects.exclude(title=demo_study.DEPLOYMENT_TITLE)
    assert not Attendance.objects.filter(meeting__in=later, person__in=real).exists()
    assert not later.filter(presider__in=real).exists()
    assert not real.filter(measures__isnull=False).exists()


def test_loading_again_adds_nothing_and_coverage_is_partial(demo):
    args, _created = demo
    before = Attendance.objects.count()
    assert demo_study.load(**args) == 0
    assert Attendance.objects.count() == before
    coverage = coverage_of(args["admin"], args["campaign"], args["units"]["SD-LC"])
    assert 0 < coverage.total.covered < coverage.total.total
    assert 0 < coverage.total.key_covered < coverage.total.key_total
    rows = {row.unit.code: row for row in coverage.rows}
    assert rows["SD-LC-DCF"].covered == 3 and rows["SD-LC-DCF"].total == 4
    assert rows["SD-LC-GT"].covered == 0
