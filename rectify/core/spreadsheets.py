"""Open an uploaded spreadsheet (a ledger, a sign-in sheet) safely and read its rows, merged cells
expanded.

Nothing here parses a spreadsheet before :func:`check_file` has looked at the
bytes: the extension must be one we read, the content must be what the
extension says (an .xlsx or .ods is a zip with the right manifest, an .xls an
OLE2 compound file, a .csv text), macro-enabled workbooks are refused, and a
zip's declared sizes and compression ratios must stay within the limits
before a single member is inflated — then every member is inflated once,
bounded by its declared size, so that a corrupt or lying archive fails here
and not inside a parser.

Rows come out as :class:`Row`: the values of the cells (python-calamine's
types: ``str``, ``float``, ``int``, ``bool``, ``date``, ``datetime``), with the
value of a merged range copied into every cell it covers, and the range
itself remembered so that the planner can tell "one problem merged over
three measure rows" from three problems.
"""

import codecs
import csv
import functools
import io
import operator
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree import ElementTree

import python_calamine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

#: The formats we read, by extension.
FORMATS = ("xlsx", "xls", "ods", "csv")
#: Extensions that carry macros (or may): always refused, whatever they contain.
MACRO_EXTENSIONS = ("xlsm", "xltm", "xlam", "xlsb")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: Members smaller than this are not held to the compression ratio (tiny XML compresses well).
RATIO_FLOOR = 1024 * 1024
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class ImportRefused(ValidationError):
    """The file cannot be imported at all; the message says why, nothing was written."""


class Merge:
    """A merged range, 0-based and inclusive, in the sheet's absolute coordinates.

    Compared by identity: two cells belong to the same merge when their
    ``Merge`` is the same object. ``value`` is the range's value once read.
    """

    __slots__ = ("bottom", "left", "right", "top", "value")

    def __init__(self, top: int, left: int, bottom: int, right: int):
        self.top, self.left, self.bottom, self.right = top, left, bottom, right
        self.value = ""

    def __repr__(self) -> str:
        return f"Merge({self.top}, {self.left}, {self.bottom}, {self.right})"

    @property
    def rows(self) -> int:
        return self.bottom - self.top + 1

    @property
    def columns(self) -> int:
        return self.right - self.left + 1


@dataclass(slots=True)
class Row:
    """One row of the sheet: 1-based ``number`` as the spreadsheet shows it, its cell values.

    ``merges`` maps a column index to the merged range that covers the cell
    (only for cells inside a merge).
    """

    number: int
    cells: list
    merges: dict[int, Merge] = field(default_factory=dict)

    def value(self, column: int):
        """The value of cell ``column`` ('' beyond the row's end)."""
        return self.cells[column] if 0 <= column < len(self.cells) else ""

    def is_blank(self) -> bool:
        """True when no cell holds anything but spaces."""
        for value in self.cells:  # a loop, not all(): this runs for every row of the sheet
            if value is None:
                continue
            if type(value) is not str or value.strip():
                return False
        return True


def column_letter(index: int) -> str:
    """Excel's letter for the 0-based column ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _refuse(message: str, code: str) -> ImportRefused:
    return ImportRefused(message, code=code)


def file_format(name: str) -> str:
    """The format of ``name`` by its extension; refused if macro-enabled or not one we read."""
    suffix = PurePath(name or "").suffix.lower().lstrip(".")
    if suffix in MACRO_EXTENSIONS:
        raise _refuse(
            _(
                "“%(name)s” is a macro-enabled workbook. Macros are never imported: "
                "save it as .xlsx (Excel workbook) and upload that."
            )
            % {"name": name},
            "macro",
        )
    if suffix not in FORMATS:
        raise _refuse(
            _("“%(name)s” is not a spreadsheet we read. Upload .xlsx, .xls, .ods or .csv.")
            % {"name": name},
            "file_type",
        )
    return suffix


def check_file(name: str, stream) -> str:
    """Refuse ``stream`` (a seekable binary file named ``name``) unless it is safe to parse.

    Returns the format (``xlsx``, ``xls``, ``ods`` or ``csv``). Raises
    :class:`ImportRefused` with a message for the user otherwise.
    """
    fmt = file_format(name)
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    limit = settings.RECTIFY_IMPORT_MAX_BYTES
    if size > limit:
        raise _refuse(
            _("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            "too_large",
        )
    if size == 0:
        raise _refuse(_("“%(name)s” is empty.") % {"name": name}, "empty")
    head = stream.read(8)
    stream.seek(0)
    mismatch = _refuse(
        _(
            "The content of “%(name)s” is not a .%(format)s file. Open it in Excel or WPS "
            "and save it again as .xlsx."
        )
        % {"name": name, "format": fmt},
        "mismatch",
    )
    if fmt in ("xlsx", "ods"):
        if not head.startswith(b"PK"):
            raise mismatch
        _check_zip(name, fmt, stream, mismatch)
    elif fmt == "xls":
        if head != OLE2_MAGIC:
            raise mismatch
        if "_VBA_PROJECT".encode("utf-16-le") in stream.read():
            raise _refuse(
                _(
                    "“%(name)s” contains macros. Macros are never imported: "
                    "save it as .xlsx (Excel workbook) and upload that."
                )
                % {"name": name},
                "macro",
            )
        stream.seek(0)
    else:
        sample = stream.read(64 * 1024)
        stream.seek(0)
        if head.startswith((b"PK", OLE2_MAGIC)) or b"\x00" in sample:
            raise mismatch
    return fmt


def _corrupt(name: str) -> ImportRefused:
    return _refuse(
        _("“%(name)s” is damaged and cannot be read. Save it again and upload the new copy.")
        % {"name": name},
        "corrupt",
    )


def _check_zip(name: str, fmt: str, stream, mismatch: ImportRefused) -> None:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _corrupt(name) from exc
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        total = sum(m.file_size for m in members)
        limit = settings.RECTIFY_IMPORT_MAX_UNZIPPED_BYTES
        ratio_limit = settings.RECTIFY_IMPORT_MAX_ZIP_RATIO
        bomb = _refuse(
            _(
                "“%(name)s” unpacks to far more data than a spreadsheet of its size holds "
                "(a “zip bomb”), so it was not opened."
            )
            % {"name": name},
            "zip_bomb",
        )
        if total > limit:
            raise bomb
        for member in members:
            if member.file_size > RATIO_FLOOR and (
                member.file_size > ratio_limit * max(member.compress_size, 1)
            ):
                raise bomb
        if fmt == "xlsx":
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise mismatch
            types = _read_member(archive, "[Content_Types].xml", name)
            if b"macroEnabled" in types or any(n.lower().endswith(".bin") for n in names):
                raise _refuse(
                    _(
                        "“%(name)s” contains macros. Macros are never imported: "
                        "save it as .xlsx (Excel workbook) and upload that."
                    )
                    % {"name": name},
                    "macro",
                )
            if b"spreadsheetml.sheet.main+xml" not in types:
                raise mismatch
        else:
            if "mimetype" not in names or "content.xml" not in names:
                raise mismatch
            if _read_member(archive, "mimetype", name).strip() != ODS_MIMETYPE:
                raise mismatch
            if any(n.startswith(("Basic/", "Scripts/")) for n in names):
                raise _refuse(
                    _(
                        "“%(name)s” contains macros. Macros are never imported: "
                        "save it without them and upload that."
                    )
                    % {"name": name},
                    "macro",
                )
        # Inflate every member once: zipfile stops at the declared size and checks the
        # CRC, so a damaged archive or one that lies about its sizes fails here.
        for member in members:
            _read_member(archive, member, name, keep=False)
    stream.seek(0)


def _read_member(archive: zipfile.ZipFile, member, name: str, *, keep: bool = True) -> bytes:
    chunks = []
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(1 << 20):
                if keep:
                    chunks.append(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _corrupt(name) from exc
    except NotImplementedError as exc:  # an unsupported compression method
        raise _corrupt(name) from exc
    return b"".join(chunks)


# Reading ------------------------------------------------------------------------------


class Spreadsheet:
    """An opened, checked spreadsheet: its sheet names and the rows of one sheet."""

    def __init__(self, path: str, fmt: str, name: str = ""):
        self.path = str(path)
        self.format = fmt
        self.name = name or PurePath(path).name
        self._book = None
        if fmt == "csv":
            self.sheet_names = [PurePath(self.name).stem or "CSV"]
        else:
            try:
                self._book = python_calamine.CalamineWorkbook.from_path(self.path)
            except Exception as exc:  # calamine raises its own, varied errors
                raise _corrupt(self.name) from exc
            self.sheet_names = [
                meta.name
                for meta in self._book.sheets_metadata
                if meta.visible == python_calamine.SheetVisibleEnum.Visible
                and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            ]
            if not self.sheet_names:
                raise _refuse(
                    _("“%(name)s” has no visible worksheet.") % {"name": self.name}, "no_sheet"
                )

    def close(self) -> None:
        """Let go of the workbook."""
        if self._book is not None:
            self._book.close()
            self._book = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def rows(self, sheet: int = 0) -> Iterator[Row]:
        """The rows of sheet number ``sheet`` (of :attr:`sheet_names`), merges expanded.

        Raises :class:`ImportRefused` for a sheet beyond the row limit or a cell
        beyond the text limit.
        """
        if self.format == "csv":
            yield from self._csv_rows()
        else:
            yield from self._book_rows(self.sheet_names[sheet])

    def _too_many_rows(self, count: int) -> ImportRefused:
        return _refuse(
            _(
                "The sheet has %(count)s rows or more; the limit is %(limit)s. "
                "Split the file and import the parts one after another."
            )
            % {"count": f"{count:,}", "limit": f"{settings.RECTIFY_IMPORT_MAX_ROWS:,}"},
            "too_many_rows",
        )

    def _check_cells(self, cells: list, number: int, limit: int) -> None:
        """Refuse a cell of more than ``limit`` characters (the setting, read once per sheet)."""
        for value in cells:
            if type(value) is str and len(value) > limit:
                column = cells.index(value)
                raise self._cell_too_long(value, number, column, limit)

    def _cell_too_long(self, value: str, number: int, column: int, limit: int) -> ImportRefused:
        return _refuse(
            _("Cell %(cell)s holds %(count)s characters; the limit is %(limit)s.")
            % {
                "cell": f"{column_letter(column)}{number}",
                "count": f"{len(value):,}",
                "limit": f"{limit:,}",
            },
            "cell_too_long",
        )

    def _book_rows(self, sheet_name: str) -> Iterator[Row]:
        try:
            sheet = self._book.get_sheet_by_name(sheet_name)
        except Exception as exc:
            raise _corrupt(self.name) from exc
        if sheet.start is None:
            return
        left = sheet.start[1]
        last = sheet.end[0] + 1
        if last > settings.RECTIFY_IMPORT_MAX_ROWS:
            raise self._too_many_rows(last)
        if self.format == "ods":
            merges = _ods_merges(self.path, self.sheet_names.index(sheet_name), self.sheet_names)
            merges = [m for m in merges if m.bottom > m.top or m.right > m.left]
            merges.sort(key=operator.attrgetter("top", "left"))
        else:
            # By their top-left cell (calamine lists them so already; sorted on the tuples it
            # gives, that costs one comparison each), before a Merge is made of each.
            ranges = sorted(sheet.merged_cell_ranges or (), key=operator.itemgetter(0))
            merges = [Merge(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges if r1 > r0 or c1 > c0]
        starts = iter(merges)
        upcoming = next(starts, None)
        # python-calamine 0.9 yields every row from the first (empty ones included) but
        # only the columns from the first used one: pad the left, count rows from 0.
        padding = [""] * left
        check = functools.partial(self._check_cells, limit=settings.RECTIFY_IMPORT_MAX_CELL_CHARS)
        # The merges covering a row change only where one starts or where one ends: the
        # rows in between are under the same merges, so they share one ``merges`` dict
        # (never changed once read) and one list of the cells to fill, worked out at each
        # change. Most rows cost nothing but their filling.
        active: list[Merge] = []  # the merges covering the current row, in sheet order
        change = 0  # the next row where they change (-1: none does)
        row_merges: dict[int, Merge] = {}
        fills: list[tuple[int, object]] = []
        width = 0
        for absolute, values in enumerate(sheet.iter_rows()):
            cells = padding + values if padding else values
            if absolute == change:
                active = [merge for merge in active if merge.bottom >= absolute]
                while upcoming is not None and upcoming.top <= absolute:
                    if upcoming.top == absolute:
                        upcoming.value = cells[upcoming.left] if upcoming.left < len(cells) else ""
                    active.append(upcoming)
                    upcoming = next(starts, None)
                changes = [merge.bottom + 1 for merge in active]
                if upcoming is not None:
                    changes.append(upcoming.top)
                change = min(changes, default=-1)
                row_merges = {}
                for merge in active:
                    if merge.left == merge.right:  # most merges: one column over several rows
                        row_merges[merge.left] = merge
                        continue
                    for column in range(merge.left, merge.right + 1):
                        row_merges[column] = merge
                fills = [(column, merge.value) for column, merge in row_merges.items()]
                width = max(row_merges, default=-1) + 1
            if not active:
                check(cells, absolute + 1)
                yield Row(absolute + 1, cells)
                continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            for column, value in fills:
                cells[column] = value
            check(cells, absolute + 1)
            yield Row(absolute + 1, cells, row_merges)

    def _csv_rows(self) -> Iterator[Row]:
        limit = settings.RECTIFY_IMPORT_MAX_ROWS
        cell_limit = settings.RECTIFY_IMPORT_MAX_CELL_CHARS
        with open(self.path, "rb") as raw:
            encoding = _csv_encoding(raw)
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            sample = text.read(64 * 1024)
            text.seek(0)
            if encoding == "utf-8-sig":
                # TextIOWrapper drops the BOM only on the first read; after a seek it comes back.
                first = text.read(1)
                if first != "\ufeff":
                    text.seek(0)
            dialect = _sniff(sample)
            previous = csv.field_size_limit()
            csv.field_size_limit(cell_limit + 1)
            try:
                for index, values in enumerate(csv.reader(text, dialect)):
                    if index >= limit:
                        raise self._too_many_rows(index + 1)
                    self._check_cells(values, index + 1, cell_limit)
                    yield Row(index + 1, values)
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise _refuse(
                        _("A cell holds more than %(limit)s characters.")
                        % {"limit": f"{cell_limit:,}"},
                        "cell_too_long",
                    ) from exc
                raise _corrupt(self.name) from exc
            except UnicodeDecodeError as exc:
                raise _refuse(
                    _("“%(name)s” is not in a text encoding we read (UTF-8 or GB18030).")
                    % {"name": self.name},
                    "encoding",
                ) from exc
            finally:
                csv.field_size_limit(previous)


def _csv_encoding(raw) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as such, else GB18030 (Chinese Excel)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        while chunk := raw.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    raw.seek(0)
    return encoding


def _sniff(sample: str):
    """The dialect of a CSV sample: the delimiter most lines use the same number of times.

    csv.Sniffer gives up on real ledgers (a title line, blank lines, a footer
    line with no delimiter at all); counting per line does not.
    """
    lines = [line for line in sample.splitlines()[:-1] or sample.splitlines() if line.strip()]
    best, best_score = ",", 0
    for delimiter in (",", "\t", ";", "|"):
        counts = [line.count(delimiter) for line in lines[:100]]
        used = [c for c in counts if c]
        if not used:
            continue
        mode = max(set(used), key=used.count)
        score = used.count(mode) * 1000 + mode
        if score > best_score:
            best, best_score = delimiter, score

    class Dialect(csv.excel):
        delimiter = best

    return Dialect


# ODS merged cells: python-calamine does not report them, so read the spans ourselves.

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_T = f"{{{_TABLE}}}"


def _ods_merges(path: str, sheet_index: int, visible_names: list[str]) -> list[Merge]:
    """The merged ranges of the ODS sheet named ``visible_names[sheet_index]``."""
    wanted = visible_names[sheet_index]
    merges: list[Merge] = []
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        in_table = False
        row = -1
        column = 0
        for event, element in ElementTree.iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_T}table":
                    in_table = element.get(f"{_T}name") == wanted
                    row = -1
                elif in_table and tag == f"{_T}table-row":
                    row += 1
                    column = 0
                elif in_table and tag in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                    rows_spanned = int(element.get(f"{_T}number-rows-spanned", "1"))
                    columns_spanned = int(element.get(f"{_T}number-columns-spanned", "1"))
                    if tag == f"{_T}table-cell" and (rows_spanned > 1 or columns_spanned > 1):
                        merges.append(
                            Merge(row, column, row + rows_spanned - 1, column + columns_spanned - 1)
                        )
            else:
                if tag == f"{_T}table":
                    if in_table:
                        break
                elif in_table and tag == f"{_T}table-row":
                    row += int(element.get(f"{_T}number-rows-repeated", "1")) - 1
                    element.clear()
                elif in_table and tag in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                    column += int(element.get(f"{_T}number-columns-repeated", "1"))
    return merges
