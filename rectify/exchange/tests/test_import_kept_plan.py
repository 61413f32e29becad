"""The plan made at "Import" is the one the job writes; the fast paths read what they did.

The page plans the file when the user clicks "Import"; the job writes that
plan (kept beside the upload) instead of reading the file again. These tests
pin that the kept plan is the page's plan, field for field; that the job
writes it without the file; that a plan it cannot read back or one that
could not import is planned again; and that the column-wise reading of the
planner gives each cell the value the cell-by-cell reading gave.
"""

import datetime as dt
import gc
import marshal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rectify.core.spreadsheets import Row, Spreadsheet
from rectify.exchange.importer import Options
from rectify.exchange.importer.jobs import (
    import_job_create,
    import_job_plan,
    import_job_run,
    import_job_start,
)
from rectify.exchange.importer.memory import collector_paused
from rectify.exchange.importer.plan import MEASURE_KEYS, PROBLEM_KEYS, _each, _Table
from rectify.exchange.importer.stored import dump_plan, load_plan
from rectify.exchange.models import Job, JobStatus
from rectify.ledger.models import Measure, Problem
from rectify.org.models import Person

from .builders import plan, workbook
from .test_import_tolerance import EXPECTED, MERGES, MESSY, _landed

pytestmark = pytest.mark.usefixtures("english")


def _job(world, tmp_path, rows=MESSY, merges=MERGES) -> Job:
    path = workbook(tmp_path / "台账.xlsx", rows, merges=merges)
    upload = SimpleUploadedFile("台账.xlsx", path.read_bytes())
    return import_job_create(
        user=world.admin_a, campaign=world.campaign, unit=world.a, upload=upload
    )


def _messy_plan(world, tmp_path):
    """The page's plan of the messy workbook, for county A's administrator."""
    workbook_path = workbook(tmp_path / "台账.xlsx", MESSY, merges=MERGES)
    return plan(workbook_path, campaign=world.campaign, unit=world.a, user=world.admin_a)


def test_the_kept_plan_is_the_page_plan_field_for_field(world, tmp_path):
    found = _messy_plan(world, tmp_path)
    kept = load_plan(dump_plan(found))
    assert kept.problems == found.problems
    assert [m.deadline for p in kept.problems for m in p.measures] == [
        dt.date(2019, 12, 31),
        dt.date(2019, 12, 31),
        dt.date(2019, 12, 31),
        None,
        dt.date(2019, 12, 31),
        dt.date(2019, 12, 31),
    ]
    # The people decisions; the pickers' choices are the page's alone.
    decided = [(q.name, q.decision, q.rows, q.unit_id) for q in found.questions]
    assert [(q.name, q.decision, q.rows, q.unit_id) for q in kept.questions] == decided
    assert decided == [("王强", f"new:{world.a.pk}", [10], world.a.pk)]
    assert (kept.persons, kept.columns, kept.data_rows) == (
        found.persons,
        found.columns,
        found.data_rows,
    )
    assert kept.blocking == found.blocking
    assert kept.can_import == found.can_import


def test_the_job_writes_the_plan_kept_at_import_without_the_file(world, tmp_path):
    job = _job(world, tmp_path)
    options = Options()
    assert import_job_plan(job, options).can_import
    import_job_start(job, options)
    kept = job.params["plan"]
    assert job.source.storage.exists(kept)
    # The job never reads the upload again: a damaged upload changes nothing.
    with job.source.open("wb") as upload:
        upload.write(b"not a spreadsheet")
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert _landed() == EXPECTED
    assert job.result["measures_created"] == 6
    # The kept plan is gone once written.
    assert not job.source.storage.exists(kept)
    assert "plan" not in job.params


def test_a_kept_plan_of_another_version_is_planned_again(world, tmp_path):
    job = _job(world, tmp_path)
    options = Options()
    import_job_plan(job, options)
    import_job_start(job, options)
    with job.source.storage.open(job.params["plan"], "wb") as kept:
        kept.write(b'{"version": 0}')
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert _landed() == EXPECTED


def test_a_damaged_kept_plan_is_not_read(world, tmp_path):
    found = _messy_plan(world, tmp_path)
    kept = dump_plan(found)
    assert load_plan(kept[: len(kept) // 2]) is None
    assert load_plan(b"") is None
    # Read back but not of the shape kept: a column one value short, a value not plain data.
    data = marshal.loads(kept)
    data["measures"]["content"].pop()
    assert load_plan(marshal.dumps(data)) is None
    data = marshal.loads(kept)
    data["measures"]["content"][0] = (lambda: None).__code__
    assert load_plan(marshal.dumps(data)) is None
    assert load_plan(kept).problems == found.problems


def test_a_plan_that_cannot_import_is_not_kept_and_the_job_writes_nothing(world, tmp_path):
    rows = [["问题描述", "整改措施", "责任人", "完成时限"], ["问题一", "措施一", "李明", "下个月"]]
    job = _job(world, tmp_path, rows=rows, merges=())
    options = Options(default_target=world.targets["T1"].pk)
    assert not import_job_plan(job, options).can_import
    import_job_start(job, options)
    assert "plan" not in job.params
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert [(i["row"], i["value"]) for i in job.result["issues"]] == [(2, "下个月")]
    assert Problem.objects.count() == 0


def test_a_kept_plan_whose_person_is_gone_by_the_run_writes_nothing(world, tmp_path):
    job = _job(world, tmp_path)
    options = Options()
    import_job_plan(job, options)
    import_job_start(job, options)
    # Between the click and the run, someone the plan names goes (the rules are checked again).
    Person.objects.filter(name="张强").delete()
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert (Problem.objects.count(), Measure.objects.count()) == (0, 0)


def test_options_changed_after_the_plan_are_planned_again(world, tmp_path):
    job = _job(world, tmp_path)
    import_job_plan(job, Options())
    import_job_start(job, Options(default_target=world.targets["T2"].pk))
    assert "plan" not in job.params
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert _landed() == EXPECTED


def test_a_column_is_read_once_per_value_and_true_is_not_one():
    reads = []

    def read(value):
        reads.append(value)
        return f"<{value!r}>"

    assert _each(["a", "b", "a", "a"], read) == ["<'a'>", "<'b'>", "<'a'>", "<'a'>"]
    assert sorted(reads) == ["a", "b"]
    # 1 == 1.0 == True share a set entry; each cell keeps its own reading.
    assert _each([True, 1, 1.0, False, 0], repr) == ["True", "1", "1.0", "False", "0"]


def test_the_column_table_reads_cells_as_the_rows_hold_them():
    rows = [
        Row(1, ["  问题一 ", "措施\r\n一", 43830.0, True]),
        Row(2, ["问题二"]),  # a short row (CSV): its missing cells are blank
    ]
    columns = {"description": 0, "content": 1, "deadline": 2, "status": 3}
    table = _Table(rows, columns)
    assert table.texts["description"] == ["问题一", "问题二"]
    assert table.texts["content"] == ["措施\n一", ""]
    assert table.texts["deadline"] == ["43830", ""]
    assert table.texts["status"] == ["yes", ""]
    assert table.raws["deadline"] == [43830.0, ""]
    assert table.texts["progress"] == ["", ""]  # not mapped
    assert table.given(0, MEASURE_KEYS) == {"content", "deadline", "status"}
    assert table.given(1, MEASURE_KEYS) == set()
    assert table.given(1, PROBLEM_KEYS) == {"description"}


def test_rows_under_changing_merges_read_each_merge_where_it_lies(tmp_path):
    rows = [
        ["a1", "b1", "c1", "d1"],
        ["a2", "b2", "c2", "d2"],
        [None, None, "c3", "d3"],
        [None, None, None, "d4"],
        ["a5", "b5", None, None],
    ]
    path = workbook(tmp_path / "merged.xlsx", rows, merges=["A2:A4", "B2:B3", "C3:C4", "B5:D5"])
    with Spreadsheet(path, "xlsx") as book:
        read = list(book.rows())
    assert [row.cells for row in read] == [
        ["a1", "b1", "c1", "d1"],
        ["a2", "b2", "c2", "d2"],
        ["a2", "b2", "c3", "d3"],
        ["a2", "", "c3", "d4"],
        ["a5", "b5", "b5", "b5"],
    ]
    spans = [
        {column: (m.top, m.left, m.bottom, m.right) for column, m in row.merges.items()}
        for row in read
    ]
    assert spans == [
        {},
        {0: (1, 0, 3, 0), 1: (1, 1, 2, 1)},
        {0: (1, 0, 3, 0), 1: (1, 1, 2, 1), 2: (2, 2, 3, 2)},
        {0: (1, 0, 3, 0), 2: (2, 2, 3, 2)},
        {1: (4, 1, 4, 3), 2: (4, 1, 4, 3), 3: (4, 1, 4, 3)},
    ]
    assert read[1].merges[0] is read[3].merges[0]  # one range, the same object on every row


def test_the_collector_is_paused_for_the_work_and_back_after():
    seen = []
    work = collector_paused(lambda: seen.append(gc.isenabled()))
    assert gc.isenabled()
    work()
    assert (seen, gc.isenabled()) == ([False], True)
    gc.disable()
    try:
        work()
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
