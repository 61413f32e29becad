"""The rows of an exported list, read in batches with the same filters as the list pages.

A :class:`RowSource` yields the rows of one list (问题清单, 整改清单, 责任清单
or the combined 整改台账) in problem order, grouped by problem. Rows are
plain dicts keyed by the column keys of :mod:`.columns`, plus ``id`` (the
hidden re-import id) and the light's value under ``light``.

Every batch costs the same few queries whatever its rows hold: one for the
rows (``values()``, with the problem's fields joined), then one each for the
responsible persons, the latest progress notes, the urge counts and the
approved extension counts of the batch's measures. Problems are read by
keyset (``id`` greater than the last one's); measures alone stream from one
ordered query in chunks.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Expression, F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign
from rectify.ledger.lights import Light
from rectify.ledger.models import (
    ExtensionRequest,
    ExtensionStatus,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    ProgressNote,
    Source,
    Urge,
)

from .columns import LISTS

#: Rows (problems or measures) read per query; tests lower it to show queries per batch.
BATCH_SIZE = 1000

#: The columns of the combined ledger that belong to the problem (merged over its measures).
PROBLEM_KEYS = ("seq", "unit", "target", "description", "source", "level", "root_cause")

#: The title of each list, as offices name them.
LIST_TITLES = {
    "problems": gettext_lazy("Problem list"),
    "measures": gettext_lazy("Measure list"),
    "responsibilities": gettext_lazy("Responsibility list"),
    "ledger": gettext_lazy("Rectification ledger"),
}

#: Filters of the measure list that select measures rather than problems: with any of
#: them set, the combined ledger leaves out problems that have no measure yet.
MEASURE_ONLY_FILTERS = (
    *("kind", "status", "light", "stalled", "extended", "urged", "person", "q"),
    *("open_on", "signed_off_from", "signed_off_to"),
)

_MEASURE_VALUES = ("id", "problem_id", "content", "expected_outcome", "kind", "deadline")


class AmongIds(Expression):
    """``column IN (ids)`` with the ids sent as one parameter (a JSON or SQL array).

    Django's ``field__in=[...]`` prepares each of a thousand ids on its own,
    which costs more than the query; and a subquery would run the list's
    filter again.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: list[int]):
        super().__init__()
        self.column = F(column)
        self.ids = [int(pk) for pk in ids]

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, **kw):
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(query, allow_joins, reuse, summarize)
        return resolved

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", (*params, self.ids)

    def as_sqlite(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.ids))


@dataclass
class Heading:
    """What the title rows of a file say: the campaign, the scope and the filters."""

    campaign: Campaign | None = None
    place: str = ""
    filters: list[str] = field(default_factory=list)
    as_of: dt.date = field(default_factory=timezone.localdate)

    def title(self, list_name: str) -> str:
        """``<campaign> <list title>``, e.g. "主题教育 整改台账"."""
        parts = [self.campaign.name if self.campaign else "", str(LIST_TITLES[list_name])]
        return " ".join(part for part in parts if part)

    def as_of_text(self) -> str:
        """The date line: 截至 2024年5月1日 in Chinese, as of 2024-05-01 in English."""
        day = self.as_of
        return _("as of %(year)d-%(month)02d-%(day)02d") % {
            "year": day.year,
            "month": day.month,
            "day": day.day,
        }

    def subtitle(self) -> str:
        """The scope, the filters and the date, on one line."""
        return " · ".join(part for part in (self.place, *self.filters, self.as_of_text()) if part)

    def filename(self, list_name: str, extension: str) -> str:
        """A file name a user recognises: campaign, place, list and date."""
        parts = [
            self.campaign.name if self.campaign else "",
            self.place,
            str(LIST_TITLES[list_name]),
            self.as_of.strftime("%Y%m%d"),
        ]
        name = "-".join(part for part in parts if part)
        for forbidden in '/\\:*?"<>|\r\n\t':
            name = name.replace(forbidden, "_")
        return f"{name[:150]}.{extension}"


def filter_summary(filterset, skip=("campaign", "unit", "o")) -> list[str]:
    """``"label: value"`` for each filter the user set (a valid filterset only)."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    form = filterset.form
    summary = []
    for name, value in form.cleaned_data.items():
        if name in skip or value in (None, "", [], ()):
            continue
        form_field = form.fields[name]
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif hasattr(form_field, "choices") and not hasattr(value, "pk"):
            shown = dict(form_field.choices).get(value, value)
        else:
            shown = value
        summary.append(f"{capfirst(str(form_field.label))}: {shown}")
    return summary


class RowSource:
    """The rows of one list, in problem order, grouped by problem.

    ``problems`` drives the rows ("problem-led": the problem list, and the
    combined ledger of a set of problems, each with its ``measures``; a problem
    without any shows as one row with empty measure cells), or ``measures``
    alone does ("measure-led": the measure and responsibility lists, and the
    ledger of a filtered set of measures).
    """

    def __init__(
        self,
        list_name: str,
        *,
        problems: QuerySet | None = None,
        measures: QuerySet | None = None,
        heading: Heading | None = None,
    ):
        if list_name not in LISTS:
            raise ValueError(list_name)
        if problems is None and measures is None:
            raise ValueError("a row source needs problems or measures")
        self.list_name = list_name
        self.columns = LISTS[list_name]
        self.problems = problems
        self.measures = measures
        self.heading = heading or Heading()
        self.merged = list_name == "ledger"

    # Counting

    def count(self, cap: int | None = None) -> int:
        """How many rows the file will have; with ``cap``, counting stops past it."""

        def counted(queryset: QuerySet) -> int:
            queryset = queryset.order_by().values("pk")
            return (queryset[: cap + 1] if cap is not None else queryset).count()

        if self.problems is None:
            return counted(self.measures)
        if self.measures is None:
            return counted(self.problems)
        listed = self.measures.filter(problem__in=self.problems.order_by().values("pk"))
        empty = self.problems.exclude(pk__in=self.measures.order_by().values("problem_id"))
        return counted(listed) + counted(empty)

    # Rows

    def groups(self) -> Iterator[list[dict]]:
        """The rows, one list per problem (one row per measure, or one for the problem)."""
        self._labels = {
            "source": {value: str(label) for value, label in Source.choices},
            "level": {value: str(label) for value, label in Level.choices},
            "kind": {value: str(label) for value, label in MeasureKind.choices},
            "status": {value: str(label) for value, label in MeasureStatus.choices},
        }
        self._long_term = str(MeasureKind.LONG_TERM.label)
        self._separator = "、" if (get_language() or "").startswith("zh") else ", "
        if self.problems is not None:
            yield from self._problem_led()
        elif self.merged:
            yield from self._measure_led_grouped()
        else:
            for row in self._measure_led():
                yield [row]

    def rows(self) -> Iterator[dict]:
        """The rows, one after the other."""
        for group in self.groups():
            yield from group

    def _problem_led(self) -> Iterator[list[dict]]:
        problems = self.problems.order_by("pk")
        fields = problems.values(
            "description",
            "source",
            "level",
            "root_cause",
            problem_id=F("pk"),
            unit_name=F("unit__name"),
            target_title=F("target__title"),
        )
        seq, last = 0, 0
        while True:
            batch = list(fields.filter(pk__gt=last)[:BATCH_SIZE])
            if not batch:
                return
            first, last = last, batch[-1]["problem_id"]
            by_problem: dict[int, list[dict]] = defaultdict(list)
            if self.measures is not None:
                # The batch's problems as a range and a subquery, not a list of ids: a
                # thousand query parameters cost more to prepare than the query to run.
                in_batch = problems.filter(pk__gt=first, pk__lte=last).values("pk")
                measures = self.measures.filter(
                    problem_id__gt=first, problem_id__lte=last, problem__in=in_batch
                )
                rows = list(self._measure_values(measures).order_by("problem_id", "pk"))
                for measure in self._with_extras(rows):
                    by_problem[measure["problem_id"]].append(measure)
            for problem in batch:
                seq += 1
                measures = by_problem.get(problem["problem_id"]) or [None]
                yield [self._row(problem, measure, seq) for measure in measures]

    def _measure_batches(self) -> Iterator[list[dict]]:
        """Batches of measures with their problem's fields, in (problem, measure) order.

        One query, read in chunks: a filter served by another index than the
        order (the lights' (status, deadline), say) sorts its rows once, where
        a keyset would sort what remains of them again for every batch.
        """
        measures = self._measure_values(
            self.measures,
            **{
                "description": F("problem__description"),
                "source": F("problem__source"),
                "level": F("problem__level"),
                "root_cause": F("problem__root_cause"),
                "unit_name": F("unit__name"),
                "target_title": F("problem__target__title"),
            },
        ).order_by("problem_id", "pk")
        batch = []
        for measure in measures.iterator(chunk_size=BATCH_SIZE):
            batch.append(measure)
            if len(batch) == BATCH_SIZE:
                yield self._with_extras(batch)
                batch = []
        if batch:
            yield self._with_extras(batch)

    def _measure_led(self) -> Iterator[dict]:
        seq = 0
        for batch in self._measure_batches():
            for measure in batch:
                seq += 1
                yield self._row(measure, measure, seq)

    def _measure_led_grouped(self) -> Iterator[list[dict]]:
        # A problem's measures may straddle two batches: a group is complete only
        # once the next problem starts (or the rows end).
        seq, group, current = 0, [], None
        for batch in self._measure_batches():
            for measure in batch:
                if measure["problem_id"] != current:
                    if group:
                        yield group
                    seq += 1
                    group, current = [], measure["problem_id"]
                group.append(self._row(measure, measure, seq))
        if group:
            yield group

    @staticmethod
    def _measure_values(measures: QuerySet, **extra) -> QuerySet:
        return measures.prefetch_related(None).values(
            *_MEASURE_VALUES,
            "status",
            "light",
            leader_name=F("responsible_leader__name"),
            department_name=F("responsible_department__name"),
            **extra,
        )

    def _with_extras(self, measures: list[dict]) -> list[dict]:
        """Add persons, latest progress, urge and extension counts: four queries per batch."""
        if not measures:
            return measures
        ids = [measure["id"] for measure in measures]
        persons: dict[int, list[str]] = defaultdict(list)
        through = Measure.responsible_persons.through.objects.filter(
            AmongIds("measure_id", ids), person__deleted_at__isnull=True
        ).order_by("measure_id", "person_id")
        for measure_id, name in through.values_list("measure_id", "person__name"):
            persons[measure_id].append(name)
        latest = (
            ProgressNote.objects.filter(measure=OuterRef("pk"))
            .order_by("-reported_on", "-id")
            .values("text")[:1]
        )
        progress = dict(
            Measure.all_objects.filter(AmongIds("pk", ids))
            .annotate(latest=Subquery(latest))
            .filter(latest__isnull=False)
            .values_list("pk", "latest")
        )
        urges = dict(
            Urge.objects.filter(AmongIds("measure_id", ids))
            .order_by()
            .values("measure_id")
            .annotate(n=Count("*"))
            .values_list("measure_id", "n")
        )
        extensions = dict(
            ExtensionRequest.objects.filter(
                AmongIds("measure_id", ids), status=ExtensionStatus.APPROVED
            )
            .order_by()
            .values("measure_id")
            .annotate(n=Count("*"))
            .values_list("measure_id", "n")
        )
        for measure in measures:
            pk = measure["id"]
            measure["persons"] = self._separator.join(persons.get(pk, ()))
            measure["progress"] = progress.get(pk, "")
            measure["urges"] = urges.get(pk, 0)
            measure["extensions"] = extensions.get(pk, 0)
        return measures

    def _row(self, problem: dict, measure: dict | None, seq: int) -> dict:
        """A row: ``problem`` holds the problem's fields (a measure read with them joined
        does too), ``measure`` the measure's, or ``None`` for a problem without measures."""
        labels = self._labels
        row = {
            "seq": seq,
            "unit": problem["unit_name"],
            "target": problem["target_title"],
            "description": problem["description"],
            "source": labels["source"].get(problem["source"], problem["source"]),
            "level": labels["level"].get(problem["level"], problem["level"]),
            "root_cause": problem["root_cause"],
            "remarks": "",
        }
        problem_id = measure["problem_id"] if measure else problem["problem_id"]
        if measure is None:
            row["id"] = f"P{problem_id}"
            return row
        deadline = measure["deadline"]
        if deadline is None and measure["kind"] == MeasureKind.LONG_TERM:
            deadline = self._long_term
        row.update(
            {
                "content": measure["content"],
                "expected_outcome": measure["expected_outcome"],
                "kind": labels["kind"].get(measure["kind"], measure["kind"]),
                "responsible_leader": measure["leader_name"] or "",
                "responsible_department": measure["department_name"] or "",
                "responsible_persons": measure["persons"],
                "deadline": deadline,
                "progress": measure["progress"],
                "status": labels["status"].get(measure["status"], measure["status"]),
                "light": measure["light"],
                "urges": measure["urges"],
                "extensions": measure["extensions"],
                "id": f"P{problem_id}-M{measure['id']}",
            }
        )
        return row


def light_label(value: str | None) -> str:
    """The word of a light (红/黄/绿/灰), or an empty string."""
    return str(Light(value).label) if value else ""


def date_text(value) -> str:
    """A cell's date as YYYY-MM-DD (text cells pass through)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


__all__ = [
    "BATCH_SIZE",
    "LIST_TITLES",
    "MEASURE_ONLY_FILTERS",
    "PROBLEM_KEYS",
    "Heading",
    "RowSource",
    "date_text",
    "filter_summary",
    "light_label",
]
