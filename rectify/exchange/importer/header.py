"""Find the header row of a ledger and which field each column holds.

Real files put a title or two above the header ("XX单位主题教育整改台账",
"填报单位（盖章）", "截至 …"); the header is the row, among the first
:data:`SCAN_ROWS`, whose cells name the most known columns (ties: the first).
A second header row below it (责任清单 over 责任领导 / 责任部门 / 责任人)
counts too when all its cells are known headers. Header texts are folded by
:func:`rectify.exchange.columns.normalize_header`, so spaces, line breaks and
full-width brackets do not matter.
"""

from dataclasses import dataclass, field

from rectify.core.spreadsheets import Row

from ..columns import COLUMNS, ID_HEADER, column_for_header, normalize_header
from .parse import text

#: How many rows from the top may hold the header.
SCAN_ROWS = 15
#: A header names at least this many known columns.
MIN_KNOWN = 2

#: Header texts seen in real ledgers (``FORMATS.md``) beyond the shared column synonyms.
#: Import-only: the exporter writes its own labels.
EXTRA_SYNONYMS = {
    "unit": ("单位名称", "被审计单位", "填报单位", "所属单位", "整改单位"),
    "target": ("一级标题", "二级标题", "问题分类", "对照目标要求", "目标要求"),
    "description": (
        "问题描述",
        "具体问题",
        "问题内容",
        "问题摘要",
        "整改问题",
        "存在的隐患及问题",
        "问题表述",
        "查摆问题",
        "检视问题",
    ),
    "root_cause": ("主要原因", "原因剖析", "问题原因"),
    "content": (
        "细化的整改措施",
        "改进措施",
        "已采取的整改措施",
        "整改举措",
        "具体措施",
        "整改措施及时限",
    ),
    "expected_outcome": ("整改要求", "整改完成标准", "预期成效", "整改成效"),
    "kind": ("是否立行立改", "整改方式"),
    "responsible_leader": ("整改第一责任人", "责任领导", "牵头领导", "分管领导", "主要领导"),
    "responsible_department": ("责任科室", "牵头整改部门", "责任单位(部门)", "责任处(科)室"),
    "responsible_persons": ("整改责任人", "具体负责人", "经办人"),
    "deadline": ("对应的完成时间", "完成期限", "整改完成时限", "计划完成时间", "时间节点"),
    "progress": ("整改进展情况", "整改落实情况", "进展"),
    "status": ("是否已完成整改", "整改结果", "完成状态", "是否完成"),
    "remarks": ("备注说明",),
}

_EXTRA = {normalize_header(name): key for key, names in EXTRA_SYNONYMS.items() for name in names}

#: What the importer does not store (computed by Rectify, or with no field to hold it).
NOT_STORED = ("seq", "light", "urges", "extensions", "remarks")


def key_for_header(value) -> str | None:
    """The column key a header cell names (``"id"`` for Rectify's hidden id column), or None."""
    label = text(value)
    if not label:
        return None
    key = _EXTRA.get(normalize_header(label))
    return key or column_for_header(label)


@dataclass
class Header:
    """The header found: its row numbers, each column's text and the field it maps to."""

    row_number: int
    first_row_number: int
    labels: dict[int, str] = field(default_factory=dict)
    columns: dict[int, str] = field(default_factory=dict)

    def label(self, column: int) -> str:
        """The header text of ``column`` ('' when it has none)."""
        return self.labels.get(column, "")


def _keys(row: Row) -> dict[int, str]:
    keys: dict[int, str] = {}
    for column, value in enumerate(row.cells):
        key = key_for_header(value)
        if key and key not in keys.values():
            keys[column] = key
    return keys


def detect_header(rows: list[Row]) -> Header | None:
    """The header among the first rows of a sheet, or None if no row names enough columns."""
    best: tuple[int, int] | None = None  # (known columns, index)
    scanned = rows[:SCAN_ROWS]
    found = [_keys(row) for row in scanned]
    for index, keys in enumerate(found):
        if len(keys) >= MIN_KNOWN and (best is None or len(keys) > best[0]):
            best = (len(keys), index)
    if best is None:
        return None
    index = best[1]
    row = scanned[index]
    header = Header(row.number, row.number)
    columns = dict(found[index])
    labels = {c: text(v) for c, v in enumerate(row.cells) if text(v)}
    below = scanned[index + 1] if index + 1 < len(scanned) else None
    if below is not None:
        sub = found[index + 1]
        filled = [c for c, v in enumerate(below.cells) if text(v)]
        new = {c: k for c, k in sub.items() if k not in columns.values()}
        if new and filled and all(c in sub for c in filled):
            # Two header rows: the second names the columns the first only grouped
            # (责任清单 over 责任领导 / 责任部门 / 责任人); the lower, narrower name wins.
            columns = _unique({**columns, **sub})
            labels.update({c: text(below.value(c)) for c in filled})
            header.row_number = below.number
    header.columns = columns
    header.labels = labels
    return header


def _unique(columns: dict[int, str]) -> dict[int, str]:
    """Keep the first column of each key (a field is read from one column)."""
    seen: set[str] = set()
    unique = {}
    for column in sorted(columns):
        key = columns[column]
        if key not in seen:
            seen.add(key)
            unique[column] = key
    return unique


def is_repeated_header(row: Row, header: Header) -> bool:
    """True for a copy of the header inside the data (a printed file's page breaks)."""
    labels = header.labels
    first = next(iter(header.columns), None)
    if first is None or text(row.value(first)) != labels.get(first):
        return False  # the quick answer for every data row
    hits = sum(1 for c in header.columns if labels.get(c) and text(row.value(c)) == labels[c])
    return hits >= max(MIN_KNOWN, len(header.columns) // 2)


def choices() -> list[tuple[str, str]]:
    """``(key, label)`` of every field a column can be mapped to, in the ledger's order."""
    return [(key, str(column.label)) for key, column in COLUMNS.items()] + [("id", ID_HEADER)]
