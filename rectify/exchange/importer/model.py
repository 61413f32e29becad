"""What an import plan holds: the rows that would land, the issues, the questions about people."""

import datetime as dt
from dataclasses import dataclass, field

from rectify.core.spreadsheets import Row, column_letter
from rectify.ledger.models import MeasureKind, MeasureStatus

from .header import Header

#: Rows of the preview table.
PREVIEW_ROWS = 20


@dataclass(slots=True)
class Issue:
    """A problem with one cell (or row): where, what it holds, why; blocking stops the import."""

    row: int
    column: str
    value: str
    reason: str
    blocking: bool = True


@dataclass(slots=True)
class PlannedMeasure:
    """A measure as it will be stored (persons by name until the people are decided)."""

    row: int
    content: str
    expected_outcome: str = ""
    kind: str = MeasureKind.DEADLINE
    deadline: dt.date | None = None
    leader: str = ""
    department_id: int | None = None
    department: str = ""
    persons: tuple[str, ...] = ()
    status: str = MeasureStatus.NOT_STARTED
    status_given: bool = False
    progress: str = ""
    existing_id: int | None = None
    given: frozenset[str] = frozenset()

    @property
    def kind_label(self) -> str:
        """The kind as the ledger names it."""
        return MeasureKind(self.kind).label

    @property
    def status_label(self) -> str:
        """The status as the ledger names it."""
        return MeasureStatus(self.status).label


@dataclass(slots=True)
class PlannedProblem:
    """A problem as it will be stored, with its measures."""

    row: int
    unit_id: int
    unit: str
    target_id: int | None
    target: str
    target_text: str
    description: str
    source: str
    level: str
    root_cause: str
    found_on: dt.date | None = None
    existing_id: int | None = None
    measures: list[PlannedMeasure] = field(default_factory=list)
    given: frozenset[str] = frozenset()


@dataclass
class PersonQuestion:
    """A name that matches no one (or several people): create, or match to whom."""

    name: str
    rows: list[int]
    unit_id: int
    unit: str
    decision: str = ""
    ambiguous: bool = False
    #: ``("new:<unit id>", unit)`` and ``("match:<person id>", person · unit)`` choices.
    create_choices: list[tuple[str, str]] = field(default_factory=list)
    match_choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Plan:
    """What an import would do: the sheet read, the mapping, the problems, the questions."""

    file_name: str
    sheet_names: list[str]
    sheet: int = 0
    head: list[Row] = field(default_factory=list)
    header: Header | None = None
    columns: dict[int, str] = field(default_factory=dict)
    width: int = 0
    problems: list[PlannedProblem] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    questions: list[PersonQuestion] = field(default_factory=list)
    persons: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    data_rows: int = 0

    @property
    def blocking(self) -> list[Issue]:
        """The issues that stop the import."""
        return [i for i in self.issues if i.blocking]

    @property
    def undecided(self) -> list[PersonQuestion]:
        """People questions without an answer."""
        return [q for q in self.questions if not q.decision]

    @property
    def can_import(self) -> bool:
        """True when every row can land and every person is decided."""
        return bool(self.problems) and not self.blocking and not self.undecided

    def counts(self) -> dict[str, int]:
        """How many problems and measures are new or updated, and how many people are new."""
        measures = [m for p in self.problems for m in p.measures]
        return {
            "problems_new": sum(1 for p in self.problems if p.existing_id is None),
            "problems_updated": sum(1 for p in self.problems if p.existing_id is not None),
            "measures_new": sum(1 for m in measures if m.existing_id is None),
            "measures_updated": sum(1 for m in measures if m.existing_id is not None),
            "persons_new": sum(1 for q in self.questions if q.decision.startswith("new:")),
        }

    def preview(self, limit: int = PREVIEW_ROWS) -> list[tuple[PlannedProblem, PlannedMeasure]]:
        """The first rows as they will be stored: ``(problem, measure or None)``."""
        rows = []
        for problem in self.problems:
            for measure in problem.measures or [None]:
                rows.append((problem, measure))
                if len(rows) >= limit:
                    return rows
        return rows

    def column_label(self, column: int) -> str:
        """``E · 完成时限``: the column's letter and its header text."""
        label = self.header.label(column) if self.header else ""
        return f"{column_letter(column)} · {label}" if label else column_letter(column)


@dataclass
class Options:
    """The user's choices on the preview page (kept in ``Job.params``)."""

    sheet: int | None = None
    header_row: int | None = None
    columns: dict[int, str] | None = None
    default_target: int | None = None
    people: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: dict) -> "Options":
        """Read the options stored in a job's params (JSON: keys are strings)."""
        columns = params.get("columns")
        return cls(
            sheet=params.get("sheet"),
            header_row=params.get("header_row"),
            columns={int(c): k for c, k in columns.items()} if columns is not None else None,
            default_target=params.get("default_target"),
            people=dict(params.get("people") or {}),
        )

    def to_params(self) -> dict:
        """The options as JSON for ``Job.params``."""
        return {
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": None
            if self.columns is None
            else {str(c): k for c, k in self.columns.items()},
            "default_target": self.default_target,
            "people": self.people,
        }
