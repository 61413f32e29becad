"""A checked plan kept from the click on "Import" to the background job that writes it.

The import page plans the file to tell whether every row can land; the job
then writes that very plan instead of reading and planning the file a second
time (for a large ledger, seconds the user would wait twice). What the job
needs is kept beside the upload, in private storage: the problems and
measures as they will be stored, the people decisions, the mapping, and the
issues that block (the notes that do not are left out). A plan that cannot be
read back (another version of Rectify wrote it, or the bytes are damaged) is
``None``: the job then plans the file again, as it always could.

The plan is kept with :mod:`marshal`, never pickle: reading it back builds
plain values (strings, numbers, lists, tuples, dicts, frozensets) and runs no
code, whoever wrote the file; what is read is checked for its shape before
use. The problems and measures are kept column by column (a list per field),
which marshal writes and reads in C, each repeated string once: a hundred
thousand measures take a tenth of a second and 11 MB, where JSON took half a
second and 40 MB.
"""

import dataclasses
import datetime as dt
import marshal
import operator

from .memory import collector_paused
from .model import Issue, PersonQuestion, Plan, PlannedMeasure, PlannedProblem

#: Bump when what is kept changes; a plan of another version is planned again.
VERSION = 2
#: Every field of a planned problem and measure, in their order (checked when read back).
PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(PlannedProblem))
MEASURE_FIELDS = tuple(f.name for f in dataclasses.fields(PlannedMeasure))
QUESTION_FIELDS = ("name", "rows", "unit_id", "unit", "decision", "ambiguous")
#: Fields kept in another form than their own: dates as their ordinal.
DATE_FIELDS = ("found_on", "deadline")
#: The types a kept column may hold (what marshal reads that is plain data).
PLAIN = frozenset({str, int, float, bool, type(None), list, tuple, frozenset})


@collector_paused
def dump_plan(plan: Plan) -> bytes:
    """``plan`` as marshal data: what :func:`load_plan` needs to hand it to ``import_plan``."""
    measures = [m for p in plan.problems for m in p.measures]
    problems = _columns(plan.problems, PROBLEM_FIELDS, "measures")
    problems["measures"] = [len(p.measures) for p in plan.problems]
    data = {
        "version": VERSION,
        "fields": (PROBLEM_FIELDS, MEASURE_FIELDS),
        "file_name": plan.file_name,
        "sheet": plan.sheet,
        "columns": {column: str(key) for column, key in plan.columns.items()},
        "rows_read": plan.rows_read,
        "data_rows": plan.data_rows,
        "persons": {str(name): pk for name, pk in plan.persons.items()},
        "questions": [_plain_tuple(getattr(q, name) for name in QUESTION_FIELDS)
                      for q in plan.questions],
        "blocking": [_plain_tuple(dataclasses.astuple(issue)) for issue in plan.blocking],
        "problems": problems,
        "measures": _columns(measures, MEASURE_FIELDS),
    }  # fmt: skip
    return marshal.dumps(data)


@collector_paused
def load_plan(content: bytes) -> Plan | None:
    """The plan :func:`dump_plan` kept, or None when it cannot be read back as one."""
    try:
        data = marshal.loads(content)
    except (EOFError, ValueError, TypeError):
        return None
    if (
        type(data) is not dict
        or data.get("version") != VERSION
        or data.get("fields") != (PROBLEM_FIELDS, MEASURE_FIELDS)
    ):
        return None
    try:
        return _plan(data)
    except (KeyError, TypeError, ValueError, IndexError, OverflowError):
        return None


def _plan(data: dict) -> Plan | None:
    problems, measures = data["problems"], data["measures"]
    counts = problems["measures"]
    if not (_is_column(counts, len(problems["row"])) and all(type(n) is int for n in counts)):
        return None
    if not all(_is_column(problems[n], len(counts)) for n in PROBLEM_FIELDS if n != "measures"):
        return None
    if not all(_is_column(measures[name], sum(counts)) for name in MEASURE_FIELDS):
        return None
    planned = list(map(PlannedMeasure, *_values(measures, MEASURE_FIELDS)))
    groups, start = [], 0
    for count in counts:
        groups.append(planned[start : start + count])
        start += count
    problems["measures"] = groups
    return Plan(
        file_name=data["file_name"],
        sheet_names=[],
        sheet=data["sheet"],
        columns=dict(data["columns"]),
        rows_read=data["rows_read"],
        data_rows=data["data_rows"],
        persons=dict(data["persons"]),
        questions=[
            PersonQuestion(**dict(zip(QUESTION_FIELDS, values, strict=True)))
            for values in data["questions"]
        ],
        issues=[Issue(*values) for values in data["blocking"]],
        problems=list(map(PlannedProblem, *_values(problems, PROBLEM_FIELDS))),
    )


def _is_column(column, length: int) -> bool:
    """True when ``column`` is a list of ``length`` plain values."""
    return type(column) is list and len(column) == length and set(map(type, column)) <= PLAIN


def _plain(value):
    """``value`` as marshal keeps it: a date as its ordinal, a choice (a ``str``) as text."""
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, str):
        return str.__str__(value)  # an exact str: marshal refuses str subclasses
    return value


def _plain_tuple(values) -> tuple:
    return tuple(v if type(v) in PLAIN else _plain(v) for v in values)


def _columns(items: list, names: tuple[str, ...], *skip: str) -> dict[str, list]:
    """``items`` as a list of values per field, each in the form :func:`_plain` gives it."""
    columns = {}
    for name in names:
        if name in skip:
            continue
        values = list(map(operator.attrgetter(name), items))
        if not set(map(type, values)) <= PLAIN:  # dates, choices: each distinct value once
            plain = {value: _plain(value) for value in set(values)}
            values = list(map(plain.__getitem__, values))
        columns[name] = values
    return columns


def _values(columns: dict[str, list], names: tuple[str, ...]) -> list[list]:
    """The columns :func:`_columns` made, back in their own form, in field order."""
    values = []
    for name in names:
        column = columns[name]
        if name in DATE_FIELDS:
            days = {n: dt.date.fromordinal(n) for n in set(column) - {None}}
            days[None] = None
            column = list(map(days.__getitem__, column))
        values.append(column)
    return values
