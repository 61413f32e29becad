"""Turn the rows of a ledger into the problems and measures that would land, before writing.

:func:`build_plan` reads the sheet, finds the header, maps columns, parses
every cell, resolves targets, units, departments and people, recognises
Rectify's own ids, and groups measure rows into problems. What it cannot use
becomes an :class:`Issue` with the row, the column, the cell's value and the
reason; blocking issues stop the import (all rows or none). The preview page
shows the plan; :mod:`.commit` writes it.

Row grouping (a problem with several measures): a row continues the problem
above it when its problem cell is merged with the row above, when its
problem cell is empty but it names a measure, when it repeats the problem
text (same unit and category) of the row above, or when Rectify's hidden id
names the same problem.
"""

import functools
import itertools
import operator
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rectify.campaigns.models import Campaign
from rectify.core.spreadsheets import Merge, Row, Spreadsheet
from rectify.ledger.models import MeasureKind, MeasureStatus
from rectify.org.models import Unit

from .header import NOT_STORED, SCAN_ROWS, Header, detect_header, is_repeated_header
from .memory import collector_paused
from .model import (
    Issue,
    Options,
    PersonQuestion,
    Plan,
    PlannedMeasure,
    PlannedProblem,
)
from .parse import (
    CellError,
    fold,
    parse_deadline,
    parse_kind,
    parse_level,
    parse_record_id,
    parse_source,
    parse_status,
    split_names,
    text,
)
from .resolve import QUESTION_ROWS, Resolver, closest, unit_key

#: Rows whose ignored id gets its own note (the rest are counted in one).
IDS_REPORTED = 20
#: The first rows kept of each name, for the person's question (it shows as many).
PLACES_KEPT = QUESTION_ROWS
#: Problem fields and measure fields, by column key.
PROBLEM_KEYS = ("unit", "target", "description", "source", "level", "root_cause")
MEASURE_KEYS = (
    "content",
    "expected_outcome",
    "kind",
    "responsible_leader",
    "responsible_department",
    "responsible_persons",
    "deadline",
    "progress",
    "status",
)
#: Every key a cell is read under.
ALL_KEYS = (*PROBLEM_KEYS, *MEASURE_KEYS, "id")
_FOOTER = re.compile(
    r"^(填表人|填报人|制表人|审核人|审批人|核稿人|联系人|联系电话|电话|填表日期|填报日期|"
    r"制表日期|日期|落款|附件|注|说明|单位负责人|主要负责人|负责人|签字|签发人|盖章|"
    r"单位\(盖章\)|填报单位\(盖章\))\s*\d*\s*(?:[:：]|$|\s)"
)
_ENUMERATOR = re.compile(
    r"^(?:第?[一二三四五六七八九十百\d]+[、.．:：)）]|[（(][一二三四五六七八九十\d]+[)）])\s*"
)
_TARGET_TAIL = re.compile(r"(?:方面)?(?:的|存在的)?(?:问题)?$")


class _Record(NamedTuple):
    """A data row, and the target its section heading above it names (if any)."""

    row: Row
    target_section: int | None


class Planner:
    """Builds a :class:`Plan` for one campaign, one unit subtree and one user."""

    def __init__(self, *, campaign: Campaign, unit: Unit, user, options: Options):
        self.campaign = campaign
        self.unit = unit
        self.user = user
        self.options = options
        self.today = timezone.localdate()
        self.targets = list(campaign.targets.all())
        self._target_index = _target_index(self.targets)
        self.roots = [u.path for u in campaign.participating_units.all()]
        self.resolver = Resolver(campaign=campaign, unit=unit, user=user)
        # What a file repeats on row after row, worked out once: the notes in the user's
        # language, and the categories, units and departments its cells name.
        self._said: dict[str, str] = {}
        self._target_of: dict[str, object] = {}
        self._unit_of: dict[str, tuple[Unit | None, str]] = {}
        self._department_of: dict[tuple[str, int], Unit | None] = {}
        self._given_kind: dict[frozenset[str], frozenset[str]] = {}

    # Reading -------------------------------------------------------------------------

    def choose_sheet(self, book: Spreadsheet) -> int:
        """The sheet asked for, or the one whose header names the most known columns."""
        if self.options.sheet is not None and 0 <= self.options.sheet < len(book.sheet_names):
            return self.options.sheet
        if len(book.sheet_names) == 1:
            return 0
        best, best_score = 0, -1
        for index in range(min(len(book.sheet_names), 20)):
            head = list(itertools.islice(book.rows(index), SCAN_ROWS))
            header = detect_header(head)
            score = len(header.columns) if header else 0
            if score > best_score:
                best, best_score = index, score
        return best

    def build(self, book: Spreadsheet, progress: Callable[[int, int], None] | None = None) -> Plan:
        """Read ``book`` into a plan; ``progress(done, total)`` hears of long work."""
        plan = Plan(file_name=book.name, sheet_names=book.sheet_names)
        plan.sheet = self.choose_sheet(book)
        rows = book.rows(plan.sheet)
        plan.head = list(itertools.islice(rows, SCAN_ROWS))
        plan.header = self._header(plan.head)
        if plan.header is None:
            plan.issues.append(
                Issue(
                    0,
                    "",
                    "",
                    _(
                        "No header row found in the first %(count)s rows: name the columns "
                        "(问题描述, 整改措施, 责任人, 完成时限 …) or choose the header row."
                    )
                    % {"count": SCAN_ROWS},
                )
            )
            plan.rows_read = len(plan.head)
            return plan
        plan.columns = (
            dict(self.options.columns)
            if self.options.columns is not None
            else dict(plan.header.columns)
        )
        plan.width = max([len(r.cells) for r in plan.head] + [0])
        self._check_mapping(plan)
        if plan.blocking:
            return plan
        records = self._records(plan, itertools.chain(plan.head, rows))
        plan.data_rows = len(records)
        self._plan_records(plan, records, progress)
        return plan

    def _header(self, head: list[Row]) -> Header | None:
        if self.options.header_row is not None:
            for row in head:
                if row.number == self.options.header_row:
                    found = detect_header([row]) or Header(row.number, row.number)
                    found.labels = {c: text(v) for c, v in enumerate(row.cells) if text(v)}
                    return found
        return detect_header(head)

    def _check_mapping(self, plan: Plan) -> None:
        keys = [k for k in plan.columns.values() if k]
        for key in {k for k in keys if keys.count(k) > 1}:
            plan.issues.append(
                Issue(0, "", key, _("Two columns are mapped to the same field; keep one."))
            )
        if "description" not in keys and "id" not in keys:
            plan.issues.append(
                Issue(0, "", "", _("No column holds the problem description (问题描述).")),
            )

    def _records(self, plan: Plan, rows) -> list[_Record]:
        """The data rows below the header: blank rows, repeated headers and notes left out."""
        header = plan.header
        records: list[_Record] = []
        section: int | None = None
        for row in rows:
            plan.rows_read = row.number
            if row.number <= header.row_number or row.is_blank():
                continue
            if _is_footer(row):
                break
            if is_repeated_header(row, header):
                continue
            heading = self._section(row, plan)
            if heading is not None:
                if heading[0] == "target":
                    section = heading[1]
                continue
            records.append(_Record(row, section))
        return records

    def _section(self, row: Row, plan: Plan) -> tuple[str, int | None] | None:
        """A heading row inside the table ("一、理论学习有收获"): what it sets, or None."""
        cells = row.cells
        if len(cells) > 1 and cells[0] not in ("", None) and cells[1] not in ("", cells[0], None):
            return None  # two values side by side: data (the quick answer for most rows)
        distinct = set(cells)
        distinct.discard("")
        distinct.discard(None)
        if len(distinct) != 1:
            return None
        filled = [(c, v) for c, v in enumerate(row.cells) if text(v)]
        values = {text(v) for _c, v in filled}
        if len(values) != 1:
            return None
        column = filled[0][0]
        wide = any(m.columns >= 3 for m in row.merges.values())
        seq_only = len(filled) == 1 and plan.columns.get(column) in ("seq", None)
        if not (wide or seq_only):
            return None
        value = values.pop()
        target = self.match_target(value)
        if target is not None:
            return ("target", target.pk)
        plan.issues.append(
            Issue(
                row.number,
                "",
                value,
                _("A heading row inside the table; not imported."),
                blocking=False,
            )
        )
        return ("heading", None)

    # Matching ------------------------------------------------------------------------

    def match_target(self, value):
        """The campaign's target a category cell names (by code or title), or None."""
        folded = _target_key(value)
        if not folded:
            return None
        if folded in self._target_index:
            return self._target_index[folded]
        if len(folded) >= 2:
            found = [t for t in self.targets if _target_key(t.title) in folded]
            found = found or [t for t in self.targets if folded in _target_key(t.title)]
            if len(found) == 1:
                return found[0]
        return None

    # Planning ------------------------------------------------------------------------

    def _plan_records(self, plan: Plan, records: list[_Record], progress) -> None:
        columns = {k: c for c, k in plan.columns.items() if k and k not in NOT_STORED}
        self.columns = columns
        self.plan = plan
        self.table = table = _Table([r.row for r in records], columns, self._readers())
        self.values = table.values
        texts, raws = table.texts, table.raws
        units = self.resolver.units(table.distinct("unit"))
        ids = None
        if "id" in columns:
            if self.resolver.changeable().exists():
                ids = [parse_record_id(v) for v in raws["id"]]
            else:  # nothing here an id could name (a new campaign): every id is ignored
                ids = [None] * len(records)
        existing = self.resolver.existing(ids or [])
        self._departments = self.resolver.departments(table.distinct("responsible_department"))
        default_target = None
        if self.options.default_target:
            default_target = next(
                (t for t in self.targets if t.pk == self.options.default_target), None
            )
        current: PlannedProblem | None = None
        current_merge: Merge | None = None
        by_existing: dict[int, PlannedProblem] = {}
        seen_measures: set[int] = set()
        names_at: dict[str, list[tuple[int, int]]] = {}
        ignored: list[tuple[Row, object]] = []
        description_column = columns.get("description", -1)
        descriptions, contents, targets = texts["description"], texts["content"], texts["target"]
        unit_names, id_raws = texts["unit"], raws["id"]
        known_problems, known_measures = existing["problems"], existing["measures"]
        total = len(records)
        for index, record in enumerate(records):
            if progress and index % 1000 == 0:
                progress(index, total)
            row = record.row
            problem_id, measure_id = None, None
            if ids is not None:
                found = ids[index]
                if found is not None:
                    problem_id, measure_id = found
                    if problem_id not in known_problems:
                        ignored.append((row, id_raws[index]))
                        problem_id = measure_id = None
                    elif measure_id is not None and known_measures.get(measure_id) != problem_id:
                        ignored.append((row, id_raws[index]))
                        measure_id = None
                elif text(id_raws[index]):
                    ignored.append((row, id_raws[index]))
            description = descriptions[index]
            description_merge = row.merges.get(description_column)
            content = contents[index]
            unit = self._row_unit(plan, row, unit_names[index], units)
            if unit is None:
                current = None
                continue
            # Which problem does this row belong to?
            same = False
            if problem_id is not None:
                if problem_id in by_existing:
                    current, same = by_existing[problem_id], True
            elif current is not None:
                same = bool(
                    (description_merge is not None and description_merge is current_merge)
                    or (not description and content)
                    or (
                        description
                        and (
                            description == current.description
                            or fold(description) == fold(current.description)
                        )
                        and unit.pk == current.unit_id
                        and fold(targets[index]) in ("", fold(current.target_text))
                    )
                )
            if not same:
                if not description and problem_id is None:
                    if content:
                        self._issue(
                            plan,
                            row,
                            "description",
                            "",
                            self._say(gettext_noop("A measure with no problem above it.")),
                        )
                    elif table.has_any(index, MEASURE_KEYS):
                        self._issue(
                            plan,
                            row,
                            "content",
                            "",
                            self._say(
                                gettext_noop(
                                    "Neither a problem nor a measure: the row was left out."
                                )
                            ),
                            blocking=False,
                        )
                    current = None
                    continue
                current = self._problem(plan, record, index, unit, default_target, problem_id)
                plan.problems.append(current)
                if problem_id is not None:
                    by_existing[problem_id] = current
            current_merge = description_merge
            if not content:
                if table.has_any(index, MEASURE_KEYS) and not _all_merged(
                    row, columns, MEASURE_KEYS
                ):
                    empty = gettext_noop(
                        "The measure text (整改措施) is empty, so this row's measure fields "
                        "have nowhere to go."
                    )
                    self._issue(plan, row, "content", "", self._say(empty))
                continue
            if measure_id is not None:
                if measure_id in seen_measures:
                    self._issue(
                        plan,
                        row,
                        "id",
                        id_raws[index],
                        self._say(gettext_noop("This id appears twice in the file.")),
                    )
                    continue
                seen_measures.add(measure_id)
            measure = self._measure(plan, row, index, measure_id, unit)
            current.measures.append(measure)
            names = (measure.leader, *measure.persons) if measure.leader else measure.persons
            for name in names:
                places = names_at.get(name)
                if places is None:
                    names_at[name] = [(row.number, current.unit_id)]
                elif len(places) < PLACES_KEPT:
                    places.append((row.number, current.unit_id))
        if progress:
            progress(total, total)
        self._report_ignored_ids(plan, ignored)
        self._finish_problems(plan, existing)
        self.resolver.people(plan, names_at, self.options.people)

    def _readers(self) -> dict[str, Callable]:
        """How the cells of each field are read (each distinct value once: see :class:`_Table`).

        A ledger repeats its kinds, statuses, deadlines, names, sources and levels on
        row after row: reading each distinct value once (with the reason it cannot be
        read, if so) spares most of the per-row work. (Units, categories and
        departments are looked up once per distinct name, as rows ask for them.)
        """
        deadline = functools.partial(parse_deadline, campaign_start=self.campaign.start_date)
        return {
            "kind": _or_reason(parse_kind),
            "status": _or_reason(parse_status),
            "deadline": _or_reason(deadline),
            "source": parse_source,
            "level": parse_level,
            "responsible_leader": _names,
            "responsible_persons": _names,
        }

    def _report_ignored_ids(self, plan: Plan, ignored: list[tuple[Row, object]]) -> None:
        """A note per row whose id names nothing the user may change here (the first few)."""
        if not ignored:
            return
        reason = _(
            "This id names no problem or measure of this campaign that you may change within "
            "the chosen unit; the row is imported as new."
        )
        for row, value in ignored[:IDS_REPORTED]:
            self._issue(plan, row, "id", value, reason, blocking=False)
        if len(ignored) > IDS_REPORTED:
            row, value = ignored[IDS_REPORTED]
            more = len(ignored) - IDS_REPORTED
            self._issue(
                plan,
                row,
                "id",
                value,
                _("… and %(count)s more rows like this, from here on.") % {"count": f"{more:,}"},
                blocking=False,
            )

    def _issue(self, plan, row: Row, key: str, value, reason: str, *, blocking=True) -> None:
        column = self.columns.get(key)
        label = plan.column_label(column) if column is not None else ""
        plan.issues.append(Issue(row.number, label, text(value), reason, blocking))

    def _row_unit(self, plan: Plan, row: Row, name: str, units: dict) -> Unit | None:
        """The unit the row's 单位 cell names (blank: the chosen unit); None with an issue."""
        if not name:
            return self.unit
        known = self._unit_of.get(name)
        if known is None:
            known = self._unit_of[name] = self._unit_named(name, units)
        found, reason = known
        if reason:
            self._issue(plan, row, "unit", name, reason)
        return found

    def _unit_named(self, name: str, units: dict) -> tuple[Unit | None, str]:
        """``(unit, "")`` for a name that places rows, ``(None, reason)`` otherwise."""
        found = units.get(unit_key(name))
        if found is None:
            return None, _("No unit of this name or code within “%(unit)s”.") % {"unit": self.unit}
        if found == "ambiguous":
            return None, _(
                "Several units within “%(unit)s” have this name; write the unit's code."
            ) % {"unit": self.unit}
        if not any(found.path.startswith(root) for root in self.roots):
            return None, _("This unit does not take part in the campaign.")
        return found, ""

    def _target_named(self, value: str):
        """:meth:`match_target`, once per distinct category cell."""
        try:
            return self._target_of[value]
        except KeyError:
            found = self._target_of[value] = self.match_target(value)
            return found

    def _problem(self, plan, record: _Record, index: int, unit: Unit, default_target, problem_id):
        row = record.row
        texts, raws = self.table.texts, self.table.raws
        target = None
        target_text = texts["target"][index]
        if target_text:
            target = self._target_named(target_text)
            if target is None:
                self._issue(
                    plan,
                    row,
                    "target",
                    target_text,
                    self._say(
                        gettext_noop(
                            "No target of the campaign has this code or title. Correct the cell, "
                            "or leave the column out and choose a target for all rows."
                        )
                    ),
                )
        elif record.target_section is not None:
            target = next(t for t in self.targets if t.pk == record.target_section)
        elif default_target is not None:
            target = default_target
        elif problem_id is None:
            self._issue(
                plan,
                row,
                "target",
                "",
                self._say(gettext_noop("Which target does this problem fall short of? Choose a "
                                       "target for all rows without one, or map the column "
                                       "that names it.")),
            )  # fmt: skip
        source, known = self.values["source"][index]
        if not known:
            raw = raws["source"][index]
            self._issue(
                plan,
                row,
                "source",
                raw,
                self._say(gettext_noop("Unknown source; recorded as “other”.")),
                blocking=False,
            )
        level, known = self.values["level"][index]
        if not known:
            raw = raws["level"][index]
            self._issue(
                plan,
                row,
                "level",
                raw,
                self._say(gettext_noop("Unknown level; recorded as “unit”.")),
                blocking=False,
            )
        description = texts["description"][index]
        if not description and problem_id is None:
            self._issue(
                plan,
                row,
                "description",
                "",
                self._say(gettext_noop("The problem description is empty.")),
            )
        return PlannedProblem(
            row=row.number,
            unit_id=unit.pk,
            unit=str(unit),
            target_id=target.pk if target else None,
            target=target.title if target else target_text,
            target_text=target_text,
            description=description,
            source=source,
            level=level,
            root_cause=texts["root_cause"][index],
            existing_id=problem_id,
            given=self.table.given(index, PROBLEM_KEYS),
        )

    def _measure(self, plan, row: Row, index: int, measure_id, unit) -> PlannedMeasure:
        texts, raws = self.table.texts, self.table.raws
        measure = PlannedMeasure(
            row=row.number,
            content=texts["content"][index],
            expected_outcome=texts["expected_outcome"][index],
            progress=texts["progress"][index],
            existing_id=measure_id,
            given=self.table.given(index, MEASURE_KEYS),
        )
        values = self.values
        kind, reason = values["kind"][index]
        if reason:
            self._issue(plan, row, "kind", raws["kind"][index], reason)
        status, reason = values["status"][index]
        if reason:
            self._issue(plan, row, "status", raws["status"][index], reason)
        if status is not None:
            measure.status = status.status
            measure.status_given = True
            kind = kind or status.kind
        accepted = measure.status in (MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF)
        if accepted and measure_id is None:
            self._issue(
                plan,
                row,
                "status",
                raws["status"][index],
                self._say(gettext_noop("Sign-off is given in Rectify's workflow, not by an import: "
                                       "recorded as completed, awaiting acceptance.")),
                blocking=False,
            )  # fmt: skip
            measure.status = MeasureStatus.COMPLETED
        deadline, unreadable = values["deadline"][index]
        if unreadable:
            self._issue(plan, row, "deadline", raws["deadline"][index], unreadable)
        if deadline is not None:
            measure.deadline = deadline.date
            if deadline.long_term:
                if kind == MeasureKind.DEADLINE:
                    self._issue(
                        plan,
                        row,
                        "deadline",
                        raws["deadline"][index],
                        self._say(gettext_noop("A measure rectified by a deadline needs a date.")),
                    )
                kind = kind or MeasureKind.LONG_TERM
        if kind is not None:
            measure.given = self._with_kind(measure.given)
        measure.kind = kind or MeasureKind.DEADLINE
        if measure.kind == MeasureKind.DEADLINE and measure.deadline is None and not unreadable:
            self._issue(
                plan,
                row,
                "deadline",
                "",
                self._say(
                    gettext_noop("No deadline: write a date, or 长期坚持 for a long-term measure.")
                ),
            )
        leaders = values["responsible_leader"][index]
        if leaders:
            measure.leader = leaders[0]
            if len(leaders) > 1:
                self._issue(
                    plan,
                    row,
                    "responsible_leader",
                    raws["responsible_leader"][index],
                    self._say(
                        gettext_noop("One responsible leader per measure: “%(name)s” was kept.")
                    )
                    % {"name": leaders[0]},
                    blocking=False,
                )
        measure.persons = values["responsible_persons"][index]  # shared by rows naming the same
        if not measure.persons and measure.leader:
            measure.persons = (measure.leader,)
            if measure_id is None:
                self._issue(
                    plan,
                    row,
                    "responsible_persons",
                    "",
                    self._say(
                        gettext_noop(
                            "No responsible person: the responsible leader answers for the measure."
                        )
                    ),
                    blocking=False,
                )
        if not measure.persons and measure_id is None:
            self._issue(
                plan,
                row,
                "responsible_persons",
                "",
                self._say(gettext_noop("Name at least one responsible person.")),
            )
        department = texts["responsible_department"][index]
        if department:
            measure.department = department
            chosen = self._department_near(department, unit)
            if chosen is None:
                self._issue(
                    plan,
                    row,
                    "responsible_department",
                    department,
                    self._say(
                        gettext_noop(
                            "No single unit of this name near the problem's unit; left empty."
                        )
                    ),
                    blocking=False,
                )
            else:
                measure.department_id = chosen.pk
                measure.department = str(chosen)
        return measure

    def _with_kind(self, given: frozenset[str]) -> frozenset[str]:
        """``given`` and "kind" (read from the status column): once per set, rows share them."""
        try:
            return self._given_kind[given]
        except KeyError:
            found = self._given_kind[given] = given | {"kind"}
            return found

    def _department_near(self, name: str, unit: Unit) -> Unit | None:
        """The one unit named ``name`` nearest ``unit`` (once per name and unit)."""
        key = (name, unit.pk)
        try:
            return self._department_of[key]
        except KeyError:
            found = self._departments.get(unit_key(name))
            chosen = self._department_of[key] = closest(found, unit) if found else None
            return chosen

    def _finish_problems(self, plan: Plan, existing: dict) -> None:
        """Dates found, immediate measures' dates, and the rules the services enforce."""
        start = min(self.campaign.start_date, self.today)
        for problem in plan.problems:
            if problem.existing_id is not None:
                problem.found_on = existing["found_on"][problem.existing_id]
            else:
                dates = [m.deadline for m in problem.measures if m.deadline]
                problem.found_on = min([start, *dates])
            for measure in problem.measures:
                if measure.kind == MeasureKind.IMMEDIATE and measure.deadline is None:
                    # Rectified on the spot: due the day the problem was found.
                    measure.deadline = problem.found_on
                if measure.deadline and measure.deadline < problem.found_on:
                    early = gettext_noop(
                        "The deadline cannot be before the date the problem was found (%(date)s)."
                    )
                    plan.issues.append(
                        Issue(
                            measure.row,
                            self._label("deadline"),
                            measure.deadline.isoformat(),
                            self._say(early) % {"date": problem.found_on.isoformat()},
                        )
                    )

    def _say(self, message: str) -> str:
        """``gettext(message)``, once per plan: a file can repeat one note on every row."""
        said = self._said.get(message)
        if said is None:
            # Each message is marked for translation where it is written (gettext_noop).
            said = self._said[message] = _(message)
        return said

    def _label(self, key: str) -> str:
        column = self.columns.get(key)
        return self.plan.column_label(column) if column is not None else ""

    # Lookups (one query each, whatever the number of rows) ---------------------------


class _Table:
    """The mapped cells of every data row, column by column, each column read once.

    ``raws[key][i]`` is record ``i``'s cell as read, ``texts[key][i]`` the same cell as
    text (trimmed, line breaks as ``\\n``; not for ``id``, which is parsed), and
    ``values[key][i]`` what ``readers[key]`` makes of it. A key no column maps to reads
    ``""`` on every row, so the planner never asks whether a column is there.

    A column is read in one pass over its cells, text and value together: the cells of
    a large sheet are spread over far more memory than the processor keeps at hand, and
    each pass over them costs more than the reading of their few distinct values.
    """

    def __init__(self, rows: list[Row], columns: dict[str, int], readers=None):
        readers = readers or {}
        self.blank = blank = [""] * len(rows)
        self.raws: dict[str, list] = dict.fromkeys(ALL_KEYS, blank)
        self.texts: dict[str, list[str]] = dict.fromkeys(ALL_KEYS, blank)
        self.values: dict[str, list] = {}
        cells = _columns([row.cells for row in rows], columns.values())
        for key, raws in zip(columns, cells, strict=True):
            self.raws[key] = raws
            if key == "id":  # ids are parsed, not read as text
                continue
            read = readers.get(key)
            if read is None:
                self.texts[key] = _each(raws, _cell_text)
                continue
            both = _each(raws, _text_and(read))  # a few distinct pairs, shared by the rows
            self.texts[key] = list(map(operator.itemgetter(0), both))
            self.values[key] = list(map(operator.itemgetter(1), both))
        for key, read in readers.items():
            if key not in self.values:  # not mapped: every row reads ""
                self.values[key] = self.each(key, read)
        self._filled = {keys: self._filled_keys(keys) for keys in (PROBLEM_KEYS, MEASURE_KEYS)}

    def _filled_keys(self, keys: tuple[str, ...]) -> list[frozenset[str]]:
        """Per record, which of ``keys`` it fills (rows share a few such patterns)."""
        mapped = [key for key in keys if self.texts[key] is not self.blank]
        if not mapped:
            return [frozenset()] * len(self.blank)
        # Per record, a tuple of "filled?" flags, built in C; then each pattern once.
        flags = list(zip(*(map(bool, self.texts[key]) for key in mapped), strict=True))
        patterns = {
            pattern: frozenset(key for key, filled in zip(mapped, pattern, strict=True) if filled)
            for pattern in set(flags)
        }
        return list(map(patterns.__getitem__, flags))

    def each(self, key: str, read: Callable) -> list:
        """``read(cell)`` for the cell of every record in column ``key``, in record order."""
        return _each(self.raws[key], read)

    def distinct(self, key: str) -> set[str]:
        """The texts of column ``key``, blanks left out."""
        return set(self.texts[key]) - {""}

    def has_any(self, index: int, keys) -> bool:
        """True when record ``index`` fills any of ``keys``."""
        return any(self.texts[key][index] for key in keys)

    def given(self, index: int, keys: tuple[str, ...]) -> frozenset[str]:
        """Which of ``keys`` (``PROBLEM_KEYS`` or ``MEASURE_KEYS``) record ``index`` fills."""
        return self._filled[keys][index]


def _columns(cells: list[list], columns) -> list[list]:
    """The values of each of ``columns`` (indexes) in ``cells`` (rows), in row order.

    The mapped cells of each row are picked at once, then turned into columns: a
    row is visited once, not once per column (the rows of a large sheet are spread
    over far more memory than the processor keeps at hand).
    """
    columns = list(columns)
    if len(columns) > 1 and cells:
        try:
            picked = list(map(operator.itemgetter(*columns), cells))
        except IndexError:  # a short row (CSV): one column at a time below
            pass
        else:
            return list(map(list, zip(*picked, strict=True)))
    return [_column(cells, column) for column in columns]


def _column(cells: list[list], column: int) -> list:
    try:
        return list(map(operator.itemgetter(column), cells))
    except IndexError:  # a short row (CSV): its missing cells are blank
        return [c[column] if column < len(c) else "" for c in cells]


def _each(values: list, read: Callable) -> list:
    """``[read(v) for v in values]``, calling ``read`` once per distinct value."""
    distinct = set(values)
    if (True in distinct or False in distinct) and any(type(v) is bool for v in distinct):
        # 1 == 1.0 == True share a set entry, but True is no date serial: one by one.
        return [read(v) for v in values]
    results = {v: read(v) for v in distinct}
    return list(map(results.__getitem__, values))


def _text_and(read: Callable) -> Callable:
    """A reader of a cell's text and ``read(cell)`` at once."""

    def both(value) -> tuple:
        return _cell_text(value), read(value)

    return both


def _cell_text(value) -> str:
    value = text(value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _names(value) -> tuple[str, ...]:
    """:func:`split_names`, as a tuple: one reading is shared by every row with that cell."""
    return tuple(split_names(value))


def _or_reason(parse: Callable) -> Callable:
    """``parse`` returning ``(value, "")``, or ``(None, reason)`` for a cell it refuses."""

    def read(value):
        try:
            return parse(value), ""
        except CellError as exc:
            return None, str(exc)

    return read


def _all_merged(row: Row, columns: dict[str, int], keys) -> bool:
    """True when every filled cell among ``keys`` comes from a merge started above this row."""
    for key in keys:
        column = columns.get(key)
        if column is None or not text(row.value(column)):
            continue
        merge = row.merges.get(column)
        if merge is None or merge.top + 1 == row.number:
            return False
    return True


def _is_footer(row: Row) -> bool:
    """A note below the table (填表人, 审核人, 日期, 附件 …): the table ends here."""
    for value in row.cells:
        if value is None:
            continue
        if type(value) is not str:
            return False  # a number or a date comes first: data (the quick answer)
        first = value.strip()
        if first:
            return bool(_FOOTER.match(unicodedata.normalize("NFKC", first)))
    return False


def _target_key(value) -> str:
    folded = _ENUMERATOR.sub("", fold(value))
    return _TARGET_TAIL.sub("", folded) or folded


def _target_index(targets) -> dict:
    index = {}
    for target in targets:
        for key in (
            fold(target.code),
            _target_key(target.title),
            fold(f"{target.code}{target.title}"),
        ):
            if key:
                index.setdefault(key, target)
    return index


@collector_paused
def build_plan(
    book: Spreadsheet,
    *,
    campaign: Campaign,
    unit: Unit,
    user,
    options: Options | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """The plan for importing ``book`` into ``campaign`` under ``unit``, as ``user``."""
    planner = Planner(campaign=campaign, unit=unit, user=user, options=options or Options())
    return planner.build(book, progress)


__all__ = [
    "Issue",
    "Options",
    "PersonQuestion",
    "Plan",
    "PlannedMeasure",
    "PlannedProblem",
    "build_plan",
]
