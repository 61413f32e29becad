import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from rectify.campaigns.models import Campaign, GuidanceAssignment
from rectify.demo import data, study
from rectify.ledger.lights import Light
from rectify.ledger.models import (
    ExtensionRequest,
    ExtensionStatus,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    ProgressNote,
    Source,
    Urge,
)
from rectify.ledger.selectors import light_counts, measures_visible_to
from rectify.notify.models import Notification, NotificationKind
from rectify.org.models import GuidanceGroup, Person, Role, RoleGrant, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("RECTIFY_DEMO_PASSWORD", "demo-password")


@pytest.fixture
def campaign():
    call_command("load_demo", quiet=True)
    return Campaign.objects.get(slug=data.CAMPAIGN["slug"])


def _counts() -> dict[str, int]:
    measures = Measure.objects.all()
    return {
        "units": Unit.all_objects.count(),
        "people": Person.all_objects.count(),
        "users": get_user_model().objects.count(),
        "grants": RoleGrant.objects.count(),
        "guidance groups": GuidanceGroup.all_objects.count(),
        "guidance members": GuidanceGroup.members.through.objects.count(),
        "guidance assignments": GuidanceAssignment.objects.count(),
        "assigned units": GuidanceAssignment.units.through.objects.count(),
        "campaigns": Campaign.all_objects.count(),
        "problems": Problem.all_objects.count(),
        "measures": Measure.all_objects.count(),
        "notes": ProgressNote.objects.count(),
        "responsibilities": Measure.responsible_persons.through.objects.count(),
        "problem history": Problem.history.count(),
        "measure history": Measure.history.count(),
        "urges": Urge.objects.count(),
        "extension requests": ExtensionRequest.objects.count(),
        "notifications": Notification.objects.count(),
        **{f"light {k}": v for k, v in light_counts(measures).items()},
    }


def test_running_twice_duplicates_nothing(campaign):
    first = _counts()
    call_command("load_demo", quiet=True)
    assert _counts() == first


def test_ledger_is_large_enough_and_covers_every_category(campaign):
    problems = Problem.objects.filter(campaign=campaign)
    measures = Measure.objects.filter(campaign=campaign)
    assert problems.count() >= 40
    assert measures.count() >= 80
    assert set(problems.values_list("target__code", flat=True)) == {"T1", "T2", "T3", "T4", "T5"}
    assert set(problems.values_list("source", flat=True)) == set(Source.values)
    assert set(problems.values_list("level", flat=True)) == set(Level.values)
    assert set(measures.values_list("kind", flat=True)) == set(MeasureKind.values)
    assert set(measures.values_list("status", flat=True)) == set(MeasureStatus.values)
    assert all(light_counts(measures)[light] > 0 for light in Light.values)
    units = set(problems.values_list("unit__code", flat=True))
    assert {"SD-LC", "SD-LC-DCF", "SD-LC-LQ"} <= units
    assert ProgressNote.objects.filter(measure__campaign=campaign).exists()


def test_units_and_campaign_follow_the_reference_case(campaign):
    city = Unit.objects.get(code="SD-LC")
    assert city.parent.name == "山东省科学技术协会"
    counties = Unit.objects.filter(parent=city, kind="county")
    assert counties.count() == 8
    assert counties.filter(name="茌平区科学技术协会", short_name="茌平区科协").exists()
    assert campaign.general_requirement == "守初心、担使命，找差距、抓落实"
    assert campaign.targets.count() == 5 and campaign.phases.count() == 4
    assert campaign.start_date.isoformat() == "2019-09-16"
    assert list(campaign.participating_units.all()) == [city]


def test_history_records_the_admin_as_author(campaign):
    authors = set(Problem.history.values_list("history_user__username", flat=True))
    assert authors == {"admin"}
    assert not Measure.history.filter(history_user__isnull=True).exists()


def test_logins_hold_the_documented_roles(campaign):
    grants = {
        (g.user.username, g.role, g.unit.code)
        for g in RoleGrant.objects.select_related("user", "unit")
    }
    assert grants == {
        ("admin", Role.SYSTEM_ADMIN, "SD"),
        ("city", Role.UNIT_ADMIN, "SD-LC"),
        ("dongchangfu", Role.UNIT_ADMIN, "SD-LC-DCF"),
        ("linqing", Role.UNIT_ADMIN, "SD-LC-LQ"),
        ("leader", Role.LEADER, "SD-LC"),
    }
    users = get_user_model().objects.filter(username__in=[u for u, *_ in data.LOGINS])
    assert users.count() == len(data.LOGINS)
    for user in users:
        assert user.check_password("demo-password")
        assert Person.objects.filter(user=user).exists()
    assert users.get(username="admin").is_superuser


def test_zeren_answers_for_measures_in_several_units_without_a_role(campaign):
    zeren = get_user_model().objects.get(username="zeren")
    assert not zeren.role_grants.exists()
    person = zeren.person
    units = set(person.measures.values_list("unit__code", flat=True))
    assert len(units) >= 2 and {"SD-LC-DCF"} <= units
    # She sees exactly what she answers for, wherever it lives.
    visible = measures_visible_to(zeren)
    assert set(visible.values_list("pk", flat=True)) == set(
        person.measures.values_list("pk", flat=True)
    )


def test_real_people_never_answer_for_a_measure(campaign):
    # The real people in the demo are those the reference article names at the deployment
    # meeting: who presided, who spoke (the guidance group's leader among them). None has a
    # login, and none answers for, or is concerned by, a fictional problem.
    real = Person.objects.filter(name__in=data.REAL_NAMES)
    assert sorted(real.values_list("name", flat=True)) == sorted(
        [data.GUIDANCE_GROUP["leader"], study.PRESIDER["name"], study.SECRETARY["name"]]
    )
    assert not real.filter(user__isnull=False).exists()
    assert not Measure.objects.filter(responsible_persons__in=real).exists()
    assert not Problem.objects.filter(concerned_person__in=real).exists()
    assert not Measure.objects.filter(responsible_leader__in=real).exists()
    named = Person.objects.filter(measures__isnull=False).annotate(n=Count("measures"))
    assert not named.filter(name__in=data.REAL_NAMES).exists()
    assert not data.REAL_NAMES & set(data.PERSON_NAMES.values())


def test_password_is_reset_from_the_environment(campaign, monkeypatch):
    monkeypatch.setenv("RECTIFY_DEMO_PASSWORD", "another-password")
    call_command("load_demo", quiet=True)
    assert get_user_model().objects.get(username="city").check_password("another-password")


def test_an_existing_admin_login_is_tied_to_the_demo_person():
    get_user_model().objects.create_superuser(username="admin", password="x")
    call_command("load_demo", quiet=True)
    admin = get_user_model().objects.get(username="admin")
    assert admin.person.unit.code == "SD"
    assert admin.check_password("demo-password")


def test_zhidaozu_reads_the_city_subtree_as_a_guidance_group_member(campaign):
    from rectify.campaigns.selectors import guidance_supervises
    from rectify.org.scoping import CHANGE, scope_paths

    zhidaozu = get_user_model().objects.get(username="zhidaozu")
    assert not zhidaozu.role_grants.exists()
    group = GuidanceGroup.objects.get(name=data.GUIDANCE_GROUP["name"])
    assert group.home_unit.code == "SD-LC" and group.leader.name == "刘全来"
    assert group.members.count() == 2 and zhidaozu.person in group.members.all()
    assignment = group.assignments.get(campaign=campaign)
    assert list(assignment.units.values_list("code", flat=True)) == ["SD-LC"]
    city = Unit.objects.get(code="SD-LC")
    assert scope_paths(zhidaozu) == [city.path]
    assert scope_paths(zhidaozu, CHANGE) == []
    county = Unit.objects.get(code="SD-LC-DCF")
    assert guidance_supervises(zhidaozu, county, campaign)
    assert (
        measures_visible_to(zhidaozu).count() == Measure.objects.filter(campaign=campaign).count()
    )


def test_supervision_shows_in_the_lists_the_report_and_the_inboxes(campaign, client):
    users = get_user_model().objects.in_bulk(["zhidaozu", "leader", "zeren"], field_name="username")
    urged = Measure.objects.filter(campaign=campaign, urge_count__gt=0)
    # Only overdue measures are urged, the longest-overdue one twice, by the guidance group
    # and the city's leader; the counters match the urges.
    assert urged.count() == 6
    lights = measures_visible_to(users["leader"]).filter(pk__in=urged).values_list("light")
    assert set(lights) == {(Light.RED,)}
    assert sorted(urged.values_list("urge_count", flat=True)) == [1, 1, 1, 1, 1, 2]
    assert {u.by.username for u in Urge.objects.select_related("by")} == {"zhidaozu", "leader"}
    requests = {r.status: r for r in ExtensionRequest.objects.select_related("measure")}
    assert set(requests) == set(ExtensionStatus.values)
    approved = requests[ExtensionStatus.APPROVED].measure
    assert approved.deadline == requests[ExtensionStatus.APPROVED].new_deadline
    assert approved.original_deadline == requests[ExtensionStatus.APPROVED].old_deadline
    assert approved.extension_count == 1
    refused = requests[ExtensionStatus.REFUSED]
    assert refused.measure.deadline == refused.old_deadline
    # The leader decides (one request still waits); zeren hears of the decisions and of
    # the urge on her own overdue measure.
    assert (
        Notification.objects.filter(
            recipient=users["leader"], kind=NotificationKind.EXTENSION_REQUESTED
        ).count()
        == 3
    )
    assert set(
        Notification.objects.filter(recipient=users["zeren"]).values_list("kind", flat=True)
    ) == {NotificationKind.URGE, NotificationKind.EXTENSION_DECIDED}
    # The measure list's "urged" filter finds them.
    client.force_login(users["leader"])
    page = client.get("/ledger/measures/", {"urged": "true"})
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 6


def test_a_ledger_changed_since_an_earlier_load_still_loads(campaign):
    """A demo database from before the supervision stage, where a measure to be urged was
    completed meanwhile: the next load skips that urge instead of failing."""
    from rectify.demo import supervision

    Urge.objects.all().delete()
    ExtensionRequest.objects.all().delete()
    done = Measure.objects.get(campaign=campaign, content=supervision.URGES[0].measure)
    Measure.objects.filter(pk=done.pk).update(status=MeasureStatus.COMPLETED)
    call_command("load_demo", quiet=True)
    assert not Urge.objects.filter(measure=done).exists()
    assert Urge.objects.count() == len(supervision.URGES) - 2  # it was urged twice
    assert ExtensionRequest.objects.count() == len(supervision.EXTENSIONS)
