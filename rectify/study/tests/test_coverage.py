"""Coverage math: mixed ranks, nested units, a person who moved, sessions that do not count."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rectify.core.testing import make_person, make_unit, make_user
from rectify.org.models import Rank, Role
from rectify.org.services import person_update

from .. import services
from ..models import Attendance, AttendanceStatus
from ..selectors import coverage_of, uncovered_people
from ..services import Mark
from .conftest import new_meeting

pytestmark = pytest.mark.django_db


def _attend(meeting, admin, present=(), leave=(), absent=()):
    """Invite everyone named and mark them."""
    services.attendance_invite(
        meeting=meeting, persons=[*present, *leave, *absent], acting_user=admin
    )
    rows = {r.person_id: r for r in Attendance.objects.filter(meeting=meeting)}
    marks = [Mark(rows[p.pk].pk, AttendanceStatus.PRESENT) for p in present]
    marks += [Mark(rows[p.pk].pk, AttendanceStatus.LEAVE, "出差") for p in leave]
    marks += [Mark(rows[p.pk].pk, AttendanceStatus.ABSENT) for p in absent]
    services.attendance_mark(meeting=meeting, marks=marks, acting_user=admin)


@pytest.fixture
def scene(tree):
    """Who attended what. The city's county-level cadres must attend two sessions, others one.

    - city: leader (county level, 1 session of 2), staff (1 session: covered)
    - 东昌府区: chair (leadership member, general rank: 1 session, covered), staff (on leave:
      not covered), mover (attended in 临清 before moving here: covered)
    - its section: staff (present only at a deleted meeting and at a meeting that does not
      count: not covered)
    - 临清: staff (absent: not covered)
    """
    services.requirement_set(
        campaign=tree.campaign,
        default_sessions=1,
        sessions_by_rank={Rank.COUNTY_LEVEL_AND_ABOVE: 2},
        expected_version=None,
        acting_user=tree.admin,
    )
    p = {
        "city_leader": make_person(tree.city, "市领导", rank=Rank.COUNTY_LEVEL_AND_ABOVE),
        "city_staff": make_person(tree.city, "市干部"),
        "dcf_chair": make_person(tree.dcf, "区主席", is_leadership_member=True),
        "dcf_staff": make_person(tree.dcf, "区干部"),
        "mover": make_person(tree.lq, "调动者"),
        "section_staff": make_person(tree.section, "学会部干部"),
        "lq_staff": make_person(tree.lq, "临清干部"),
    }
    admin = tree.admin
    city_meeting = new_meeting(tree.campaign, tree.city, acting_user=admin, title="部署会")
    _attend(city_meeting, admin, present=[p["city_leader"], p["city_staff"]])
    lq_meeting = new_meeting(tree.campaign, tree.lq, acting_user=admin, title="临清学习")
    _attend(lq_meeting, admin, present=[p["mover"]], absent=[p["lq_staff"]])
    dcf_meeting = new_meeting(tree.campaign, tree.dcf, acting_user=admin, title="东昌府党课")
    _attend(dcf_meeting, admin, present=[p["dcf_chair"]], leave=[p["dcf_staff"]])
    deleted = new_meeting(tree.campaign, tree.section, acting_user=admin, title="已删除")
    _attend(deleted, admin, present=[p["section_staff"]])
    services.meeting_delete(meeting=deleted, acting_user=admin)
    working = new_meeting(
        tree.campaign, tree.section, acting_user=admin, title="工作例会", counts_for_coverage=False
    )
    _attend(working, admin, present=[p["section_staff"]])
    # The mover now works in 东昌府区: their session follows them.
    person_update(person=p["mover"], unit=tree.dcf, acting_user=admin)
    return p


def _figures(row):
    return (row.total, row.covered, row.key_total, row.key_covered)


def test_city_coverage_counts_each_child_subtree_and_the_total(tree, scene):
    coverage = coverage_of(tree.admin, tree.campaign, tree.city)
    rows = {row.unit.pk: row for row in coverage.rows}
    assert [row.unit for row in coverage.rows] == [tree.city, tree.dcf, tree.lq]
    assert coverage.rows[0].own
    assert _figures(rows[tree.city.pk]) == (2, 1, 1, 0)
    assert _figures(rows[tree.dcf.pk]) == (4, 2, 1, 1)
    assert _figures(rows[tree.lq.pk]) == (1, 0, 0, 0)
    assert _figures(coverage.total) == (7, 3, 2, 1)
    assert coverage.total.percent == "42.9%"
    assert coverage.total.key_percent == "50.0%"
    assert rows[tree.lq.pk].key_percent == "—"


def test_drilling_down_splits_a_subtree_into_its_own_people_and_children(tree, scene):
    coverage = coverage_of(tree.admin, tree.campaign, tree.dcf)
    assert [(row.unit, _figures(row)) for row in coverage.rows] == [
        (tree.dcf, (3, 2, 1, 1)),
        (tree.section, (1, 0, 0, 0)),
    ]


def test_uncovered_people_are_listed_with_their_sessions(tree, scene):
    coverage = coverage_of(tree.admin, tree.campaign, tree.city)
    listed = [(p.name, p.sessions, p.required) for p in uncovered_people(coverage)]
    assert sorted(listed) == sorted(
        [("市领导", 1, 2), ("区干部", 0, 1), ("学会部干部", 0, 1), ("临清干部", 0, 1)]
    )
    assert len(listed) == coverage.total.uncovered
    key = [p.name for p in uncovered_people(coverage, key_only=True)]
    assert key == ["市领导"]


def test_a_second_session_covers_a_county_level_cadre(tree, scene):
    again = new_meeting(tree.campaign, tree.city, acting_user=tree.admin, title="集中学习二")
    _attend(again, tree.admin, present=[scene["city_leader"]])
    coverage = coverage_of(tree.admin, tree.campaign, tree.city)
    assert _figures(coverage.rows[0]) == (2, 2, 1, 1)


def test_restoring_a_meeting_counts_its_attendance_again(tree, scene):
    from ..models import Meeting

    deleted = Meeting.all_objects.get(title="已删除")
    services.meeting_restore(meeting=deleted, acting_user=tree.admin)
    coverage = coverage_of(tree.admin, tree.campaign, tree.dcf)
    assert _figures(coverage.rows[1]) == (1, 1, 0, 0)


def test_sessions_of_another_campaign_do_not_count(tree, scene):
    from rectify.core.testing import make_campaign

    other = make_campaign(tree.city, acting_user=tree.admin)
    meeting = new_meeting(other, tree.lq, acting_user=tree.admin)
    _attend(meeting, tree.admin, present=[scene["lq_staff"]])
    coverage = coverage_of(tree.admin, tree.campaign, tree.lq)
    assert _figures(coverage.rows[0]) == (1, 0, 0, 0)
    assert _figures(coverage_of(tree.admin, other, tree.lq).rows[0]) == (1, 1, 0, 0)


def test_coverage_queries_do_not_grow_with_the_children(tree, scene):
    def count():
        with CaptureQueriesContext(connection) as captured:
            coverage = coverage_of(tree.admin, tree.campaign, tree.city)
        return len(captured), len(coverage.rows)

    before, rows_before = count()
    for i in range(5):
        child = make_unit(f"新县{i}", parent=tree.city)
        make_person(child)
    after, rows_after = count()
    assert rows_after == rows_before + 5
    assert after == before <= 4


def test_another_countys_admin_cannot_see_this_countys_coverage(tree, scene):
    lq_admin = make_user(tree.lq, Role.UNIT_ADMIN)
    with pytest.raises(PermissionDenied):
        coverage_of(lq_admin, tree.campaign, tree.dcf)
    own = coverage_of(lq_admin, tree.campaign, tree.lq)
    assert _figures(own.total) == (2, 0, 0, 0)  # 临清's staff and the admin's own person
