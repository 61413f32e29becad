"""A checked plan kept from the click on "Import" to the background job that writes it.

The import page plans the file to tell whether every row can land; the job
then writes that very plan instead of reading and planning the file a second
time (for a large ledger, seconds the user would wait twice). What the job
needs is kept as JSON beside the upload, in private storage: the problems and
measures as they will be stored, the people decisions, the mapping, and the
issues that block (the notes that do not are left out). A plan that cannot be
read back (another version of Rectify wrote it) is ``None``: the job then
plans the file again, as it always could.

JSON, never pickle: reading it back runs no code, whoever wrote the file. The
problems and measures are kept column by column (a list per field), which
json reads and writes in C: a hundred thousand measures take a second, not
several.
"""

import dataclasses
import datetime as dt
import json
import operator

from .memory import collector_paused
from .model import Issue, PersonQuestion, Plan, PlannedMeasure, PlannedProblem

#: Bump when what is kept changes; a plan of another version is planned again.
VERSION = 1
#: Every field of a planned problem and measure, in their order (checked when read back).
PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(PlannedProblem))
MEASURE_FIELDS = tuple(f.name for f in dataclasses.fields(PlannedMeasure))
QUESTION_FIELDS = ("name", "rows", "unit_id", "unit", "decision", "ambiguous")
#: Fields kept in another form than their own.
DATE_FIELDS = ("found_on", "deadline")
SET_FIELDS = ("given",)


@collector_paused
def dump_plan(plan: Plan) -> bytes:
    """``plan`` as JSON: what :func:`load_plan` needs to hand it to ``import_plan``."""
    measures = [m for p in plan.problems for m in p.measures]
    problems = _columns(plan.problems, PROBLEM_FIELDS, "measures")
    problems["measures"] = [len(p.measures) for p in plan.problems]
    data = {
        "version": VERSION,
        "fields": [PROBLEM_FIELDS, MEASURE_FIELDS],
        "file_name": plan.file_name,
        "sheet": plan.sheet,
        "columns": {str(column): key for column, key in plan.columns.items()},
        "rows_read": plan.rows_read,
        "data_rows": plan.data_rows,
        "persons": plan.persons,
        "questions": [[getattr(q, name) for name in QUESTION_FIELDS] for q in plan.questions],
        "blocking": [dataclasses.astuple(issue) for issue in plan.blocking],
        "problems": problems,
        "measures": _columns(measures, MEASURE_FIELDS),
    }
    return json.dumps(data, separators=(",", ":")).encode()  # ASCII: read back faster


@collector_paused
def load_plan(content: bytes) -> Plan | None:
    """The plan :func:`dump_plan` kept, or None when another version kept it."""
    try:
        data = json.loads(content)
    except ValueError:
        return None
    fields = [list(PROBLEM_FIELDS), list(MEASURE_FIELDS)]
    if data.get("version") != VERSION or data.get("fields") != fields:
        return None
    measures = list(map(PlannedMeasure, *_values(data["measures"], MEASURE_FIELDS)))
    problems = data["problems"]
    groups, start = [], 0
    for count in problems["measures"]:
        groups.append(measures[start : start + count])
        start += count
    problems["measures"] = groups
    return Plan(
        file_name=data["file_name"],
        sheet_names=[],
        sheet=data["sheet"],
        columns={int(column): key for column, key in data["columns"].items()},
        rows_read=data["rows_read"],
        data_rows=data["data_rows"],
        persons=data["persons"],
        questions=[
            PersonQuestion(**dict(zip(QUESTION_FIELDS, values, strict=True)))
            for values in data["questions"]
        ],
        issues=[Issue(*values) for values in data["blocking"]],
        problems=list(map(PlannedProblem, *_values(problems, PROBLEM_FIELDS))),
    )


def _columns(items: list, names: tuple[str, ...], *skip: str) -> dict[str, list]:
    """``items`` as a list of values per field; dates as ISO text, key sets as numbers."""
    columns = {}
    for name in names:
        if name in skip:
            continue
        values = list(map(operator.attrgetter(name), items))
        if name in DATE_FIELDS:
            iso = {day: day.isoformat() for day in set(values) - {None}}
            iso[None] = None
            values = list(map(iso.__getitem__, values))
        elif name in SET_FIELDS:
            patterns: dict[frozenset, int] = {}
            numbers = [patterns.setdefault(v, len(patterns)) for v in values]
            values = {"patterns": [sorted(p) for p in patterns], "rows": numbers}
        columns[name] = values
    return columns


def _values(columns: dict[str, list], names: tuple[str, ...]) -> list[list]:
    """The columns :func:`_columns` made, back in their own form, in field order."""
    values = []
    for name in names:
        column = columns[name]
        if name in DATE_FIELDS:
            days = {text: dt.date.fromisoformat(text) for text in set(column) - {None}}
            days[None] = None
            column = list(map(days.__getitem__, column))
        elif name in SET_FIELDS:
            patterns = [frozenset(keys) for keys in column["patterns"]]
            column = list(map(patterns.__getitem__, column["rows"]))
        values.append(column)
    return values
