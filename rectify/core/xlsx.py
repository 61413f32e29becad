"""Excel workbooks written one way: text stays text, dates are dates, downloads are named.

A sheet is written row by row (openpyxl's write-only mode), so a long export
holds little in memory. Every string is stored as a string cell with Excel's
quote prefix: text that looks like a formula (``=``, ``+``, ``-``, ``@``, a
tab or a carriage return first) is shown, never evaluated, even after someone
edits the cell. Characters XML cannot carry are dropped rather than failing
the whole file.
"""

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Text starting with one of these is a formula (or a DDE payload) to a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Number formats callers use for columns.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header label, width in characters and number format."""

    label: str
    width: float | None = None
    number_format: str | None = None


def new_workbook() -> Workbook:
    """An empty write-only workbook (sheets are added with :func:`add_sheet`)."""
    return Workbook(write_only=True)


def sheet_name(name: str) -> str:
    """``name`` made acceptable as a sheet title (no ``[]:*?/\\``, at most 31 characters)."""
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", str(name)).strip().strip("'")
    return cleaned[:31] or "Sheet"


def cell(sheet, value, *, number_format: str | None = None, font: Font | None = None):
    """One cell for ``sheet``: strings as quoted text, dates as dates, numbers as numbers."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        # Excel has no time zones: the local wall-clock time is what a reader expects.
        value = value.replace(tzinfo=None)
        number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, dt.date):
        number_format = number_format or DATE_FORMAT
    elif value is not None and not isinstance(value, bool | int | float | Decimal):
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    result = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        result.data_type = "s"
        if value.startswith(FORMULA_PREFIXES):
            result.quotePrefix = True
    if number_format and not isinstance(value, str):
        result.number_format = number_format
    if font is not None:
        result.font = font
    return result


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
    sheet = workbook.create_sheet(sheet_name(name))
    for index, column in enumerate(columns, start=1):
        if column.width:
            sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"A{len(heading) + 2}"
    for index, line in enumerate(heading):
        sheet.append([cell(sheet, line, font=_TITLE if index == 0 else None)])
    sheet.append([cell(sheet, column.label, font=_BOLD) for column in columns])
    for row in rows:
        sheet.append(
            [
                cell(sheet, value, number_format=column.number_format)
                for column, value in zip(columns, row, strict=False)
            ]
        )


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as the bytes of an ``.xlsx`` file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
