"""Cell values as offices write them: dates, long-term words, statuses, kinds, several names."""

import datetime as dt

import pytest

from rectify.exchange.importer.parse import (
    CellError,
    Deadline,
    parse_deadline,
    parse_kind,
    parse_level,
    parse_record_id,
    parse_source,
    parse_status,
    split_names,
)
from rectify.ledger.models import Level, MeasureKind, MeasureStatus, Source

START = dt.date(2019, 9, 1)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2019年12月31日", dt.date(2019, 12, 31)),
        ("2019.12.31", dt.date(2019, 12, 31)),
        ("2019/12/31", dt.date(2019, 12, 31)),
        ("2019-12-31", dt.date(2019, 12, 31)),
        ("２０１９年１２月３１日", dt.date(2019, 12, 31)),
        ("2019年12月31日前", dt.date(2019, 12, 31)),
        (" 2019 年 6 月 5 日 ", dt.date(2019, 6, 5)),
        ("20191231", dt.date(2019, 12, 31)),
        ("12月底", dt.date(2019, 12, 31)),
        ("12月底前", dt.date(2019, 12, 31)),
        ("2月底", dt.date(2020, 2, 29)),  # before the campaign's start: the next year
        ("10月15日", dt.date(2019, 10, 15)),
        ("2020年3月底", dt.date(2020, 3, 31)),
        ("2020年3月", dt.date(2020, 3, 31)),
        ("年底", dt.date(2019, 12, 31)),
        ("2020年底", dt.date(2020, 12, 31)),
        ("2020年上半年", dt.date(2020, 6, 30)),
        ("第四季度", dt.date(2019, 12, 31)),
        (43830, dt.date(2019, 12, 31)),
        (43830.0, dt.date(2019, 12, 31)),
        ("43830", dt.date(2019, 12, 31)),
        (dt.date(2019, 12, 31), dt.date(2019, 12, 31)),
        (dt.datetime(2019, 12, 31, 0, 0), dt.date(2019, 12, 31)),
    ],
)
def test_deadline_spellings(cell, expected):
    assert parse_deadline(cell, campaign_start=START) == Deadline(expected)


@pytest.mark.parametrize(
    "cell", ["长期坚持", "长期", "持续推进", "常态化", "长期坚持，每季度检查", "Long-term"]
)
def test_long_term_words_mean_no_deadline(cell):
    assert parse_deadline(cell, campaign_start=START) == Deadline(None, long_term=True)


@pytest.mark.parametrize("cell", ["", None, "  "])
def test_blank_deadline(cell):
    assert parse_deadline(cell, campaign_start=START) == Deadline(None)


@pytest.mark.parametrize("cell", ["下个月", "2019年13月1日", "2019-02-30", "尽快", -3])
def test_unreadable_deadlines_are_refused(cell):
    with pytest.raises(CellError):
        parse_deadline(cell, campaign_start=START)


@pytest.mark.parametrize(
    ("cell", "status", "kind"),
    [
        ("未开始", MeasureStatus.NOT_STARTED, None),
        ("整改中", MeasureStatus.IN_PROGRESS, None),
        ("持续推进", MeasureStatus.IN_PROGRESS, None),
        ("已完成", MeasureStatus.COMPLETED, None),
        ("已整改", MeasureStatus.COMPLETED, None),
        ("立行立改", MeasureStatus.COMPLETED, MeasureKind.IMMEDIATE),
        ("是", MeasureStatus.COMPLETED, None),
        ("否", MeasureStatus.IN_PROGRESS, None),
        ("已销号", MeasureStatus.SIGNED_OFF, None),
        ("已完成（待验收）", MeasureStatus.COMPLETED, None),
        ("Completed, awaiting acceptance", MeasureStatus.COMPLETED, None),
        ("100%", MeasureStatus.COMPLETED, None),
        ("60%", MeasureStatus.IN_PROGRESS, None),
    ],
)
def test_status_words(cell, status, kind):
    read = parse_status(cell)
    assert (read.status, read.kind) == (status, kind)


def test_unknown_status_is_refused():
    with pytest.raises(CellError):
        parse_status("差不多了")


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("立行立改", MeasureKind.IMMEDIATE),
        ("限期整改", MeasureKind.DEADLINE),
        ("长期坚持", MeasureKind.LONG_TERM),
        ("是", MeasureKind.IMMEDIATE),
        ("否", MeasureKind.DEADLINE),
        ("", None),
    ],
)
def test_kind_words(cell, kind):
    assert parse_kind(cell) == kind


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("王责任、李明", ["王责任", "李明"]),
        ("张强,王责任", ["张强", "王责任"]),
        ("李明，张强", ["李明", "张强"]),
        ("李明；张强;王责任", ["李明", "张强", "王责任"]),
        ("王责任 李明\u3000张强", ["王责任", "李明", "张强"]),
        ("李明（办公室主任）、张强同志", ["李明", "张强"]),
        ("李明、李明", ["李明"]),
        ("新同志", ["新同志"]),
        ("", []),
    ],
)
def test_several_persons_in_one_cell(cell, names):
    assert split_names(cell) == names


def test_sources_and_levels_from_real_words():
    assert parse_source("巡察反馈") == (Source.SUPERIOR, True)
    assert parse_source("巡回指导组反馈") == (Source.GUIDANCE_GROUP, True)
    assert parse_source("自我检视") == (Source.SELF_EXAMINATION, True)
    assert parse_source("不知道") == (Source.OTHER, False)
    assert parse_level("领导班子") == (Level.LEADERSHIP_GROUP, True)
    assert parse_level("班子成员") == (Level.LEADER, True)


def test_record_ids():
    assert parse_record_id("P12-M34") == (12, 34)
    assert parse_record_id("p12") == (12, None)
    assert parse_record_id("12-34") is None
    assert parse_record_id("P12-M34; DROP TABLE") is None
