"""The import's fast write path records exactly what the ORM and django-simple-history would.

The bulk service writes rows as plain tuples (``ledger_bulk_create`` →
``_write_ledger``) instead of model instances: these tests hold it to what
simple-history itself writes for the same objects, field by field, and to the
promises of issue 4 (the import as the reason, the acting user, every person
linked, all rows or none).
"""

import datetime as dt

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from rectify.core.testing import make_problem
from rectify.exchange.importer import ImportFailed, import_reason
from rectify.ledger.models import Measure, MeasureKind, MeasureStatus, Problem, ProgressNote

from .builders import run, workbook

pytestmark = pytest.mark.usefixtures("english")

HEADER = ["序号", "问题类别", "存在问题", "整改措施", "责任领导", "责任人", "完成时限", "整改进展",
          "状态"]  # fmt: skip
ROWS = [
    HEADER,
    [1, "T1", "理论学习不深入", "制定学习计划", "赵领导", "王责任、李明", "2019-12-31", "已制定",
     "整改中"],
    [None, None, None, "开展专题研讨", None, "张强", "长期坚持", None, "未开始"],
    [2, "T3", "担当作为不够", "建立责任清单", None, "李明；张强；李明", "2019-12-20", None,
     "立行立改"],
]  # fmt: skip


def _import(world, tmp_path, rows=ROWS):
    path = workbook(tmp_path / "台账.xlsx", rows)
    return run(path, campaign=world.campaign, unit=world.a, user=world.admin_a)


def _simple_history_record(obj, user, reason):
    """The record django-simple-history writes for ``obj`` (in a savepoint, rolled back)."""
    history = type(obj).history
    with transaction.atomic():
        record = history.bulk_history_create([obj], default_user=user, default_change_reason=reason)
        written = history.model.objects.get(pk=record[0].pk)
        values = model_to_dict(written, exclude=["history_id", "history_date"])
        transaction.set_rollback(True)
    return values


def test_history_rows_are_those_simple_history_writes(world, tmp_path):
    before = timezone.now()
    _import(world, tmp_path)
    after = timezone.now()
    reason = import_reason("台账.xlsx")
    problems = list(Problem.objects.order_by("pk"))
    measures = list(Measure.objects.order_by("pk"))
    assert [p.description for p in problems] == ["理论学习不深入", "担当作为不够"]
    assert [m.content for m in measures] == ["制定学习计划", "开展专题研讨", "建立责任清单"]
    for obj in [*problems, *measures]:
        record = obj.history.get()  # one "created" record each, nothing more
        ours = model_to_dict(record, exclude=["history_id", "history_date"])
        assert ours == _simple_history_record(obj, world.admin_a, reason)
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            world.admin_a,
            reason,
        )
        assert before <= record.history_date <= after
        assert record.history_date == obj.created_at == obj.updated_at
        # The record restores the object as it is.
        restored = model_to_dict(record.instance)
        assert restored == model_to_dict(obj)
    # The persons, once each, in the measure and in its record; the record's m2m rows are
    # the links themselves (their ids), as simple-history copies them on a save.
    expected = {
        "制定学习计划": {"王责任", "李明"},
        "开展专题研讨": {"张强"},
        "建立责任清单": {"李明", "张强"},
    }
    for measure in measures:
        names = {p.name for p in measure.responsible_persons.all()}
        assert names == expected[measure.content]
        links = set(
            Measure.responsible_persons.through.objects.filter(measure=measure).values_list(
                "id", "measure_id", "person_id"
            )
        )
        record = measure.history.get()
        assert set(record.responsible_persons.values_list("id", "measure_id", "person_id")) == (
            links
        )
        with transaction.atomic():
            measure.save()  # simple-history's own m2m copy, for comparison
            saved = measure.history.order_by("-history_id").first()
            assert saved.history_type == "~"
            copied = set(saved.responsible_persons.values_list("id", "measure_id", "person_id"))
            transaction.set_rollback(True)
        assert copied == links
    # Fields the importer derives, as the one-by-one services would store them.
    first, long_term, immediate = measures
    assert (first.kind, first.deadline, first.status, first.completed_on) == (
        MeasureKind.DEADLINE,
        dt.date(2019, 12, 31),
        MeasureStatus.IN_PROGRESS,
        None,
    )
    assert (long_term.kind, long_term.deadline) == (MeasureKind.LONG_TERM, None)
    assert (immediate.kind, immediate.status, immediate.completed_on) == (
        MeasureKind.IMMEDIATE,
        MeasureStatus.COMPLETED,
        timezone.localdate(),
    )
    assert first.responsible_leader == world.people["赵领导"]
    assert {(m.campaign_id, m.unit_id, m.version) for m in measures} == {
        (world.campaign.pk, world.a.pk, 1)
    }
    assert {(p.created_by, p.version, p.deleted_at) for p in problems} == {(world.admin_a, 1, None)}
    note = ProgressNote.objects.get()
    assert (note.measure, note.text, note.author) == (first, "已制定", world.admin_a)


def test_ids_continue_after_the_import(world, tmp_path):
    """Reserved ids leave the table's sequence ahead: the next problem saved does not collide."""
    old = make_problem(world.campaign, world.a, acting_user=world.admin_a)
    Problem.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now())
    _import(world, tmp_path)
    imported = list(Problem.objects.order_by("pk").values_list("pk", flat=True))
    assert min(imported) > old.pk
    later = make_problem(world.campaign, world.a, acting_user=world.admin_a)
    assert later.pk > max(imported)
    # A second import of the same file lands beside the first, with ids of its own.
    _import(world, tmp_path)
    assert Problem.objects.count() == 5
    assert Measure.objects.count() == 6
    assert Measure.history.filter(history_change_reason=import_reason("台账.xlsx")).count() == 6


def test_a_failing_row_leaves_no_row_and_no_history(world, tmp_path):
    bad = [*ROWS, [3, "T1", "无人负责", "落实整改", None, None, "2019-12-31", None, "整改中"]]
    with pytest.raises(ImportFailed) as raised:
        _import(world, tmp_path, bad)
    assert "Name at least one responsible person." in str(raised.value.issues)
    assert not Problem.all_objects.exists()
    assert not Measure.all_objects.exists()
    assert not Problem.history.exists()
    assert not Measure.history.exists()
    assert not Measure.responsible_persons.through.objects.exists()
    assert not Measure.history.model.responsible_persons.model.objects.exists()


def test_a_long_file_name_still_fits_the_history_reason():
    """The history keeps 100 characters of reason; a long file name must not break the import."""
    from rectify.exchange.importer.commit import import_reason

    reason = import_reason("整改台账" * 40 + ".xlsx")
    assert len(reason) == 100 and reason.endswith("…")
    assert import_reason("台账.xlsx").endswith("台账.xlsx")
