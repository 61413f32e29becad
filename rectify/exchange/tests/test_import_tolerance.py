"""Real ledgers are messy: each tolerance of issue 4 item 6, asserting exactly what lands."""

import datetime as dt

import pytest

from rectify.exchange.importer import import_reason
from rectify.ledger.models import Measure, MeasureKind, MeasureStatus, Problem, ProgressNote
from rectify.org.models import Person

from .builders import convert, needs_soffice, plan, run, workbook

pytestmark = pytest.mark.usefixtures("english")

D = dt.date(2019, 12, 31)

#: A county's ledger as offices make them: two title rows, a header with line breaks and
#: full-width spaces, a problem merged over two measure rows, a leader merged over three
#: rows (two problems), dates in five spellings, a long-term measure, 立行立改 as a status,
#: several persons per cell with four separators, blank rows, and a footer.
MESSY = [
    ["东昌府区科协主题教育整改台账", None, None, None, None, None, None, None, None, None],
    ["填报单位（盖章）：东昌府区科协    截至2019年11月30日"] + [None] * 9,
    ["序号", "问题\n类别", "存在问题", "整改 措施", "责任领导", "具体\u3000责任人",
     "完成\n时限", "整改进展", "状态", "备注"],
    [1, "理论学习有收获", "理论学习不深入", "制定学习计划", "赵领导", "王责任、李明",
     "2019年12月31日", "已制定计划", "整改中", None],
    [None, None, None, "开展专题研讨", None, "张强,王责任", "2019.12.31", None, "未开始", None],
    [2, "T3", "担当作为不够", "建立责任清单", None, "李明；张强", "12月底", None, "立行立改", None],
    [None] * 10,
    [3, "为民服务方面", "服务科技工作者不够", "常态化走访", "赵领导", "王责任 李明", "长期坚持",
     None, "持续推进", "每月一次"],
    [4, "清正廉洁作表率", "廉洁教育不足", "开展警示教育", None, "张强", 43830, None, "已完成",
     None],
    [5, "思想政治受洗礼", "政治学习走过场", "规范学习记录", None, "王强", "2019/12/31", None,
     "已整改", None],
    [None] * 10,
    ["填表人：王责任", None, "审核人：赵领导", None, None, None, None, None, None, None],
    ["日期：2019年11月30日"] + [None] * 9,
]  # fmt: skip
MERGES = ["A1:J1", "A2:J2", "A4:A5", "B4:B5", "C4:C5", "E4:E6"]


def _landed():
    """Every problem with its measures, as comparable tuples, in file order."""
    result = []
    for problem in Problem.objects.order_by("pk"):
        measures = [
            (
                m.content,
                m.kind,
                m.deadline,
                m.responsible_leader.name if m.responsible_leader else None,
                sorted(p.name for p in m.responsible_persons.all()),
                m.status,
            )
            for m in problem.measures.order_by("pk")
        ]
        result.append((problem.unit.code, problem.target.code, problem.description, measures))
    return result


EXPECTED = [
    ("DCF", "T1", "理论学习不深入", [
        ("制定学习计划", MeasureKind.DEADLINE, D, "赵领导", ["李明", "王责任"],
         MeasureStatus.IN_PROGRESS),
        ("开展专题研讨", MeasureKind.DEADLINE, D, "赵领导", ["张强", "王责任"],
         MeasureStatus.NOT_STARTED),
    ]),
    ("DCF", "T3", "担当作为不够", [
        ("建立责任清单", MeasureKind.IMMEDIATE, D, "赵领导", ["张强", "李明"],
         MeasureStatus.COMPLETED),
    ]),
    ("DCF", "T4", "服务科技工作者不够", [
        ("常态化走访", MeasureKind.LONG_TERM, None, "赵领导", ["李明", "王责任"],
         MeasureStatus.IN_PROGRESS),
    ]),
    ("DCF", "T5", "廉洁教育不足", [
        ("开展警示教育", MeasureKind.DEADLINE, D, None, ["张强"], MeasureStatus.COMPLETED),
    ]),
    ("DCF", "T2", "政治学习走过场", [
        ("规范学习记录", MeasureKind.DEADLINE, D, None, ["王强"], MeasureStatus.COMPLETED),
    ]),
]  # fmt: skip


def _messy(tmp_path, fmt: str):
    path = workbook(tmp_path / "台账.xlsx", MESSY, merges=MERGES)
    return path if fmt == "xlsx" else convert(path, fmt)


@pytest.mark.parametrize(
    "fmt",
    ["xlsx", pytest.param("xls", marks=needs_soffice), pytest.param("ods", marks=needs_soffice)],
)
def test_messy_ledger_lands_exactly(world, tmp_path, fmt):
    path = _messy(tmp_path, fmt)
    found, outcome = run(path, campaign=world.campaign, unit=world.a, user=world.admin_a)

    assert found.header.row_number == 3
    assert [i for i in found.issues if i.blocking] == []
    assert _landed() == EXPECTED
    assert outcome.problems_created == 5
    assert outcome.measures_created == 6
    # The one name nobody has became a person of the county.
    assert outcome.persons_created == 1
    assert Person.objects.get(name="王强").unit == world.a
    # Progress text became a progress note; the footer became nothing.
    assert list(ProgressNote.objects.values_list("text", flat=True)) == ["已制定计划"]
    assert not Problem.objects.filter(description__contains="填表人").exists()
    # Everything carries the import as the reason in its history, and the importer's name.
    reason = import_reason(path.name)
    for obj in [*Problem.objects.all(), *Measure.objects.all()]:
        record = obj.history.get()
        assert (record.history_change_reason, record.history_user) == (reason, world.admin_a)
    assert {m.history.get().responsible_persons.count() for m in Measure.objects.all()} == {1, 2}


def test_header_with_synonyms_and_noise_is_found_below_title_rows(world, tmp_path):
    rows = [
        ["XX单位问题清单"],
        [],
        ["截至 2019年11月30日"],
        ["编号", "对照目标", "具体问题", "细化的整改措施", "整改责任人", "整改期限"],
        [1, "T1", "学习不够", "加强学习", "李明", "2019-12-31"],
    ]
    found = plan(
        workbook(tmp_path / "清单.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert found.header.row_number == 4
    assert found.columns == {
        0: "seq",
        1: "target",
        2: "description",
        3: "content",
        4: "responsible_persons",
        5: "deadline",
    }
    assert found.can_import


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("完成时限", "deadline"),
        ("完成时间", "deadline"),
        ("整改时限", "deadline"),
        ("整改期限", "deadline"),
        ("责任人", "responsible_persons"),
        ("具体责任人", "responsible_persons"),
        (" 具体\n责任人 ", "responsible_persons"),
        ("问题类别（对照目标）", "target"),
        ("责\u3000任\u3000人", "responsible_persons"),
    ],
)
def test_header_synonyms(header, key):
    from rectify.exchange.importer.header import key_for_header

    assert key_for_header(header) == key


def test_problem_repeated_on_each_row_and_blank_continuations_group_into_one(world, tmp_path):
    """Without merged cells: the same problem text again, or an empty problem cell."""
    rows = [
        ["问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
        ["T1", "学风不实", "措施一", "李明", "2019-12-31"],
        ["T1", "学风不实", "措施二", "李明", "2019-12-31"],
        [None, None, "措施三", "张强", "2019-12-31"],
        ["T1", "另一个问题", "措施四", "张强", "2019-12-31"],
    ]
    run(
        workbook(tmp_path / "l.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert [
        (p.description, [m.content for m in p.measures.order_by("pk")])
        for p in Problem.objects.order_by("pk")
    ] == [("学风不实", ["措施一", "措施二", "措施三"]), ("另一个问题", ["措施四"])]


def test_merged_leader_applies_to_every_row_it_spans(world, tmp_path):
    rows = [
        ["问题类别", "问题描述", "整改措施", "责任领导", "责任人", "完成时限"],
        ["T1", "问题一", "措施一", "赵领导", "李明", "2019-12-31"],
        ["T1", "问题二", "措施二", None, "李明", "2019-12-31"],
        ["T1", "问题三", "措施三", None, "李明", "2019-12-31"],
    ]
    run(
        workbook(tmp_path / "l.xlsx", rows, merges=["D2:D4"]),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert (
        list(Measure.objects.values_list("responsible_leader__name", flat=True)) == ["赵领导"] * 3
    )


def test_section_rows_set_the_target_of_the_rows_below(world, tmp_path):
    rows = [
        ["序号", "问题描述", "整改措施", "责任人", "完成时限"],
        ["一、理论学习有收获", None, None, None, None],
        [1, "问题一", "措施一", "李明", "2019-12-31"],
        ["二、清正廉洁作表率", None, None, None, None],
        [2, "问题二", "措施二", "李明", "2019-12-31"],
    ]
    run(
        workbook(tmp_path / "l.xlsx", rows, merges=["A2:E2", "A4:E4"]),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert list(Problem.objects.values_list("description", "target__code")) == [
        ("问题一", "T1"),
        ("问题二", "T5"),
    ]


def test_default_target_for_a_file_without_categories(world, tmp_path):
    rows = [
        ["问题描述", "整改措施", "责任人", "完成时限"],
        ["问题一", "措施一", "李明", "2019-12-31"],
    ]
    path = workbook(tmp_path / "l.xlsx", rows)
    without = plan(path, campaign=world.campaign, unit=world.a, user=world.admin_a)
    assert [(i.row, i.blocking) for i in without.issues] == [(2, True)]
    run(
        path,
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
        default_target=world.targets["T2"].pk,
    )
    assert Problem.objects.get().target == world.targets["T2"]


def test_unit_column_places_rows_by_name_short_name_or_code(world, tmp_path):
    rows = [
        ["单位", "问题类别", "问题描述", "整改措施", "责任人", "责任部门", "完成时限"],
        ["东昌府区科协", "T1", "问题一", "措施一", "李明", "办公室", "2019-12-31"],
        ["LQ", "T1", "问题二", "措施二", "刘芳", "办公室", "2019-12-31"],
        [None, "T1", "问题三", "措施三", "赵领导", None, "2019-12-31"],
    ]
    run(
        workbook(tmp_path / "l.xlsx", rows),
        campaign=world.campaign,
        unit=world.city,
        user=world.admin_city,
    )
    assert list(
        Measure.objects.order_by("pk").values_list(
            "unit__code", "responsible_department__code", "responsible_persons__name"
        )
    ) == [("DCF", "DCF-BGS", "李明"), ("LQ", "LQ-BGS", "刘芳"), ("SKX", None, "赵领导")]


def test_unit_outside_the_chosen_subtree_is_a_row_error(world, tmp_path):
    rows = [
        ["单位", "问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
        ["临清市科协", "T1", "问题一", "措施一", "刘芳", "2019-12-31"],
    ]
    found = plan(
        workbook(tmp_path / "l.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert [(i.row, i.column, i.value, i.blocking) for i in found.issues] == [
        (2, "A · 单位", "临清市科协", True)
    ]
    assert not found.can_import


def test_row_errors_name_row_column_value_and_reason(world, tmp_path):
    rows = [
        ["问题类别", "问题描述", "整改措施", "责任人", "完成时限", "状态"],
        ["T9", "问题一", "措施一", "李明", "2019-12-31", "整改中"],
        ["T1", "问题二", "措施二", "李明", "下个月", "整改中"],
        ["T1", "问题三", "措施三", None, "2019-12-31", "差不多了"],
    ]
    found = plan(
        workbook(tmp_path / "l.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert [(i.row, i.column, i.value) for i in found.blocking] == [
        (2, "A · 问题类别", "T9"),
        (3, "E · 完成时限", "下个月"),
        (4, "F · 状态", "差不多了"),
        (4, "D · 责任人", ""),
    ]
    assert all(i.reason for i in found.blocking)


def test_ambiguous_name_waits_for_a_decision(world, tmp_path):
    from rectify.core.testing import make_person

    twin = make_person(world.b, "李明")
    rows = [
        ["单位", "问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
        ["SKX", "T1", "问题一", "措施一", "李明", "2019-12-31"],
    ]
    path = workbook(tmp_path / "l.xlsx", rows)
    found = plan(path, campaign=world.campaign, unit=world.city, user=world.admin_city)
    (question,) = found.questions
    assert (question.name, question.ambiguous, question.decision) == ("李明", True, "")
    assert {value for value, _label in question.match_choices} >= {
        f"match:{twin.pk}",
        f"match:{world.people['李明'].pk}",
    }
    assert not found.can_import
    run(
        path,
        campaign=world.campaign,
        unit=world.city,
        user=world.admin_city,
        people={"李明": f"match:{twin.pk}"},
    )
    assert list(Measure.objects.get().responsible_persons.all()) == [twin]


def test_a_decision_naming_someone_out_of_reach_is_refused(world, tmp_path):
    rows = [
        ["问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
        ["T1", "问", "措", "王五", "2019-12-31"],
    ]
    found = plan(
        workbook(tmp_path / "l.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
        people={"王五": f"match:{world.people['刘芳'].pk}"},
    )
    assert not found.can_import
    assert [q.decision for q in found.questions] == [""]


def test_script_in_cells_is_stored_as_text(world, tmp_path):
    script = "<script>alert('x')</script>"
    rows = [
        ["问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
        ["T1", script, "-2+3+cmd|' /C calc'!A0", "李明", "2019-12-31"],
    ]
    run(
        workbook(tmp_path / "l.xlsx", rows),
        campaign=world.campaign,
        unit=world.a,
        user=world.admin_a,
    )
    assert Problem.objects.get().description == script


CSV_ROWS = [
    ["问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
    ["T1", "学风不实", "措施一", "李明、张强", "2019/12/31"],
    ["T1", "学风不实", "措施二", "李明", "12月底"],
    [],
    ["填表人：李明"],
]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [
        ("gb18030", ",", "\r\n"),  # Chinese-locale Excel or WPS: no BOM, CRLF
        ("utf-8-sig", ";", "\n"),
        ("utf-8", "\t", "\n"),
    ],
)
def test_csv_in_every_encoding_and_delimiter(world, tmp_path, encoding, delimiter, newline):
    path = tmp_path / "台账.csv"
    text = newline.join(delimiter.join(row) for row in CSV_ROWS) + newline
    path.write_bytes(text.encode(encoding))
    run(path, campaign=world.campaign, unit=world.a, user=world.admin_a)
    (problem,) = Problem.objects.all()
    assert problem.description == "学风不实"
    assert [
        (m.content, m.deadline, sorted(p.name for p in m.responsible_persons.all()))
        for m in problem.measures.order_by("pk")
    ] == [("措施一", D, ["张强", "李明"]), ("措施二", D, ["李明"])]


def test_several_sheets_the_ledger_sheet_is_chosen(world, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表由办公室填写"])
    sheet = book.create_sheet("整改台账")
    for row in CSV_ROWS[:2]:
        sheet.append(row)
    path = tmp_path / "two.xlsx"
    book.save(path)
    found, _outcome = run(path, campaign=world.campaign, unit=world.a, user=world.admin_a)
    assert (found.sheet_names, found.sheet) == (["说明", "整改台账"], 1)
    assert Problem.objects.get().description == "学风不实"


def test_a_name_goes_to_the_nearest_namesake(world, tmp_path):
    """Two 王五 in the city: the one of the row's own county answers, not the other county's."""
    from rectify.core.testing import make_person

    ours = make_person(world.a, "王五")
    make_person(world.b, "王五")
    rows = [
        ["单位", "问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
        ["DCF-BGS", "T1", "问题一", "措施一", "王五", "2019-12-31"],
    ]
    found, _outcome = run(
        workbook(tmp_path / "l.xlsx", rows),
        campaign=world.campaign,
        unit=world.city,
        user=world.admin_city,
    )
    assert found.questions == []
    assert list(Measure.objects.get().responsible_persons.all()) == [ours]
