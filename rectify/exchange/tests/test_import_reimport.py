"""Re-importing an exported file updates by its hidden ids; forged ids never reach others' data."""

import datetime as dt

import pytest

from rectify.core.testing import make_campaign, make_measure, make_problem
from rectify.exchange.columns import ID_HEADER
from rectify.exchange.importer import ImportFailed, import_plan, import_reason
from rectify.ledger.models import Measure, MeasureStatus, Problem
from rectify.ledger.services import problem_delete
from rectify.org.models import Person

from .builders import plan, run, workbook

pytestmark = pytest.mark.usefixtures("english")

HEADER = ["问题类别", "问题描述", "整改措施", "责任人", "完成时限", "状态", ID_HEADER]


@pytest.fixture
def existing(world):
    """A problem of county A with one measure, as if exported earlier."""
    problem = make_problem(
        world.campaign,
        world.a,
        description="学习不深入",
        found_on=dt.date(2019, 9, 1),
        acting_user=world.admin_a,
    )
    measure = make_measure(
        problem,
        content="制定计划",
        persons=[world.people["李明"]],
        deadline=dt.date(2019, 12, 31),
        acting_user=world.admin_a,
    )
    return problem, measure


def _snapshot(obj):
    obj.refresh_from_db()
    return (obj.version, obj.history.count(), obj.deleted_at)


def test_reimport_updates_by_id_instead_of_duplicating(world, tmp_path, existing):
    problem, measure = existing
    rows = [
        HEADER,
        ["T1", "学习不深入", "制定并落实学习计划", "李明、张强", "2020-01-31", "整改中",
         f"P{problem.pk}-M{measure.pk}"],
    ]  # fmt: skip
    path = workbook(tmp_path / "导出.xlsx", rows)
    _found, outcome = run(path, campaign=world.campaign, unit=world.a, user=world.admin_a)
    assert (outcome.problems_created, outcome.measures_created) == (0, 0)
    assert outcome.measures_updated == 1
    assert (Problem.objects.count(), Measure.objects.count()) == (1, 1)
    measure.refresh_from_db()
    assert measure.content == "制定并落实学习计划"
    assert measure.deadline == dt.date(2020, 1, 31)
    assert measure.status == MeasureStatus.IN_PROGRESS
    assert sorted(p.name for p in measure.responsible_persons.all()) == ["张强", "李明"]
    latest = measure.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == import_reason("导出.xlsx")
    assert latest.history_user == world.admin_a


def test_reimport_of_an_unchanged_file_writes_nothing(world, tmp_path, existing):
    problem, measure = existing
    rows = [
        HEADER,
        ["T1", "学习不深入", "制定计划", "李明", "2019-12-31", "未开始",
         f"P{problem.pk}-M{measure.pk}"],
    ]  # fmt: skip
    before = (_snapshot(problem), _snapshot(measure))
    _found, outcome = run(
        workbook(tmp_path / "导出.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert outcome.unchanged == 2
    assert (_snapshot(problem), _snapshot(measure)) == before


def test_a_new_row_under_an_exported_problem_adds_a_measure(world, tmp_path, existing):
    problem, measure = existing
    rows = [
        HEADER,
        [
            "T1",
            "学习不深入",
            "制定计划",
            "李明",
            "2019-12-31",
            "未开始",
            f"P{problem.pk}-M{measure.pk}",
        ],
        ["T1", "学习不深入", "开展研讨", "张强", "2019-12-31", "未开始", f"P{problem.pk}"],
    ]
    run(
        workbook(tmp_path / "导出.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert list(problem.measures.order_by("pk").values_list("content", flat=True)) == [
        "制定计划",
        "开展研讨",
    ]


def test_forged_ids_of_another_county_never_touch_its_objects(world, tmp_path):
    theirs = make_problem(
        world.campaign, world.b, description="他人的问题", found_on=dt.date(2019, 9, 1)
    )
    their_measure = make_measure(
        theirs, content="他人的措施", persons=[world.people["刘芳"]], deadline=dt.date(2019, 12, 31)
    )
    before = (_snapshot(theirs), _snapshot(their_measure))
    rows = [
        HEADER,
        [
            "T1",
            "篡改",
            "篡改的措施",
            "李明",
            "2019-12-31",
            "已完成",
            f"P{theirs.pk}-M{their_measure.pk}",
        ],
    ]
    found, outcome = run(
        workbook(tmp_path / "伪造.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert (_snapshot(theirs), _snapshot(their_measure)) == before
    assert theirs.description == "他人的问题"
    assert their_measure.content == "他人的措施"
    # The row landed as a new problem of the importer's own county, and the page said why.
    assert outcome.problems_created == 1
    assert Problem.objects.get(description="篡改").unit == world.a
    assert [(i.row, i.column, i.blocking) for i in found.issues] == [(2, "G · rectify-id", False)]


def test_forged_measure_id_under_own_problem_is_ignored(world, tmp_path, existing):
    problem, _measure = existing
    theirs = make_problem(world.campaign, world.b, found_on=dt.date(2019, 9, 1))
    their_measure = make_measure(theirs, persons=[world.people["刘芳"]])
    before = _snapshot(their_measure)
    rows = [
        HEADER,
        ["T1", "学习不深入", "新措施", "李明", "2019-12-31", "未开始",
         f"P{problem.pk}-M{their_measure.pk}"],
    ]  # fmt: skip
    run(
        workbook(tmp_path / "伪造.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert _snapshot(their_measure) == before
    assert problem.measures.filter(content="新措施").exists()


def test_ids_of_another_campaign_or_a_deleted_problem_become_new_rows(world, tmp_path, existing):
    other = make_campaign(world.a, start_date=dt.date(2019, 1, 1), acting_user=world.sysadmin)
    elsewhere = make_problem(other, world.a, found_on=dt.date(2019, 1, 2))
    deleted = make_problem(world.campaign, world.a, found_on=dt.date(2019, 9, 1))
    problem_delete(problem=deleted, acting_user=world.admin_a)
    rows = [
        HEADER,
        ["T1", "问题甲", "措施甲", "李明", "2019-12-31", "未开始", f"P{elsewhere.pk}"],
        ["T1", "问题乙", "措施乙", "李明", "2019-12-31", "未开始", f"P{deleted.pk}"],
    ]
    before = (_snapshot(elsewhere), _snapshot(deleted))
    _found, outcome = run(
        workbook(tmp_path / "x.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert outcome.problems_created == 2
    assert (_snapshot(elsewhere), _snapshot(deleted)) == before


def test_ids_imported_into_a_campaign_without_problems_are_noted_and_land_as_new(
    world, tmp_path, existing
):
    problem, measure = existing
    other = make_campaign(world.a, start_date=dt.date(2019, 1, 1), acting_user=world.sysadmin)
    rows = [
        ["问题描述", "整改措施", "责任人", "完成时限", ID_HEADER],
        ["问题甲", "措施甲", "李明", "2019-12-31", f"P{problem.pk}-M{measure.pk}"],
        ["问题乙", "措施乙", "李明", "2019-12-31", "不是编号"],
        ["问题丙", "措施丙", "李明", "2019-12-31", None],
    ]
    found, outcome = run(
        workbook(tmp_path / "x.xlsx", rows),
        campaign=other,
        unit=world.a,
        user=world.admin_a,
        default_target=other.targets.first().pk,
    )
    assert [(i.row, i.column, i.blocking) for i in found.issues] == [
        (2, "E · rectify-id", False),
        (3, "E · rectify-id", False),
    ]
    assert (outcome.problems_created, outcome.measures_created) == (3, 3)
    assert Problem.objects.filter(campaign=world.campaign).count() == 1


def test_a_signed_off_measure_is_not_reopened_by_an_import(world, tmp_path, existing):
    problem, measure = existing
    Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.SIGNED_OFF)
    rows = [
        HEADER,
        [
            "T1",
            "学习不深入",
            "制定计划",
            "李明",
            "2019-12-31",
            "整改中",
            f"P{problem.pk}-M{measure.pk}",
        ],
    ]
    run(
        workbook(tmp_path / "x.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SIGNED_OFF


def test_a_failure_while_writing_leaves_nothing_behind(world, tmp_path):
    """All rows or none: the plan was fine, then a person vanished before the write."""
    rows = [
        ["问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
        ["T1", "问题一", "措施一", "新来的", "2019-12-31"],
        ["T1", "问题二", "措施二", "李明", "2019-12-31"],
    ]
    found = plan(
        workbook(tmp_path / "x.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert found.can_import
    Person.objects.filter(name="李明").update(deleted_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ImportFailed) as caught:
        import_plan(
            found, campaign=world.campaign, acting_user=world.admin_a, reason=import_reason("x")
        )
    assert [i.row for i in caught.value.issues] == [3]
    assert (Problem.all_objects.count(), Measure.all_objects.count()) == (0, 0)
    assert not Person.all_objects.filter(name="新来的").exists()
