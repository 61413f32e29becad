import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rectify.core.services import StaleEditError
from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.filters import NOT_SIGNED_OFF, MeasureFilter, ProblemFilter
from rectify.ledger.lights import Light
from rectify.ledger.models import Measure, MeasureKind, MeasureStatus, Problem, ProblemStatus
from rectify.ledger.selectors import (
    history_of,
    light_counts,
    measures_visible_to,
    problems_visible_to,
)
from rectify.ledger.services import (
    measure_create,
    measure_delete,
    measure_set_status,
    measure_update,
    problem_create,
    progress_record,
)
from rectify.org.models import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    city = make_unit("市科协")
    county_a = make_unit("东昌府区科协", parent=city)
    county_b = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city)
    admin_a = make_user(county_a, Role.UNIT_ADMIN)
    return {"city": city, "a": county_a, "b": county_b, "campaign": campaign, "admin_a": admin_a}


def test_lights_follow_deadline_status_and_kind(world):
    p = make_problem(world["campaign"], world["a"])
    m_red = make_measure(p, deadline=TODAY - dt.timedelta(days=1))
    m_yellow = make_measure(p, deadline=TODAY + dt.timedelta(days=7))
    m_green = make_measure(p, deadline=TODAY + dt.timedelta(days=8))
    m_done = make_measure(p, deadline=TODAY - dt.timedelta(days=3), status=MeasureStatus.COMPLETED)
    m_grey = make_measure(p, kind=MeasureKind.LONG_TERM, deadline=None)
    lights = dict(measures_visible_to(world["admin_a"]).values_list("pk", "light"))
    assert lights == {
        m_red.pk: Light.RED,
        m_yellow.pk: Light.YELLOW,
        m_green.pk: Light.GREEN,
        m_done.pk: Light.GREEN,
        m_grey.pk: Light.GREY,
    }
    counts = light_counts(Measure.objects.filter(problem=p))
    assert counts == {"red": 1, "yellow": 1, "green": 2, "grey": 1}


def test_warning_window_is_per_campaign(world):
    world["campaign"].warning_days = 3
    world["campaign"].save()
    p = make_problem(world["campaign"], world["a"])
    m = make_measure(p, deadline=TODAY + dt.timedelta(days=5))
    assert measures_visible_to(world["admin_a"]).get(pk=m.pk).light == Light.GREEN


@pytest.mark.parametrize("windows", [(3, 10), (10, 10)])
def test_each_campaign_warns_with_its_own_window_in_lists_filters_and_counts(world, windows):
    """Mixed windows: each row's campaign sets its yellow edge. One window for all: the
    edge is one date, with the same lights."""
    world["campaign"].warning_days = windows[0]
    world["campaign"].save()
    other = make_campaign(world["city"], world["a"], warning_days=windows[1])
    due = TODAY + dt.timedelta(days=5)
    m_first = make_measure(make_problem(world["campaign"], world["a"]), deadline=due)
    m_other = make_measure(make_problem(other, world["a"]), deadline=due)
    expected = {
        m_first.pk: Light.YELLOW if windows[0] >= 5 else Light.GREEN,
        m_other.pk: Light.YELLOW,
    }
    listed = measures_visible_to(world["admin_a"])
    assert dict(listed.values_list("pk", "light")) == expected
    for light in (Light.YELLOW, Light.GREEN):
        filtered = MeasureFilter({"light": light}, queryset=listed).qs
        assert {m.pk for m in filtered} == {pk for pk, lit in expected.items() if lit == light}
    counts = light_counts(Measure.objects.filter(pk__in=expected))
    capped = light_counts(Measure.objects.filter(pk__in=expected), cap=10)
    yellow = sum(lit == Light.YELLOW for lit in expected.values())
    assert counts == capped == {"red": 0, "yellow": yellow, "green": 2 - yellow, "grey": 0}


def test_stale_edit_is_refused_and_first_survives(world):
    p = make_problem(world["campaign"], world["a"])
    m = make_measure(p, acting_user=world["admin_a"])
    first = Measure.objects.get(pk=m.pk)
    second = Measure.objects.get(pk=m.pk)
    before = m.history.count()
    measure_update(
        measure=first,
        expected_version=first.version,
        acting_user=world["admin_a"],
        content="第一次修改",
    )
    with pytest.raises(StaleEditError):
        measure_update(
            measure=second,
            expected_version=second.version,
            acting_user=world["admin_a"],
            content="第二次修改",
        )
    m.refresh_from_db()
    assert m.content == "第一次修改"
    assert m.history.count() == before + 1
    changes = history_of(m)[0]["changes"]
    assert [(str(c["field"]), c["old"], c["new"]) for c in changes] == [
        (
            str(Measure._meta.get_field("content").verbose_name),
            m.history.earliest().content,
            "第一次修改",
        )
    ]


def test_problem_status_is_derived_from_measures(world):
    p = make_problem(world["campaign"], world["a"])
    assert (
        problems_visible_to(world["admin_a"]).get(pk=p.pk).derived_status
        == ProblemStatus.NO_MEASURE
    )
    m1 = make_measure(p)
    m2 = make_measure(p)
    assert (
        problems_visible_to(world["admin_a"]).get(pk=p.pk).derived_status
        == ProblemStatus.IN_PROGRESS
    )
    # Only a system administrator may set "signed off" directly (outside the workflow).
    admin = make_admin()
    measure_set_status(
        measure=m1, status=MeasureStatus.SIGNED_OFF, expected_version=m1.version, acting_user=admin
    )
    measure_set_status(
        measure=m2, status=MeasureStatus.COMPLETED, expected_version=m2.version, acting_user=admin
    )
    assert problems_visible_to(admin).get(pk=p.pk).derived_status == ProblemStatus.COMPLETED
    m2.refresh_from_db()
    measure_set_status(
        measure=m2, status=MeasureStatus.SIGNED_OFF, expected_version=m2.version, acting_user=admin
    )
    assert problems_visible_to(admin).get(pk=p.pk).derived_status == ProblemStatus.SIGNED_OFF


def test_the_problem_status_filter_finds_exactly_the_problems_of_each_derived_status(world):
    """The list's status filter (conditions on live measures) agrees with the status shown
    (derived from counts), deleted measures ignored by both."""
    admin = make_admin()
    statuses = {
        "none": [],
        "deleted only": [MeasureStatus.SIGNED_OFF],
        "open": [MeasureStatus.NOT_STARTED, MeasureStatus.SIGNED_OFF],
        "started": [MeasureStatus.IN_PROGRESS],
        "done": [MeasureStatus.COMPLETED, MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF],
        "signed": [MeasureStatus.SIGNED_OFF, MeasureStatus.SIGNED_OFF],
        "signed, one open deleted": [MeasureStatus.SIGNED_OFF, MeasureStatus.NOT_STARTED],
    }
    problems = {}
    for label, measure_statuses in statuses.items():
        problem = make_problem(world["campaign"], world["a"], description=label)
        for status in measure_statuses:
            Measure.objects.filter(pk=make_measure(problem).pk).update(status=status)
        problems[label] = problem.pk
    for label in ("deleted only", "signed, one open deleted"):
        last = Measure.objects.filter(problem_id=problems[label]).latest("pk")
        measure_delete(measure=last, acting_user=admin)
    listed = problems_visible_to(admin).filter(pk__in=problems.values())
    shown = dict(listed.values_list("description", "derived_status"))
    assert shown == {
        "none": ProblemStatus.NO_MEASURE,
        "deleted only": ProblemStatus.NO_MEASURE,
        "open": ProblemStatus.IN_PROGRESS,
        "started": ProblemStatus.IN_PROGRESS,
        "done": ProblemStatus.COMPLETED,
        "signed": ProblemStatus.SIGNED_OFF,
        "signed, one open deleted": ProblemStatus.SIGNED_OFF,
    }
    for status in [*ProblemStatus.values, NOT_SIGNED_OFF]:
        found = ProblemFilter({"status": status}, queryset=listed).qs
        expected = {d for d, s in shown.items() if s == status or (
            status == NOT_SIGNED_OFF and s != ProblemStatus.SIGNED_OFF)}  # fmt: skip
        assert {p.description for p in found} == expected, status


def test_bad_measures_are_refused_and_nothing_saved(world):
    p = make_problem(world["campaign"], world["a"], found_on=TODAY - dt.timedelta(days=5))
    person = make_person(world["a"])
    cases = [
        (
            {"kind": MeasureKind.DEADLINE, "deadline": None, "responsible_persons": [person]},
            "deadline",
        ),
        ({"deadline": TODAY - dt.timedelta(days=6), "responsible_persons": [person]}, "deadline"),
        ({"deadline": TODAY, "responsible_persons": []}, "responsible_persons"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            measure_create(problem=p, content="x", acting_user=world["admin_a"], **kwargs)
        assert field in exc.value.message_dict
    assert Measure.all_objects.count() == 0


def test_problem_target_and_unit_must_fit_the_campaign(world):
    other = make_campaign(world["city"])
    outside = make_unit("外单位")
    with pytest.raises(ValidationError) as exc:
        problem_create(
            campaign=world["campaign"],
            unit=world["a"],
            target=other.targets.first(),
            description="x",
            acting_user=world["admin_a"],
        )
    assert "target" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        from rectify.core.testing import make_admin

        problem_create(
            campaign=world["campaign"],
            unit=outside,
            target=world["campaign"].targets.first(),
            description="x",
            acting_user=make_admin(),
        )
    assert "unit" in exc.value.message_dict
    assert Problem.all_objects.count() == 0


def test_county_admin_cannot_write_other_county(world):
    with pytest.raises(PermissionDenied):
        make_problem(world["campaign"], world["b"], acting_user=world["admin_a"])


def test_progress_with_evidence_starts_the_work(world):
    p = make_problem(world["campaign"], world["a"])
    zeren = make_user(world["b"])
    m = make_measure(p, persons=[zeren.person])
    note = progress_record(
        measure=m,
        text="已召开专题会",
        acting_user=zeren,
        files=[SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
    )
    m.refresh_from_db()
    assert m.status == MeasureStatus.IN_PROGRESS
    assert note.evidence.get().original_name == "纪要.pdf"


def test_evidence_of_forbidden_type_or_size_is_refused(world, settings):
    settings.RECTIFY_EVIDENCE_MAX_BYTES = 10
    p = make_problem(world["campaign"], world["a"])
    m = make_measure(p)
    for upload in (SimpleUploadedFile("a.exe", b"MZ"), SimpleUploadedFile("a.pdf", b"x" * 11)):
        with pytest.raises(ValidationError) as exc:
            progress_record(measure=m, text="x", acting_user=world["admin_a"], files=[upload])
        assert "files" in exc.value.message_dict
    assert m.progress_notes.count() == 0


def test_evidence_content_type_comes_from_the_extension_not_the_browser(world):
    p = make_problem(world["campaign"], world["a"])
    m = make_measure(p)
    upload = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="text/html")
    note = progress_record(measure=m, text="x", acting_user=world["admin_a"], files=[upload])
    assert note.evidence.get().content_type == "image/png"
