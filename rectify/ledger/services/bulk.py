"""Many problems with their measures at once (a ledger import), under the one-by-one rules.

:func:`ledger_bulk_create` checks what :func:`problem_create` and
:func:`measure_create` check — the acting user administers every unit, the
units take part in the campaign, targets belong to it, a deadline unless
long-term and not before the problem was found, at least one responsible
person, no status past acceptance unless a system administrator — and then
writes every table with multi-row INSERTs of prepared tuples (see "Writing"
below for why), history included: one "created" record per problem and per
measure (with its persons, as django-simple-history records them), with the
acting user and the reason.
"""

import datetime as dt
import itertools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign, Target
from rectify.core.services import history_reason
from rectify.org.models import Person, Unit
from rectify.org.scoping import is_system_admin

from .. import tallies
from ..models import (
    DONE_STATUSES,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    ProgressNote,
    Source,
)

# The choices, once: ``TextChoices.values`` builds a new list at every call.
_SOURCES = frozenset(Source.values)
_LEVELS = frozenset(Level.values)
_KINDS = frozenset(MeasureKind.values)
_STATUSES = frozenset(MeasureStatus.values)


@dataclass(slots=True)
class MeasureDraft:
    """A measure to create: persons, leader and department by id."""

    content: str
    responsible_persons: Sequence[int]
    kind: str = MeasureKind.DEADLINE
    deadline: dt.date | None = None
    expected_outcome: str = ""
    responsible_leader_id: int | None = None
    responsible_department_id: int | None = None
    status: str = MeasureStatus.NOT_STARTED
    progress: str = ""


@dataclass(slots=True)
class ProblemDraft:
    """A problem to create with its measures."""

    unit_id: int
    target_id: int
    description: str
    source: str = Source.OTHER
    level: str = Level.UNIT
    found_on: dt.date | None = None
    root_cause: str = ""
    measures: list[MeasureDraft] = field(default_factory=list)


class BulkValidationError(ValidationError):
    """Some drafts break the rules; ``errors`` lists ``(problem index, measure index, error)``."""

    def __init__(self, errors: list[tuple[int, int | None, ValidationError]]):
        self.errors = errors
        messages = []
        for problem, measure, error in errors[:20]:
            where = _("Problem %(p)s") % {"p": problem + 1}
            if measure is not None:
                where += ", " + _("measure %(m)s") % {"m": measure + 1}
            messages.append(f"{where}: {'; '.join(error.messages)}")
        super().__init__(messages)


def _check_access(campaign: Campaign, drafts: Sequence[ProblemDraft], acting_user) -> None:
    """Every unit administered by the user and taking part; every target the campaign's."""
    from . import _require_unit_admin

    units = Unit.objects.in_bulk({d.unit_id for d in drafts})
    roots = [u.path for u in campaign.participating_units.all()]
    for unit_id in {d.unit_id for d in drafts}:
        unit = units.get(unit_id)
        if unit is None:
            raise ValidationError({"unit": _("This unit does not exist.")})
        _require_unit_admin(acting_user, unit)
        if not any(unit.path.startswith(root) for root in roots):
            raise ValidationError(
                {
                    "unit": _("This unit does not take part in the campaign: %(unit)s")
                    % {"unit": unit}
                }
            )
    targets = set(Target.objects.filter(campaign=campaign).values_list("pk", flat=True))
    if not {d.target_id for d in drafts} <= targets:
        raise ValidationError(
            {"target": _("This target does not belong to the problem's campaign.")}
        )


def _existing(model, ids: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(i for i in ids if i is not None)
    batch = connection.features.max_query_params or 10_000  # ids per query: one parameter each
    for start in range(0, len(ordered), batch):
        chunk = ordered[start : start + batch]
        # Unordered: a model's default ordering may join another table (a person's unit),
        # which made SQLite scan that table for every chunk.
        ids = model.objects.filter(pk__in=chunk).order_by().values_list("pk", flat=True)
        found.update(ids)
    return found


@transaction.atomic
def ledger_bulk_create(
    *,
    campaign: Campaign,
    problems: Sequence[ProblemDraft],
    acting_user,
    reason: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Create ``problems`` with their measures in one transaction; all or none.

    Returns the new problems' ids, in the order of ``problems``. Raises
    :class:`BulkValidationError` naming each draft that breaks a rule (nothing
    is written), ``PermissionDenied`` when the user may not change a unit.
    """
    if not problems:
        return []
    _check_access(campaign, problems, acting_user)
    measures_all = [m for d in problems for m in d.measures]
    person_ids = {p for m in measures_all for p in m.responsible_persons}
    person_ids |= {m.responsible_leader_id for m in measures_all if m.responsible_leader_id}
    people = _existing(Person, person_ids)
    departments = _existing(
        Unit, {m.responsible_department_id for m in measures_all if m.responsible_department_id}
    )
    today = timezone.localdate()
    may_accept = is_system_admin(acting_user)
    user = acting_user if getattr(acting_user, "pk", None) else None
    errors: list[tuple[int, int | None, ValidationError]] = []
    for index, draft in enumerate(problems):
        found_on = draft.found_on or today
        error = _problem_error(draft, campaign, found_on, user)
        if error is not None:
            errors.append((index, None, error))
        for position, draft_measure in enumerate(draft.measures):
            error = _measure_error(draft_measure, found_on, people, departments, may_accept)
            if error:
                errors.append((index, position, ValidationError(error)))
    if errors:
        raise BulkValidationError(errors)
    with _page_cache():
        ids = _write_ledger(campaign, problems, user, reason, today, progress)
    tallies.count_drafts(campaign.pk, problems)
    return ids


def _problem_error(draft: ProblemDraft, campaign, found_on, user) -> ValidationError | None:
    """What ``Problem.full_clean`` would refuse about ``draft``, without building a model per row.

    A cheap test first: a draft that passes it is valid for every field check
    ``full_clean`` makes. Only a draft that fails it is built as a model and
    cleaned, so the messages are Django's own.
    """
    if (
        isinstance(draft.description, str)
        and draft.description
        and draft.source in _SOURCES
        and draft.level in _LEVELS
        and isinstance(found_on, dt.date)
        and isinstance(draft.root_cause, str)
    ):
        return None
    problem = Problem(
        campaign=campaign,
        unit_id=draft.unit_id,
        target_id=draft.target_id,
        description=draft.description,
        source=draft.source,
        level=draft.level,
        found_on=found_on,
        root_cause=draft.root_cause,
        created_by=user,
    )
    try:
        # Related rows were checked above, once for all (clean_fields would query each).
        problem.full_clean(exclude=["campaign", "unit", "target", "concerned_person", "created_by"])
    except ValidationError as exc:
        return exc
    return None


def _measure_error(
    draft: MeasureDraft, found_on: dt.date, people: set[int], departments: set[int], may_accept
) -> dict[str, str] | None:
    """What :func:`measure_create` would refuse about ``draft``, as field errors."""
    errors: dict[str, str] = {}
    if not draft.content.strip():
        errors["content"] = _("Describe the measure.")
    if draft.kind not in _KINDS:
        errors["kind"] = _("Unknown kind.")
    if draft.kind != MeasureKind.LONG_TERM and not draft.deadline:
        errors["deadline"] = _("A deadline is required unless the measure is long-term.")
    elif draft.deadline and draft.deadline < found_on:
        errors["deadline"] = _(
            "The deadline cannot be before the date the problem was found (%(date)s)."
        ) % {"date": found_on.isoformat()}
    if not draft.responsible_persons:
        errors["responsible_persons"] = _("Name at least one responsible person.")
    elif not set(draft.responsible_persons) <= people:
        errors["responsible_persons"] = _("A responsible person does not exist.")
    if draft.responsible_leader_id and draft.responsible_leader_id not in people:
        errors["responsible_leader"] = _("The responsible leader does not exist.")
    if draft.responsible_department_id and draft.responsible_department_id not in departments:
        errors["responsible_department"] = _("The responsible department does not exist.")
    if draft.status not in _STATUSES:
        errors["status"] = _("Unknown status.")
    elif draft.status in (MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF) and not may_accept:
        errors["status"] = _("Only the sign-off workflow moves a measure past acceptance.")
    return errors or None


# Writing ---------------------------------------------------------------------------------
#
# A ledger import creates some 560,000 rows for 100,000 measures: problems, measures,
# person links, and the history of all three. Through model instances and ``bulk_create``
# the ORM spends ~40 µs a row preparing values, six times what the database spends
# storing them. So the rows are written as plain tuples, a hundred to a statement: the
# constant columns (timestamps, user, reason, defaults) prepared once per table, the
# ids reserved beforehand so that children are linked without reading anything back.
# The rows are those django-simple-history and the ORM write (``test_import_history``
# compares them field by field): one "created" record per problem and per measure,
# dated when the import ran, with the acting user and the reason, and one m2m history
# row per person link pointing at its measure's record.

#: Rows prepared at a time (bounds the memory of the prepared values).
CHUNK = 20_000
#: Rows one INSERT statement writes (fewer when the columns would pass the parameter limit).
ROWS_PER_INSERT = 100
#: SQLite's page cache while a ledger is written, in KiB (its default is 2,000 KiB).
WRITE_CACHE_KIB = 64 * 1024


@contextmanager
def _page_cache() -> Iterator[None]:
    """On SQLite, a page cache that holds the pages an import touches, for the write.

    Every row lands in the table and its indexes at scattered places; with the
    default 2 MB cache SQLite keeps evicting pages it is about to change again,
    and writes the dirty ones to the journal mid-transaction. The cache grows only
    as pages are touched, and shrinks back to the connection's setting afterwards.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _write_ledger(campaign, problems, user, reason: str, today, progress) -> list[int]:
    """Write checked drafts and their history; return the new problem ids."""
    now = timezone.now()
    measures_all = [m for d in problems for m in d.measures]
    total = len(problems) + len(measures_all)
    date = _date_adapter()
    history = {
        "created_at": now,
        "history_date": now,
        "history_change_reason": history_reason(reason),
        "history_type": "+",
        "history_user_id": user.pk if user else None,
    }
    problem_ids = _reserve_ids(Problem, len(problems))
    problem_rows = [
        (
            pk,
            d.unit_id,
            d.target_id,
            d.description,
            d.source,
            d.level,
            date(d.found_on or today),
            d.root_cause,
        )
        for pk, d in zip(problem_ids, problems, strict=True)
    ]
    problem_columns = (
        *("id", "unit_id", "target_id", "description", "source", "level"),
        *("found_on", "root_cause"),
    )
    common = {"campaign_id": campaign.pk, "created_by_id": user.pk if user else None}
    _Inserter(Problem, problem_columns, {**common, "created_at": now, "updated_at": now}).insert(
        problem_rows
    )
    if _copied(problem_ids):
        _copy_rows(Problem, Problem.history.model, problem_ids, history)
    else:
        _Inserter(Problem.history.model, problem_columns, {**common, **history}).insert(
            problem_rows
        )
    del problem_rows
    if progress:
        progress(len(problems), total)

    # A measure's own columns once; its row and its history record share them.
    measure_columns = (
        *("content", "expected_outcome", "kind", "deadline", "status", "completed_on"),
        *("responsible_leader_id", "responsible_department_id", "unit_id", "problem_id"),
    )
    done = date(today)
    cores = [
        (
            m.content,
            m.expected_outcome,
            m.kind,
            date(m.deadline),
            m.status,
            done if m.status in DONE_STATUSES else None,
            m.responsible_leader_id,
            m.responsible_department_id,
            d.unit_id,
            problem_pk,
        )
        for problem_pk, d in zip(problem_ids, problems, strict=True)
        for m in d.measures
    ]
    measure_ids = _reserve_ids(Measure, len(cores))
    constants = {"campaign_id": campaign.pk}
    _Inserter(
        Measure, ("id", *measure_columns), {**constants, "created_at": now, "updated_at": now}
    ).insert([(pk, *core) for pk, core in zip(measure_ids, cores, strict=True)])
    record_ids = _reserve_ids(Measure.history.model, len(cores))
    # Record i is of measure i: copied, each record's id is its measure's plus one offset.
    copied = _copied(measure_ids) and _copied(record_ids)
    offset = record_ids[0] - measure_ids[0] if copied else 0
    if copied:
        qn = connection.ops.quote_name
        history_id = (f"{qn('id')} + %s", [offset])
        _copy_rows(Measure, Measure.history.model, measure_ids, history, history_id=history_id)
    else:
        _Inserter(
            Measure.history.model, ("history_id", "id", *measure_columns), {**constants, **history}
        ).insert(
            [
                (record, pk, *core)
                for record, pk, core in zip(record_ids, measure_ids, cores, strict=True)
            ]
        )
    del cores

    # Person links, and the same links in the measure's history record (as simple-history
    # copies them when it records the measure: the link's id, measure and person).
    links = [
        (pk, record, person)
        for pk, record, m in zip(measure_ids, record_ids, measures_all, strict=True)
        for person in dict.fromkeys(m.responsible_persons)
    ]
    link_ids = _reserve_ids(Measure.responsible_persons.through, len(links))
    _Inserter(Measure.responsible_persons.through, ("id", "measure_id", "person_id")).insert(
        [(link, pk, person) for link, (pk, _r, person) in zip(link_ids, links, strict=True)]
    )
    if copied and _copied(link_ids):
        history_id = (f"{qn('measure_id')} + %s", [offset])
        _copy_rows(
            Measure.responsible_persons.through,
            Measure.history.model.responsible_persons.model,
            link_ids,
            {},
            history_id=history_id,
        )
    else:
        _Inserter(
            Measure.history.model.responsible_persons.model,
            ("id", "measure_id", "history_id", "person_id"),
        ).insert([(link, *row) for link, row in zip(link_ids, links, strict=True)])
    del links
    _Inserter(
        ProgressNote,
        ("measure_id", "text"),
        {
            "created_at": now,
            "updated_at": now,
            "reported_on": today,
            "author_id": history["history_user_id"],
        },
    ).insert(
        [
            (pk, m.progress)
            for pk, m in zip(measure_ids, measures_all, strict=True)
            if m.progress.strip()
        ]
    )
    if progress:
        progress(total, total)
    return list(problem_ids)


def _date_adapter() -> Callable[[dt.date | None], object]:
    """``date → database value`` for this connection, memoised (a ledger has few dates)."""
    adapt = connection.ops.adapt_datefield_value
    seen: dict = {None: None}

    def adapted(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = adapt(value)
            return result

    return adapted


def _reserve_ids(model, count: int) -> Sequence[int]:
    """``count`` fresh primary keys of ``model``'s table, for rows inserted with them.

    PostgreSQL hands them out from the table's sequence (safe beside other writers).
    SQLite has no sequence to draw from: the ids follow the highest ever used
    (``sqlite_sequence`` remembers deleted ones too); this is safe because Rectify's
    SQLite transactions begin IMMEDIATE, holding the write lock from the start — and
    were another writer to slip in, the primary key would refuse the duplicate and the
    whole import would roll back, never mix rows.
    """
    if not count:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"No id reservation for {connection.vendor}")
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT max({qn(column)}) FROM {qn(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(highest, found[0] if found else 0) + 1
    return range(start, start + count)


def _copied(ids: Sequence[int]) -> bool:
    """True when rows with ``ids`` can be copied in the database (see :func:`_copy_rows`)."""
    return connection.vendor == "sqlite" and isinstance(ids, range) and ids.step == 1 and bool(ids)


def _copy_rows(source, target, ids: range, constants: dict, **computed) -> None:
    """Copy the rows of ``source`` with ``ids`` (just inserted) into ``target``'s table.

    Their history records, written by the database from the rows themselves (one
    ``INSERT … SELECT``): what the records share with the rows is not sent a second
    time. ``target``'s fields come from ``computed`` (``attname: (SQL, params)``),
    then ``constants``, then the source column of the same name; an automatic
    primary key not given is left to the database. On SQLite only, where ids are
    reserved as one range (see :func:`_reserve_ids`): elsewhere the records are
    inserted from Python like the rows.
    """
    qn = connection.ops.quote_name
    columns = {f.attname: f.column for f in source._meta.concrete_fields}
    names, select, params = [], [], []
    for f in target._meta.concrete_fields:
        if f.attname in computed:
            sql, values = computed[f.attname]
            select.append(sql)
            params.extend(values)
        elif f.attname in constants:
            select.append("%s")
            params.append(f.get_db_prep_save(constants[f.attname], connection))
        elif f.attname in columns:
            select.append(qn(columns[f.attname]))
        elif f.primary_key:
            continue
        else:
            raise ValueError(f"{target.__name__}.{f.attname} needs a value")
        names.append(qn(f.column))
    pk = qn(source._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT OR FAIL INTO {qn(target._meta.db_table)} ({', '.join(names)}) "
            f"SELECT {', '.join(select)} FROM {qn(source._meta.db_table)} "
            f"WHERE {pk} BETWEEN %s AND %s ORDER BY {pk}",
            [*params, ids[0], ids[-1]],
        )


class _Inserter:
    """Inserts rows of one model's table given as tuples, many rows per statement.

    ``given`` names the columns (by attname) every row supplies, in order and already
    in their database form. Every other concrete field takes its value from
    ``constants`` or else its default, prepared once for all rows; an auto primary key
    not given is left to the database. A field with neither is an error, so a column
    added to the model later cannot be silently left empty.

    Each statement inserts up to :data:`ROWS_PER_INSERT` rows (``VALUES (…), (…)``):
    SQLite opens the table and every index once per statement, not once per row. On
    SQLite the statement is ``INSERT OR FAIL``: a plain INSERT of several rows keeps
    a journal of every page it touches so that it can undo itself alone on a
    constraint error, which made it slower than a row at a time (measured on the
    100,000-measure ledger: the measure table's rows took 2.1 s as OR FAIL, 2.7 s one
    by one, 3.7 s as a plain multi-row INSERT). There is nothing to undo alone here:
    an error rolls back the whole transaction.
    """

    def __init__(self, model, given: Sequence[str], constants: dict | None = None):
        constants = constants or {}
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = (set(given) | set(constants)) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no {sorted(unknown)}")
        fixed = []
        for name, f in fields.items():
            if name in given:
                continue
            if name in constants:
                value = constants[name]
            elif f.primary_key:
                continue
            elif f.has_default() or f.null or (f.blank and f.empty_strings_allowed):
                value = f.get_default()
            else:
                raise ValueError(f"{model.__name__}.{name} needs a value")
            fixed.append((f, value))
        self.tail = tuple(f.get_db_prep_save(value, connection) for f, value in fixed)
        qn = connection.ops.quote_name
        columns = [fields[name].column for name in given] + [f.column for f, _v in fixed]
        self.width = len(columns)
        self.head = "{} INTO {} ({}) VALUES ".format(
            "INSERT OR FAIL" if connection.vendor == "sqlite" else "INSERT",
            qn(model._meta.db_table),
            ", ".join(qn(c) for c in columns),
        )
        self.row = "({})".format(", ".join(["%s"] * len(columns)))
        self.per = max(1, min(ROWS_PER_INSERT, _max_parameters() // self.width))

    def sql(self, count: int) -> str:
        """The statement inserting ``count`` rows."""
        return self.head + ", ".join([self.row] * count)

    def insert(self, rows: Sequence[tuple]) -> None:
        tail, per = self.tail, self.per
        step = per * self.width
        with connection.cursor() as cursor:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                # Each row's values, then the constant ones, flattened without a tuple per row.
                pairs = zip(chunk, itertools.repeat(tail))
                values = list(itertools.chain.from_iterable(itertools.chain.from_iterable(pairs)))
                whole = len(chunk) // per * step
                if whole:
                    cursor.executemany(
                        self.sql(per), [values[i : i + step] for i in range(0, whole, step)]
                    )
                if whole < len(values):
                    cursor.execute(self.sql(len(chunk) % per), values[whole:])


def _max_parameters() -> int:
    """How many parameters one statement may take on this connection."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535
