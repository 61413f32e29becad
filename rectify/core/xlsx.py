"""Excel workbooks written one way: text stays text, dates are dates, downloads are named.

Small workbooks (the standing report, an import's error file) are written with
XlsxWriter, row by row in its constant-memory mode, like the big list exports
(``rectify.exchange.export``): Chinese is stored as UTF-8, not as the numeric
character references openpyxl's lxml writer would make of every character.
Every string is a string cell, never a formula; text that a spreadsheet would
take for one (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first)
also carries Excel's quote prefix, so it stays text even after someone edits
the cell. Characters XML cannot carry are dropped rather than failing the file.
"""

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Text starting with one of these is a formula (or a DDE payload) to a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Number formats callers use for columns.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Control characters XML 1.0 cannot carry (tab, line feed and carriage return it can).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header label, width in characters and number format."""

    label: str
    width: float | None = None
    number_format: str | None = None


class Workbook:
    """An XlsxWriter workbook in memory, with its cell formats made once each."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._formats: dict[tuple, object] = {}

    def format(self, **properties):
        """The workbook's format with ``properties`` (created on first use)."""
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(properties)
        return self._formats[key]


def new_workbook() -> Workbook:
    """An empty workbook (sheets are added with :func:`add_sheet`)."""
    return Workbook()


def sheet_name(name: str) -> str:
    """``name`` made acceptable as a sheet title (no ``[]:*?/\\``, at most 31 characters)."""
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", str(name)).strip().strip("'")
    return cleaned[:31] or "Sheet"


def write_cell(
    workbook: Workbook, sheet, row: int, col: int, value, *, number_format=None, **style
):
    """One cell: strings as (quoted) text, dates as dates, numbers as numbers, None as blank."""
    if value is None:
        if style:
            sheet.write_blank(row, col, None, workbook.format(**style))
        return
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        # Excel has no time zones: the local wall-clock time is what a reader expects.
        value = value.replace(tzinfo=None)
        fmt = workbook.format(num_format=number_format or DATETIME_FORMAT, **style)
        sheet.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        fmt = workbook.format(num_format=number_format or DATE_FORMAT, **style)
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, workbook.format(**style) if style else None)
    elif isinstance(value, int | float | Decimal):
        properties = {"num_format": number_format, **style} if number_format else style
        sheet.write_number(row, col, value, workbook.format(**properties) if properties else None)
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        if text.startswith(FORMULA_PREFIXES):
            style = {**style, "quote_prefix": True}
        sheet.write_string(row, col, text, workbook.format(**style) if style else None)


def add_sheet(
    workbook: Workbook,
    name: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    heading: Sequence[str] = (),
) -> None:
    """Write a sheet: ``heading`` lines (the first as a title), the header row, then ``rows``.

    ``rows`` may be a generator: rows are written as they come. The panes are
    frozen below the header so that it stays in view.
    """
    sheet = workbook.book.add_worksheet(sheet_name(name))
    for index, column in enumerate(columns):
        if column.width:
            sheet.set_column(index, index, column.width)
    sheet.freeze_panes(len(heading) + 1, 0)
    for index, line in enumerate(heading):
        title = {"bold": True, "font_size": 14} if index == 0 else {}
        write_cell(workbook, sheet, index, 0, line, **title)
    header = len(heading)
    for col, column in enumerate(columns):
        write_cell(workbook, sheet, header, col, str(column.label), bold=True)
    for number, row in enumerate(rows, start=header + 1):
        for col, (column, value) in enumerate(zip(columns, row, strict=False)):
            write_cell(workbook, sheet, number, col, value, number_format=column.number_format)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as the bytes of an ``.xlsx`` file."""
    workbook.book.close()
    return workbook.buffer.getvalue()


def attachment_disposition(filename: str, fallback: str | None = None) -> str:
    """A ``Content-Disposition`` for downloading ``filename``, Chinese included (RFC 6266/5987).

    Old clients read the ASCII ``filename`` (``fallback``, or ``filename`` with
    other characters replaced); every current browser reads ``filename*``.
    """
    ascii_name = fallback or filename
    ascii_name = ascii_name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    ascii_name = re.sub(r'["\\\r\n]', "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(workbook: Workbook, filename: str, *, fallback: str | None = None):
    """An HTTP response that downloads ``workbook`` as ``filename``."""
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename, fallback)
    return response
