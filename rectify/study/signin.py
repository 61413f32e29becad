"""Sign-in sheets (签到表): the names read off a spreadsheet, matched to people.

The file is checked and read by the spreadsheet reader of the ledger import
(size, type, macros and zip bombs are refused before anything is parsed).
Nothing here writes: the user sees every line matched or not, resolves the
unmatched ones, and :func:`rectify.study.services.attendance_record_signin`
writes the confirmed lines in one transaction.
"""

import difflib
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from rectify.core.spreadsheets import Row, Spreadsheet, check_file
from rectify.org.models import Person

from .models import Attendance, AttendanceStatus, Meeting
from .selectors import signin_pool

#: Header cells (spaces, colons and brackets removed) that name the column of names.
NAME_HEADERS = frozenset(
    {"姓名", "名字", "签名", "签字", "本人签名", "姓名签字", "签到", "签到人",
     "参会人员", "参会人", "出席人员", "人员", "name"}
)  # fmt: skip
#: Header cells of an optional column saying whether the person came (请假, 缺席…).
STATUS_HEADERS = frozenset(
    {"出席情况", "签到情况", "参会情况", "状态", "备注", "status", "remarks"}
)
#: Header cells of an optional column holding the reason for leave.
REASON_HEADERS = frozenset({"请假事由", "请假原因", "事由", "原因", "reason"})
ABSENT_WORDS = ("缺席", "未到", "未参加", "缺勤")
LEAVE_WORD = "请假"
#: The header is looked for in this many rows from the top (title rows come first).
HEADER_ROWS = 10
#: The most names one sheet may list.
MAX_LINES = 2000
#: Unmatched names get suggestions of similar names, up to this many names and suggestions.
SUGGESTED_NAMES = 50
SUGGESTIONS = 8
_PUNCTUATION = " \t:：,，、;；()（）[]【】"


def clean_header(value) -> str:
    """A header cell as compared: no spaces, colons, asterisks or brackets; lower case."""
    return re.sub(r"[\s:：*＊()（）]", "", str(value or "")).lower()


def clean_name(value) -> str:
    """A name as written on the sheet, with the spaces used to align short names removed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", str(value or ""))


@dataclass(frozen=True)
class SheetLine:
    """A name on the sheet, the row it is on, and whether it says the person came."""

    row: int
    name: str
    status: str = AttendanceStatus.PRESENT
    reason: str = ""


def _status(cell) -> tuple[str, str]:
    """``(status, reason)`` from a remark such as "请假（出差）", "缺席" or a blank cell."""
    text = str(cell or "").strip()
    if LEAVE_WORD in text:
        return AttendanceStatus.LEAVE, text.replace(LEAVE_WORD, "").strip(_PUNCTUATION)
    if any(word in text for word in ABSENT_WORDS):
        return AttendanceStatus.ABSENT, ""
    return AttendanceStatus.PRESENT, ""


def _column(cells: list, headers: frozenset) -> int | None:
    for index, value in enumerate(cells):
        if clean_header(value) in headers:
            return index
    return None


def sheet_lines(rows: Iterable[Row]) -> list[SheetLine]:
    """The named lines under the sheet's header row; refused without a column of names."""
    name_col = status_col = reason_col = None
    lines: list[SheetLine] = []
    for row in rows:
        if name_col is None:
            if row.number > HEADER_ROWS:
                break
            name_col = _column(row.cells, NAME_HEADERS)
            status_col = _column(row.cells, STATUS_HEADERS)
            reason_col = _column(row.cells, REASON_HEADERS)
            continue
        name = clean_name(row.value(name_col))
        if not name or clean_header(name) in NAME_HEADERS:
            continue  # a blank line, or the header repeated on a printed sheet's next page
        status, reason = _status(row.value(status_col) if status_col is not None else "")
        written = str(row.value(reason_col) or "").strip() if reason_col is not None else ""
        lines.append(SheetLine(row.number, name, status, written or reason))
        if len(lines) > MAX_LINES:
            raise ValidationError(
                {"file": _("The sheet lists more than %(n)s names.") % {"n": MAX_LINES}}
            )
    if name_col is None:
        raise ValidationError(
            {
                "file": _(
                    "No column of names was found: the sheet needs a header cell “姓名” "
                    "in its first %(n)s rows."
                )
                % {"n": HEADER_ROWS}
            }
        )
    return lines


@contextmanager
def _local_path(upload: UploadedFile, fmt: str) -> Iterator[str]:
    """A path of the upload on local disk: its temporary file, or a copy of it."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as copy:
        upload.seek(0)
        shutil.copyfileobj(upload, copy)
        copy.flush()
        yield copy.name


def read_signin_sheet(upload: UploadedFile) -> list[SheetLine]:
    """The lines of the first sheet of ``upload``; ``ValidationError`` on ``file`` otherwise."""
    try:
        fmt = check_file(upload.name, upload)
        with _local_path(upload, fmt) as path, Spreadsheet(path, fmt, upload.name) as book:
            return sheet_lines(book.rows(0))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"file": exc.messages}) from exc


@dataclass
class PlannedLine:
    """A sheet line and the person it names: matched, or candidates for the user to choose."""

    line: SheetLine
    person: Person | None = None
    candidates: list[Person] = field(default_factory=list)
    #: The row of an earlier line that names the same person (this one is then ignored).
    duplicate_of: int | None = None

    @property
    def matched(self) -> bool:
        return self.person is not None and self.duplicate_of is None


def _suggestions(meeting: Meeting, name: str) -> list[Person]:
    """People of the pool whose name looks like ``name`` (a typo, a wrong character)."""
    nearby = signin_pool(meeting).filter(name__startswith=name[:1]).order_by("name", "pk")[:200]
    scored = [(difflib.SequenceMatcher(None, name, p.name).ratio(), p) for p in nearby]
    return [p for score, p in sorted(scored, key=lambda s: -s[0]) if score >= 0.5][:SUGGESTIONS]


def plan_signin(meeting: Meeting, lines: list[SheetLine]) -> list[PlannedLine]:
    """Match each line's name to a person invited to ``meeting`` or of its unit's subtree.

    A name shared by several people resolves to the one invited, if exactly
    one is; otherwise its line lists them all as candidates. An unknown name
    lists people with similar names.
    """
    names = {line.name for line in lines}
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in signin_pool(meeting).filter(name__in=names).order_by("unit__path", "pk"):
        by_name[person.name].append(person)
    invited = set(
        Attendance.objects.filter(meeting=meeting, person__name__in=names).values_list(
            "person_id", flat=True
        )
    )
    planned: list[PlannedLine] = []
    seen: dict[int, int] = {}
    suggested = 0
    for line in lines:
        people = by_name.get(line.name, [])
        chosen = [p for p in people if p.pk in invited] if len(people) > 1 else people
        item = PlannedLine(line)
        if len(chosen) == 1:
            item.person = chosen[0]
            if item.person.pk in seen:
                item.duplicate_of = seen[item.person.pk]
            else:
                seen[item.person.pk] = line.row
        elif people:
            item.candidates = people
        elif suggested < SUGGESTED_NAMES:
            item.candidates = _suggestions(meeting, line.name)
            suggested += 1
        planned.append(item)
    return planned


def unmarked_invitees(meeting: Meeting, *, cap: int = 200) -> list[Person]:
    """Invited people not marked yet, offered for every unmatched name (bounded)."""
    rows = Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.INVITED)
    people = Person.objects.filter(pk__in=rows.values("person")).select_related("unit")
    return list(people.order_by("unit__path", "name", "pk")[:cap])
