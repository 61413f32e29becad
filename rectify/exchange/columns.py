"""The columns of the exported lists and what the importer recognises as their headers.

One definition for both directions, so that a file Rectify wrote reads back
into the same fields. Labels are translatable (the Chinese ones are what
offices expect: 序号, 单位, 问题描述 …); ``synonyms`` are header texts seen in
real ledgers, compared after ``normalize_header``.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: The header of the last, hidden column that carries Rectify's ids for re-import.
ID_HEADER = "rectify-id"


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    width: int = 12
    synonyms: tuple[str, ...] = field(default=())
    wrap: bool = False


COLUMNS = {
    c.key: c
    for c in (
        # "No." alone is the problem number of the pages (编号); a sheet numbers its rows (序号).
        Column("seq", pgettext_lazy("sheet column", "No."), 6, ("序号", "编号", "no", "number")),
        Column("unit", _("Unit"), 16, ("单位", "单位名称", "责任单位", "unit")),
        Column(
            "target",
            _("Problem category (target)"),
            18,
            ("问题类别(对照目标)", "问题类别", "对照目标", "目标", "类别", "问题类型", "target"),
        ),
        Column(
            "description",
            _("Problem description"),
            40,
            ("问题描述", "存在问题", "问题", "问题表现", "主要问题", "problem"),
            wrap=True,
        ),
        Column("source", _("Problem source"), 14, ("问题来源", "来源", "source")),
        Column("level", _("Level"), 14, ("层级", "问题层级", "level")),
        Column("root_cause", _("Root cause"), 30, ("原因分析", "原因", "根源", "cause"), wrap=True),
        Column(
            "content",
            _("Rectification measure"),
            40,
            ("整改措施", "措施", "整改举措", "measure"),
            wrap=True,
        ),
        Column(
            "expected_outcome",
            _("Rectification goal"),
            24,
            ("整改目标", "预期目标", "目标成效", "goal"),
            wrap=True,
        ),
        Column("kind", _("Rectification type"), 12, ("整改类型", "类型", "kind")),
        Column(
            "responsible_leader",
            _("Responsible leader"),
            12,
            ("责任领导", "分管领导", "牵头领导", "leader"),
        ),
        Column(
            "responsible_department",
            _("Responsible department"),
            16,
            ("责任部门", "牵头部门", "责任处室", "department"),
        ),
        Column(
            "responsible_persons",
            _("Responsible persons"),
            16,
            ("责任人", "具体责任人", "责任人员", "persons"),
        ),
        Column(
            "deadline",
            _("Deadline"),
            12,
            ("完成时限", "完成时间", "整改时限", "整改期限", "时限", "deadline"),
        ),
        Column(
            "progress",
            _("Progress"),
            30,
            ("整改进展", "进展情况", "整改情况", "完成情况", "progress"),
            wrap=True,
        ),
        Column("status", _("Status"), 16, ("状态", "整改状态", "status")),
        Column("light", _("Warning"), 8, ("预警", "预警灯", "light")),
        Column("urges", _("Times urged"), 8, ("督办次数", "催办次数", "urged")),
        Column("extensions", _("Times extended"), 8, ("延期次数", "extended")),
        Column("remarks", _("Remarks"), 16, ("备注", "说明", "remarks"), wrap=True),
    )
}

#: The combined ledger (整改台账), in the order offices expect.
LEDGER = tuple(COLUMNS)
PROBLEMS = ("seq", "unit", "target", "description", "source", "level", "root_cause", "remarks")
MEASURES = (
    "seq", "unit", "description", "content", "expected_outcome", "kind", "deadline",
    "progress", "status", "light", "urges", "extensions", "remarks",
)  # fmt: skip
RESPONSIBILITIES = (
    "seq", "unit", "content", "responsible_leader", "responsible_department",
    "responsible_persons", "deadline", "status", "light", "remarks",
)  # fmt: skip
LISTS = {
    "problems": PROBLEMS,
    "measures": MEASURES,
    "responsibilities": RESPONSIBILITIES,
    "ledger": LEDGER,
}

_NOISE = re.compile(r"[\s\u3000*＊:：]+")


def normalize_header(text) -> str:
    """Fold a header cell: full-width to half-width, no spaces or line breaks, lower case."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return _NOISE.sub("", text).lower()


def column_for_header(text) -> str | None:
    """The column key a header text names, or None (the translated label counts too)."""
    wanted = normalize_header(text)
    if not wanted:
        return None
    if wanted == ID_HEADER:
        return "id"
    for column in COLUMNS.values():
        names = {normalize_header(s) for s in column.synonyms}
        names.add(normalize_header(column.label))
        if wanted in names:
            return column.key
    return None
