"""Export of the lists as .xlsx and .csv: what to export, the writers, and background jobs.

What a user exports is what the list page shows them: an :class:`ExportRequest`
names the page (its ``source``), the list and the page's query string, and
:func:`build_source` builds the same filter the page builds, over the same
scoped querysets. The terminal command builds its request the same way,
without a user (the operator sees the whole campaign).

The .xlsx is written by XlsxWriter in ``constant_memory`` mode: rows go to
disk as they are written, and what must wait for the end of the sheet (the
merged ranges) is kept compact, so a 100,000-row ledger is written by a
process of under 100 MB. Empty cells are not written at all: one conditional
format draws the table's thin borders. Every text cell is written with
``write_string`` (a string cell, never a formula), and text that a
spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return first) also gets Excel's quote prefix, so it stays text even
after someone edits the cell. In CSV, where a cell has no type, such text is
prefixed with a single quote (OWASP's advice).
"""

import csv
import io
import logging
import tempfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import xlsxwriter
from django.conf import settings
from django.core.files import File
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rectify.core.xlsx import FORMULA_PREFIXES, XLSX_CONTENT_TYPE
from rectify.ledger.filters import MeasureFilter, ProblemFilter
from rectify.ledger.lights import Light
from rectify.ledger.models import Measure, Problem
from rectify.ledger.selectors import (
    measures_answered_by,
    measures_of_department,
    measures_visible_to,
    problems_visible_to,
    with_light,
)
from rectify.ledger.views.common import filtered, narrow_filter, persons_listed_for
from rectify.org.scoping import person_of, units_visible_to

from .columns import COLUMNS, ID_HEADER
from .models import Job, JobKind, JobStatus
from .rows import (
    LIST_TITLES,
    MEASURE_ONLY_FILTERS,
    PROBLEM_KEYS,
    Heading,
    RowSource,
    date_text,
    filter_summary,
    light_label,
)

logger = logging.getLogger(__name__)

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "csv": "text/csv; charset=utf-8"}
_FORMULA_STARTS = "".join(FORMULA_PREFIXES)

#: The pages an export starts from, and the lists each offers.
SOURCES = {
    "problems": ("problems", "ledger"),
    "measures": ("measures", "responsibilities", "ledger"),
    "mine": ("responsibilities",),
    "person": ("responsibilities",),
    "department": ("responsibilities",),
}
#: Filters of the measure list that the problem filter shares (the ledger's problems).
_PROBLEM_FILTERS = ("campaign", "unit", "target", "source", "level")

#: Rows between two progress reports of a writer.
PROGRESS_EVERY = 1000
#: Rows of CSV sent at a time.
CSV_CHUNK_ROWS = 200


def direct_limit() -> int:
    """Exports with at most this many rows are answered at once; larger ones run as a job."""
    return settings.RECTIFY_EXPORT_DIRECT_ROWS


# What to export


@dataclass(frozen=True)
class ExportRequest:
    """An export as a page asks for it: the list, the page it starts from, the page's filters.

    ``pk`` is the person or the department of a responsibility page. The
    request is stored in a background job's ``params`` and rebuilt there.
    """

    list_name: str
    source: str
    query: str = ""
    pk: int | None = None

    def __post_init__(self):
        if self.source not in SOURCES or self.list_name not in SOURCES[self.source]:
            raise ValueError(f"{self.source} does not export {self.list_name}")

    def params(self) -> dict:
        """The request as JSON-ready data (a job's ``params``)."""
        return asdict(self)


def build_source(request: ExportRequest, user) -> RowSource:
    """The rows ``request`` asks for, as ``user`` sees them (``None``: everything).

    Raises ``Http404`` when the person or department of a responsibility page
    is not one the user may see, as the page itself does.
    """
    data = QueryDict(request.query)
    if request.source == "problems":
        return _problem_page_source(request.list_name, data, user)
    if request.source == "measures":
        return _measure_page_source(request.list_name, data, user)
    return _responsibility_source(request, user)


def _problems(user):
    return Problem.objects.all() if user is None else problems_visible_to(user)


def _measures(user):
    return with_light(Measure.objects.all()) if user is None else measures_visible_to(user)


def _filterset(filter_class, data, queryset, user):
    filterset = filter_class(data, queryset=queryset)
    if user is not None:
        narrow_filter(filterset, user)
    return filterset


def _heading(filterset) -> Heading:
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}
    unit = cleaned.get("unit")
    return Heading(
        campaign=cleaned.get("campaign"),
        place=unit.name if unit else "",
        filters=filter_summary(filterset),
    )


def _problem_page_source(list_name: str, data: QueryDict, user) -> RowSource:
    filterset = _filterset(ProblemFilter, data, _problems(user), user)
    return RowSource(
        list_name,
        problems=filtered(filterset),
        measures=_measures(user) if list_name == "ledger" else None,
        heading=_heading(filterset),
    )


def _measure_page_source(list_name: str, data: QueryDict, user) -> RowSource:
    filterset = _filterset(MeasureFilter, data, _measures(user), user)
    measures = filtered(filterset)
    heading = _heading(filterset)
    if list_name == "ledger" and filterset.is_valid():
        cleaned = filterset.form.cleaned_data
        if all(cleaned.get(name) in (None, "") for name in MEASURE_ONLY_FILTERS):
            # Only problem-level filters: the ledger is led by the problems, so a
            # problem still awaiting its measures shows too (one row, measure cells empty).
            problem_data = QueryDict(mutable=True)
            for name in _PROBLEM_FILTERS:
                if name in data:
                    problem_data.setlist(name, data.getlist(name))
            problems = _filterset(ProblemFilter, problem_data, _problems(user), user)
            return RowSource(
                "ledger", problems=filtered(problems), measures=measures, heading=heading
            )
    return RowSource(list_name, measures=measures, heading=heading)


def _responsibility_source(request: ExportRequest, user) -> RowSource:
    if user is None:
        raise ValueError("a responsibility list is exported for a user")
    if request.source == "department":
        unit = get_object_or_404(units_visible_to(user), pk=request.pk)
        measures, place = measures_of_department(unit, user), unit.name
    else:
        if request.source == "mine":
            person = person_of(user)
        else:
            person = get_object_or_404(persons_listed_for(user), pk=request.pk)
        if person is None:
            measures, place = Measure.objects.none(), ""
        else:
            measures, place = measures_answered_by(person, user), person.name
    return RowSource(request.list_name, measures=measures, heading=Heading(place=place))


# Writers


_LIGHT_COLOURS = {
    # fill, font: the colours of Excel's own good / neutral / bad cell styles.
    Light.RED: ("#FFC7CE", "#9C0006"),
    Light.YELLOW: ("#FFEB9C", "#9C5700"),
    Light.GREEN: ("#C6EFCE", "#006100"),
    Light.GREY: ("#D9D9D9", "#404040"),
}
#: Title and subtitle rows above the header row.
HEADER_ROW = 2
#: Points per line of wrapped 11-point text.
LINE_HEIGHT = 15
#: How each column's cells are written.
_TEXT, _NUMBER, _DATE, _LIGHT = "text", "number", "date", "light"
_KINDS = {
    "seq": _NUMBER,
    "urges": _NUMBER,
    "extensions": _NUMBER,
    "deadline": _DATE,
    "light": _LIGHT,
}


class _Styles:
    """The cell formats of a sheet, made once (a format per cell would bloat the file).

    Cells carry no borders of their own: one conditional format draws thin
    borders over the whole table (see :func:`write_xlsx`).
    """

    def __init__(self, workbook, keys: tuple[str, ...]):
        cell = {"valign": "vcenter", "text_wrap": True}
        self.title = workbook.add_format({"bold": True, "font_size": 16, "align": "center"})
        self.subtitle = workbook.add_format({"font_size": 10})
        self.header = workbook.add_format(
            {**cell, "border": 1, "bold": True, "align": "center", "bg_color": "#F2F2F2"}
        )
        self.border = workbook.add_format({"border": 1})
        self.hidden = workbook.add_format({})
        self.date = workbook.add_format({**cell, "align": "center", "num_format": "yyyy-mm-dd"})
        self.light = {
            light: workbook.add_format(
                {**cell, "align": "center", "bg_color": fill, "font_color": font}
            )
            for light, (fill, font) in _LIGHT_COLOURS.items()
        }
        self.text, self.quoted = [], []
        for key in keys:
            properties = {**cell, "align": "left" if COLUMNS[key].wrap else "center"}
            self.text.append(workbook.add_format(properties))
            self.quoted.append(workbook.add_format({**properties, "quote_prefix": True}))


def _lines(value, room: int) -> int:
    """How many lines ``value`` wraps to in a column with ``room`` Latin characters of space.

    A Chinese character is about two Latin ones wide, and three bytes in
    UTF-8 to a Latin one's one: half the sum of bytes and characters is the
    width, without looking at each character.
    """
    if not isinstance(value, str) or not value:
        return 1
    return sum(
        max(1, -(-((len(part.encode()) + len(part)) // 2) // room)) for part in value.split("\n")
    )


class _MergedRanges:
    """A sheet's merged ranges, four integers each in one array.

    XlsxWriter keeps the ranges in a list until the end of the sheet, where the
    file lists them (after the rows): a tuple per range would be 80 bytes, and
    a ledger has seven ranges per problem. The sheet only appends, counts and
    iterates, which this does in 32 bytes a range.
    """

    def __init__(self):
        self._numbers = array("l")

    def append(self, cell_range) -> None:
        self._numbers.extend(cell_range)

    def __len__(self) -> int:
        return len(self._numbers) // 4

    def __iter__(self):
        numbers = self._numbers
        return (tuple(numbers[i : i + 4]) for i in range(0, len(numbers), 4))


def _merge_down(sheet, first_row: int, col: int, last_row: int) -> None:
    """Record a merged range over rows written one by one.

    ``merge_range`` writes its blank cells at once, which in constant-memory
    mode would flush the current row before the rest of it is written, and it
    cannot reach rows already flushed. The range itself is only listed in the
    sheet's ``<mergeCells>`` at the end, so the rows are written in order (the
    value in the top cell) and the range is recorded here.
    """
    sheet.merge.append((first_row, col, last_row, col))


def write_xlsx(source: RowSource, output, *, progress: Callable[[int], None] | None = None) -> int:
    """Write ``source`` as a workbook to ``output`` (a path or a binary file); return the rows."""
    keys = source.columns
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    workbook.set_properties({"title": source.heading.title(source.list_name)})
    sheet = workbook.add_worksheet(_sheet_name(str(LIST_TITLES[source.list_name])))
    sheet.merge = _MergedRanges()
    styles = _Styles(workbook, keys)
    last = len(keys) - 1
    # Widths, freeze and print setup come first: constant-memory rows are final once written.
    for col, key in enumerate(keys):
        sheet.set_column(col, col, COLUMNS[key].width)
    sheet.set_column(last + 1, last + 1, 16, styles.hidden, {"hidden": True})
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.repeat_rows(HEADER_ROW)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C" + _("Page &P of &N"))

    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, last, source.heading.title(source.list_name), styles.title)
    sheet.merge_range(1, 0, 1, last, source.heading.subtitle(), styles.subtitle)
    for col, key in enumerate(keys):
        sheet.write_string(HEADER_ROW, col, str(COLUMNS[key].label), styles.header)
    sheet.write_string(HEADER_ROW, last + 1, ID_HEADER, styles.hidden)

    # Per column: where, which key, how it is written, its two text styles.
    columns = [
        (col, key, _KINDS.get(key, _TEXT), styles.text[col], styles.quoted[col])
        for col, key in enumerate(keys)
    ]
    merged = [col for col, key in enumerate(keys) if key in PROBLEM_KEYS] if source.merged else []
    merged_set = frozenset(merged)
    below = [column for column in columns if column[0] not in merged_set]  # rows under a merge
    lights = {light: (light_label(light), styles.light[light]) for light in Light}
    room = [COLUMNS[key].width - 1 for key in keys]
    write_string, write_number = sheet.write_string, sheet.write_number
    row = HEADER_ROW + 1
    written = 0
    for group in source.groups():
        span = len(group)
        share = 1  # lines each row of the group gives its merged cells
        if span > 1:
            for col in merged:
                _merge_down(sheet, row, col, row + span - 1)
            needed = max(_lines(group[0].get(keys[col]), room[col]) for col in merged)
            share = -(-needed // span)
        spanning = merged_set if span > 1 else ()
        cells_of = columns
        for cells in group:
            lines = share
            for col, key, kind, text_style, quoted_style in cells_of:
                value = cells.get(key)
                if value is None or value == "":
                    continue
                if kind is _TEXT:
                    text = value if isinstance(value, str) else str(value)
                    quoted = text[0] in _FORMULA_STARTS
                    write_string(row, col, text, quoted_style if quoted else text_style)
                    # One paragraph shorter than half its room fits on one line whatever it holds.
                    if (len(text) * 2 > room[col] or "\n" in text) and col not in spanning:
                        if "\n" in text:
                            lines = max(lines, _lines(text, room[col]))
                        else:  # _lines for one paragraph, inline: this runs for most cells
                            width = (len(text.encode()) + len(text)) // 2
                            lines = max(lines, -(-width // room[col]))
                elif kind is _NUMBER:
                    write_number(row, col, value, text_style)
                elif kind is _LIGHT:
                    write_string(row, col, *lights[value])
                elif isinstance(value, str):  # a deadline in words: 长期坚持
                    write_string(row, col, value, text_style)
                else:
                    sheet.write_datetime(row, col, value, styles.date)
            write_string(row, last + 1, cells["id"], styles.hidden)
            if lines > 1:
                # Neither Excel nor LibreOffice fits a row to a merged cell, and LibreOffice
                # keeps the default height on load: say how tall the wrapped text is.
                sheet.set_row(row, lines * LINE_HEIGHT)
            # The previous row is on disk; XlsxWriter would keep its height to the end.
            sheet.row_info.pop(row - 1, None)
            cells_of = below
            row += 1
            written += 1
            if progress and written % PROGRESS_EVERY == 0:
                progress(written)
    if written:
        # Thin borders over every cell of the table, empty and merged ones included, drawn
        # by one rule instead of a formatted blank cell in each gap (a third of the cells).
        sheet.conditional_format(
            HEADER_ROW + 1,
            0,
            row - 1,
            last,
            {"type": "formula", "criteria": "TRUE", "format": styles.border},
        )
    workbook.close()
    if progress:
        progress(written)
    return written


def _sheet_name(name: str) -> str:
    for forbidden in "[]:*?/\\":
        name = name.replace(forbidden, " ")
    return name[:31] or "Sheet1"


def csv_chunks(
    source: RowSource, *, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """``source`` as CSV: UTF-8 with a BOM (so Excel reads Chinese), in chunks of bytes.

    A chunk holds a few hundred rows: small enough to stream, large enough
    that writing them is not a call per row.
    """
    keys = source.columns
    lights = {light: light_label(light) for light in Light}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(COLUMNS[key].label) for key in keys] + [ID_HEADER])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    written = 0
    for row in source.rows():
        cells = []
        for key in keys:
            value = row.get(key)
            if value is None:
                cells.append("")
            elif isinstance(value, str):
                if key == "light":
                    cells.append(lights[value])
                elif value and value[0] in _FORMULA_STARTS:
                    cells.append("'" + value)  # shown as text, never run (OWASP)
                else:
                    cells.append(value)
            else:
                cells.append(date_text(value) if key == "deadline" else str(value))
        cells.append(row["id"])
        writer.writerow(cells)
        written += 1
        if written % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
        if progress and written % PROGRESS_EVERY == 0:
            progress(written)
    yield buffer.getvalue().encode("utf-8")
    if progress:
        progress(written)


def write_csv(source: RowSource, output, *, progress: Callable[[int], None] | None = None) -> int:
    """Write ``source`` as CSV to ``output`` (a binary file); return the rows."""
    written = 0

    def counted(done: int) -> None:
        nonlocal written
        written = done
        if progress:
            progress(done)

    for chunk in csv_chunks(source, progress=counted):
        output.write(chunk)
    return written


WRITERS = {"xlsx": write_xlsx, "csv": write_csv}


def write_export(
    source: RowSource, fmt: str, output, *, progress: Callable[[int], None] | None = None
) -> int:
    """Write ``source`` in ``fmt`` (``xlsx`` or ``csv``) to ``output``; return the rows."""
    return WRITERS[fmt](source, output, progress=progress)


def export_filename(source: RowSource, fmt: str) -> str:
    """The file name offered for the download."""
    return source.heading.filename(source.list_name, fmt)


# Background jobs


def export_job_create(*, request: ExportRequest, fmt: str, acting_user) -> Job:
    """Record an export to run in the background and queue it; return the job."""
    from .tasks import run_export

    if fmt not in FORMATS:
        raise ValueError(fmt)
    job = Job.objects.create(
        kind=JobKind.EXPORT,
        owner=acting_user,
        params={**request.params(), "format": fmt, "language": translation.get_language()},
    )
    run_export.enqueue(job.pk)
    return job


def export_job_run(job_id: int) -> None:
    """Run a queued export: write its file, recording the progress on the job as it goes."""
    # Claimed in one UPDATE: a job queued twice, or picked by two workers, runs once.
    if not Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(status=JobStatus.RUNNING):
        return
    job = Job.objects.select_related("owner").get(pk=job_id)
    params = dict(job.params)
    fmt = params.pop("format")
    language = params.pop("language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            source = build_source(ExportRequest(**params), job.owner)
            total = source.count()
            Job.objects.filter(pk=job.pk).update(total=total)

            def progress(done: int) -> None:
                Job.objects.filter(pk=job.pk).update(done=done, total=max(total, done))

            with tempfile.TemporaryFile() as handle:
                written = write_export(source, fmt, handle, progress=progress)
                handle.seek(0)
                job.output_name = export_filename(source, fmt)
                job.output.save(f"export-{job.pk}.{fmt}", File(handle), save=False)
        except Http404:
            _fail(job, _("The person or unit of this list is no longer visible to you."))
            return
        except Exception:
            logger.exception("export job %s failed", job.pk)
            _fail(job, _("The export failed. Please try again or tell the administrator."))
            return
    job.status = JobStatus.DONE
    job.done = job.total = written
    job.result = {"rows": written}
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "done", "total", "result", "output", "output_name", "finished_at"]
    )


def _fail(job: Job, message: str) -> None:
    job.status = JobStatus.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
