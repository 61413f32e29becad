"""The exported files as a reader meets them: layout, merged problems, lights, dates, ids, CSV."""

import io

import pytest
from django.utils import translation

from rectify.core.testing import make_measure, make_problem
from rectify.exchange.columns import COLUMNS, ID_HEADER, LISTS
from rectify.exchange.export import ExportRequest, build_source, csv_chunks, write_xlsx

from .export_data import (
    FORMULA_CAUSE,
    FORMULA_CONTENT,
    FORMULA_DESCRIPTION,
    FORMULA_OUTCOME,
    FORMULA_PROGRESS,
    build_ledger,
    libreoffice_csv,
    read_csv,
    read_xlsx,
    sheet_rows,
    soffice,
)

pytestmark = pytest.mark.django_db

#: The combined ledger's header, in the order the issue and the offices ask for.
LEDGER_HEADER_ZH = [
    "序号", "单位", "问题类别(对照目标)", "问题描述", "问题来源", "层级", "原因分析",
    "整改措施", "整改目标", "整改类型", "责任领导", "责任部门", "责任人", "完成时限",
    "整改进展", "状态", "预警", "督办次数", "延期次数", "备注",
]  # fmt: skip


@pytest.fixture
def ledger():
    return build_ledger()


def _xlsx(user, list_name="ledger", source="measures", query="", language="zh-hans"):
    with translation.override(language):
        rows = build_source(ExportRequest(list_name, source, query), user)
        buffer = io.BytesIO()
        write_xlsx(rows, buffer)
    return buffer.getvalue()


def _csv(user, list_name="ledger", source="measures", query="", language="zh-hans"):
    with translation.override(language):
        rows = build_source(ExportRequest(list_name, source, query), user)
        return b"".join(csv_chunks(rows))


def _by_id(sheet) -> dict[str, list]:
    """Data rows keyed by the hidden id column."""
    return {row[-1]: row for row in sheet_rows(sheet)}


def test_ledger_header_is_the_offices_column_order_with_the_hidden_id_last(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a))
    header = [cell.value for cell in sheet[3]]
    assert header == [*LEDGER_HEADER_ZH, ID_HEADER]
    id_column = sheet.cell(row=3, column=len(header)).column_letter
    assert sheet.column_dimensions[id_column].hidden
    assert not sheet.column_dimensions["A"].hidden


@pytest.mark.parametrize("list_name", ["problems", "measures", "responsibilities"])
def test_single_lists_have_their_subset_of_columns_in_english_too(ledger, list_name):
    source = "problems" if list_name == "problems" else "measures"
    sheet = read_xlsx(_xlsx(ledger.admin_a, list_name, source, language="en"))
    header = [cell.value for cell in sheet[3]]
    with translation.override("en"):
        expected = [str(COLUMNS[key].label) for key in LISTS[list_name]]
    assert header == [*expected, ID_HEADER]
    assert "Problem description" in header or list_name == "responsibilities"


def test_title_rows_name_campaign_list_scope_filters_and_date(ledger):
    query = f"campaign={ledger.campaign.slug}&unit={ledger.a.pk}&light=red"
    sheet = read_xlsx(_xlsx(ledger.admin_a, query=query))
    today = ledger.today
    assert sheet["A1"].value == f"{ledger.campaign.name} 整改台账"
    subtitle = sheet["A2"].value
    assert "东昌府区科协" in subtitle
    assert "红" in subtitle  # the light filter is said
    assert subtitle.endswith(f"截至 {today.year}年{today.month}月{today.day}日")
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:T1", "A2:T2"} <= merged
    english = read_xlsx(_xlsx(ledger.admin_a, query=query, language="en"))
    assert english["A1"].value == f"{ledger.campaign.name} Rectification ledger"
    assert english["A2"].value.endswith(f"as of {today.isoformat()}")


def test_panes_frozen_below_header_and_page_set_up_for_printing(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a))
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth or 1) == 1  # 1 is the default, left out of the file
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width  # description


def test_problem_cells_merge_over_their_measures_and_keep_the_value_on_top(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a, query=f"campaign={ledger.campaign.slug}"))
    rows = sheet_rows(sheet)
    ids = [row[-1] for row in rows]
    p1 = f"P{ledger.p1.pk}"
    assert ids == [
        f"{p1}-M{ledger.m_red.pk}",
        f"{p1}-M{ledger.m_green.pk}",
        f"{p1}-M{ledger.m_yellow.pk}",
        f"P{ledger.p2.pk}",  # no measures yet: one row, measure cells empty
        f"P{ledger.p3.pk}-M{ledger.m_grey.pk}",
    ]
    merged = {str(r) for r in sheet.merged_cells.ranges} - {"A1:T1", "A2:T2"}
    # 序号 … 原因分析 (A–G) of p1 span rows 4–6; measure columns are never merged.
    assert merged == {f"{col}4:{col}6" for col in "ABCDEFG"}
    assert [sheet[f"{col}4"].value for col in "ABDG"] == [
        1,
        "东昌府区科协",
        "理论学习不够深入",
        "重视程度不够",
    ]
    assert sheet["C4"].value == ledger.p1.target.title
    assert sheet["E4"].value == "自我检视"
    assert sheet["A7"].value == 2 and sheet["D7"].value == "尚未制定措施的问题"
    assert all(sheet.cell(row=7, column=col).value is None for col in range(8, 21))
    assert [sheet[f"H{row}"].value for row in (4, 5, 6)] == [
        "制定年度学习计划",
        "开展专题研讨",
        "建立学习台账",
    ]


@pytest.mark.parametrize("flag", ["urged", "extended"])
def test_a_measure_only_filter_leaves_out_problems_without_measures(ledger, flag):
    query = f"campaign={ledger.campaign.slug}&{flag}=true"
    ids = [row[-1] for row in sheet_rows(read_xlsx(_xlsx(ledger.admin_a, query=query)))]
    assert ids == [f"P{ledger.p1.pk}-M{ledger.m_red.pk}"]  # not p2, which has no measure


def test_measure_row_values_persons_progress_counts(ledger):
    rows = _by_id(read_xlsx(_xlsx(ledger.admin_a)))
    red = rows[f"P{ledger.p1.pk}-M{ledger.m_red.pk}"]
    header = LEDGER_HEADER_ZH
    cell = dict(zip(header, red, strict=False))
    assert cell["整改目标"] == "计划印发执行"
    assert cell["整改类型"] == "限期整改"
    assert cell["责任领导"] == "李领导"
    assert cell["责任部门"] == "东昌府区科协"
    assert cell["责任人"] == "王责任、赵协助"
    assert cell["整改进展"] == "已提交党组审议"  # the latest note
    assert cell["状态"] == "整改中"
    assert cell["督办次数"] == 2
    assert cell["延期次数"] == 1  # approved only
    green = dict(zip(header, rows[f"P{ledger.p1.pk}-M{ledger.m_green.pk}"], strict=False))
    assert green["督办次数"] == 0 and green["延期次数"] == 0 and green["整改进展"] is None


def test_lights_are_coloured_cells_with_their_word(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a))
    column = LEDGER_HEADER_ZH.index("预警") + 1
    found = {}
    for row in range(4, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=column)
        if cell.value:
            found[cell.value] = cell.fill.fgColor.rgb
    assert found == {
        "红": "FFFFC7CE",
        "绿": "FFC6EFCE",
        "黄": "FFFFEB9C",
        "灰": "FFD9D9D9",
    }


def test_deadlines_are_date_cells_and_long_term_says_so(ledger):
    rows = _by_id(read_xlsx(_xlsx(ledger.admin_a)))
    sheet = read_xlsx(_xlsx(ledger.admin_a))
    column = LEDGER_HEADER_ZH.index("完成时限") + 1
    cell = sheet.cell(row=4, column=column)
    assert cell.is_date
    assert cell.number_format == "yyyy-mm-dd"
    assert cell.value.date() == ledger.m_red.deadline
    grey = dict(zip(LEDGER_HEADER_ZH, rows[f"P{ledger.p3.pk}-M{ledger.m_grey.pk}"], strict=False))
    assert grey["完成时限"] == "长期坚持"
    assert grey["预警"] == "灰"


def test_counts_and_row_numbers_are_numbers(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a))
    assert sheet["A4"].data_type == "n"
    urged = LEDGER_HEADER_ZH.index("督办次数") + 1
    assert sheet.cell(row=4, column=urged).data_type == "n"


def test_formula_like_text_is_a_quoted_string_cell(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a))
    row = next(
        r for r in range(4, sheet.max_row + 1) if sheet[f"D{r}"].value == FORMULA_DESCRIPTION
    )
    for col, text in (("D", FORMULA_DESCRIPTION), ("G", FORMULA_CAUSE), ("H", FORMULA_CONTENT)):
        cell = sheet[f"{col}{row}"]
        assert cell.data_type == "s", col
        assert cell.value == text
        assert cell.quotePrefix, col
    outcome, progress = sheet[f"I{row}"], sheet[f"O{row}"]
    assert (outcome.value, outcome.data_type) == (FORMULA_OUTCOME, "s")
    assert (progress.value, progress.data_type) == (FORMULA_PROGRESS, "s")
    plain = sheet["D4"]
    assert plain.data_type == "s" and not plain.quotePrefix


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_formula_like_text_literally_and_merged_values_once(ledger, tmp_path):
    rows = libreoffice_csv(_xlsx(ledger.admin_a), tmp_path)
    assert rows[2][:3] == LEDGER_HEADER_ZH[:3]
    cells = {value for row in rows for value in row}
    # Evaluated, these would read 点我, 2, an error, 1 and 2.
    for text in (FORMULA_DESCRIPTION, FORMULA_CAUSE, FORMULA_CONTENT, FORMULA_OUTCOME):
        assert text in cells, text
    assert any(value.endswith("=1+1") for value in cells)
    data = rows[3:]
    assert [row[3] for row in data[:3]] == ["理论学习不够深入", "", ""]
    assert data[0][13] == ledger.m_red.deadline.isoformat()


def test_csv_has_bom_header_dates_and_escaped_formulas(ledger):
    data = _csv(ledger.admin_a)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_csv(data)
    assert rows[0] == [*LEDGER_HEADER_ZH, ID_HEADER]
    by_id = {row[-1]: dict(zip(LEDGER_HEADER_ZH, row, strict=False)) for row in rows[1:]}
    red = by_id[f"P{ledger.p1.pk}-M{ledger.m_red.pk}"]
    assert red["完成时限"] == ledger.m_red.deadline.isoformat()
    assert red["预警"] == "红"
    assert red["问题描述"] == "理论学习不够深入"
    # No merges in CSV: every measure row repeats its problem.
    green = by_id[f"P{ledger.p1.pk}-M{ledger.m_green.pk}"]
    assert green["问题描述"] == "理论学习不够深入" and green["序号"] == "1"
    grey = by_id[f"P{ledger.p3.pk}-M{ledger.m_grey.pk}"]
    assert grey["问题描述"] == "'" + FORMULA_DESCRIPTION
    assert grey["原因分析"] == "'" + FORMULA_CAUSE
    assert grey["整改措施"] == "'" + FORMULA_CONTENT
    assert grey["整改目标"] == "'" + FORMULA_OUTCOME
    assert grey["整改进展"] == "'" + FORMULA_PROGRESS
    assert by_id[f"P{ledger.p2.pk}"]["整改措施"] == ""


def test_problem_list_has_one_row_per_problem(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a, "problems", "problems"))
    ids = [row[-1] for row in sheet_rows(sheet)]
    assert ids == [f"P{ledger.p1.pk}", f"P{ledger.p2.pk}", f"P{ledger.p3.pk}"]
    assert [row[0] for row in sheet_rows(sheet)] == [1, 2, 3]
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:H1", "A2:H2"}


def test_measure_list_numbers_rows_and_does_not_merge(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a, "measures"))
    rows = sheet_rows(sheet)
    assert [row[0] for row in rows] == [1, 2, 3, 4]
    assert [row[2] for row in rows[:3]] == ["理论学习不够深入"] * 3
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:M1", "A2:M2"}


def test_empty_export_still_has_title_and_header(ledger):
    sheet = read_xlsx(_xlsx(ledger.admin_a, query="q=没有这样的措施"))
    assert sheet["A3"].value == "序号"
    assert sheet_rows(sheet) == []


def test_rows_are_tall_enough_for_wrapped_and_merged_text(ledger):
    long = "服务科技工作者的渠道不畅通，" * 10  # 140 characters: eight lines of 问题描述
    problem = make_problem(ledger.campaign, ledger.a, description=long, acting_user=ledger.sysadmin)
    for content in ("召开座谈会", "建立联系制度"):
        make_measure(problem, content=content, acting_user=ledger.sysadmin)
    sheet = read_xlsx(_xlsx(ledger.admin_a))
    rows = [
        r
        for r in range(4, sheet.max_row + 1)
        if sheet[f"H{r}"].value in ("召开座谈会", "建立联系制度")
    ]
    assert len(rows) == 2 and sheet[f"D{rows[0]}"].value == long
    # The merged description needs 8 lines of 15 points; its two rows share them.
    assert [sheet.row_dimensions[r].height for r in rows] == [60, 60]
    assert sheet.row_dimensions[4].height is None  # a row whose text fits keeps Excel's default
