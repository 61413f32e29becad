"""Who and what the cells of a ledger name: units, departments, people, Rectify's own ids.

Each lookup is one query (or one per 500 names), whatever the number of
rows, and stays within what the importing user may see or change: units of
the chosen subtree, people and departments in it or above it that the user
sees, and problems of the chosen campaign and subtree that the user may edit.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign
from rectify.ledger.models import Measure, Problem
from rectify.org.models import PATH_END, PATH_STEP, Person, Unit
from rectify.org.scoping import editable_by, visible_to

from .model import Issue, PersonQuestion
from .parse import fold

#: People questions with a picker on the page (more are decided by their default).
QUESTIONS_SHOWN = 200
#: Candidates in each person picker.
PICKER_SIZE = 30
#: Rows a person's question names (the first ones where the name appears).
QUESTION_ROWS = 5


class Resolver:
    """Lookups for one import: a campaign, the chosen unit's subtree, the importing user."""

    def __init__(self, *, campaign: Campaign, unit: Unit, user):
        self.campaign = campaign
        self.unit = unit
        self.user = user

    def subtree(self) -> Q:
        """Units of the chosen subtree."""
        return Q(path__gte=self.unit.path, path__lt=self.unit.path + PATH_END)

    def units(self, names: set[str]) -> dict:
        """Units of the chosen subtree by folded name, short name or code (or \"ambiguous\")."""
        return _unit_lookup(
            Unit.objects.filter(self.subtree()).filter(
                Q(name__in=names) | Q(short_name__in=names) | Q(code__in=names)
            )
        )

    def departments(self, names: set[str]) -> dict[str, list[Unit]]:
        """Units in or above the chosen subtree that the user sees, by folded name or code."""
        near = self.subtree() | Q(path__in=self.unit.ancestor_paths())
        units = visible_to(Unit.objects.filter(near), self.user).filter(
            Q(name__in=names) | Q(short_name__in=names) | Q(code__in=names)
        )
        lookup: dict[str, list[Unit]] = {}
        for unit in units:
            for key in {unit_key(unit.name), unit_key(unit.short_name), unit_key(unit.code)}:
                if key:
                    lookup.setdefault(key, []).append(unit)
        return lookup

    def changeable(self):
        """The problems of the campaign and the chosen subtree that the user may change."""
        return editable_by(
            Problem.objects.filter(
                campaign=self.campaign,
                unit__path__gte=self.unit.path,
                unit__path__lt=self.unit.path + PATH_END,
            ),
            self.user,
        )

    def existing(self, ids: list[tuple[int, int | None] | None]) -> dict:
        """Which of Rectify's ids in the file name this campaign's objects the user may change."""
        found = {"problems": set(), "measures": {}, "found_on": {}}
        problem_ids = {i[0] for i in ids if i}
        if not problem_ids:
            return found
        problems = self.changeable()
        if not problems.exists():  # a new campaign: the ids are of another one
            return found
        for chunk in chunks(sorted(problem_ids)):
            for pk, found_on in problems.filter(pk__in=chunk).values_list("pk", "found_on"):
                found["problems"].add(pk)
                found["found_on"][pk] = found_on
        # Only the measures of the problems found can be changed: those problems' measures
        # (a re-imported ledger names most of them, and there are fewer problems to ask by).
        for chunk in chunks(sorted(found["problems"])):
            rows = Measure.objects.filter(problem_id__in=chunk).values_list("pk", "problem_id")
            found["measures"].update(rows)
        return found

    def people(self, plan, names_at: dict[str, list[tuple[int, int]]], decisions) -> None:
        """Match every name to a person near its row's unit; ask about the rest.

        ``names_at`` holds, per name, ``(row number, unit id)`` of its first rows (at
        least one, and :data:`QUESTION_ROWS` are enough); the first row's unit decides.
        """
        if not names_at:
            return
        near = Q(unit__path__gte=self.unit.path, unit__path__lt=self.unit.path + PATH_END)
        near |= Q(unit__path__in=self.unit.ancestor_paths())
        people: dict[str, list[Person]] = {}
        for chunk in chunks(sorted(names_at)):
            candidates = visible_to(Person.objects.filter(near, name__in=chunk), self.user)
            for person in candidates.select_related("unit"):
                people.setdefault(person.name, []).append(person)
        unit_ids = {places[0][1] for places in names_at.values()}
        units = Unit.objects.in_bulk(unit_ids)
        for name, places in names_at.items():
            first_row, unit_id = places[0]
            row_unit = units[unit_id]
            found = closest(people.get(name, []), row_unit, unit_of=lambda p: p.unit)
            decision = decisions.get(name)
            if found is not None and not decision:
                plan.persons[name] = found.pk
                continue
            question = PersonQuestion(
                name=name,
                rows=[r for r, _u in places[:QUESTION_ROWS]],
                unit_id=row_unit.pk,
                unit=str(row_unit),
                ambiguous=bool(people.get(name)),
            )
            question.decision = "" if question.ambiguous else f"new:{row_unit.pk}"
            if decision:
                question.decision = self.check_decision(plan, name, decision, first_row)
            plan.questions.append(question)
        self._offer_candidates(plan, people)

    def check_decision(self, plan, name: str, decision: str, row: int) -> str:
        """A decision from the page, if it names a person or unit the user may use."""
        kind, _sep, value = decision.partition(":")
        if not value.isdigit():
            return ""
        pk = int(value)
        if kind == "match":
            near = Q(unit__path__gte=self.unit.path, unit__path__lt=self.unit.path + PATH_END)
            near |= Q(unit__path__in=self.unit.ancestor_paths())
            if visible_to(Person.objects.filter(near, pk=pk), self.user).exists():
                plan.persons[name] = pk
                return decision
        elif kind == "new" and Unit.objects.filter(self.subtree(), pk=pk).exists():
            return decision
        plan.issues.append(
            Issue(
                row,
                "",
                name,
                _("The person or unit chosen for “%(name)s” is not within “%(unit)s”.")
                % {"name": name, "unit": self.unit},
            )
        )
        return ""

    def _offer_candidates(self, plan, people: dict[str, list[Person]]) -> None:
        """Fill each shown question's picker: namesakes, then people of the row's unit."""
        shown = plan.questions[:QUESTIONS_SHOWN]
        by_unit: dict[int, list[Person]] = {}
        for question in shown:
            if question.unit_id not in by_unit:
                by_unit[question.unit_id] = list(
                    visible_to(Person.objects.filter(unit_id=question.unit_id), self.user)
                    .select_related("unit")
                    .order_by("name", "pk")[:PICKER_SIZE]
                )
            options = [*people.get(question.name, []), *by_unit[question.unit_id]]
            seen = set()
            for person in options:
                if person.pk not in seen:
                    seen.add(person.pk)
                    question.match_choices.append(
                        (f"match:{person.pk}", f"{person.name} · {person.unit}")
                    )
            question.create_choices = [(f"new:{question.unit_id}", question.unit)]
            if question.unit_id != self.unit.pk:
                question.create_choices.append((f"new:{self.unit.pk}", str(self.unit)))


def unit_key(value) -> str:
    return fold(value)


def _unit_lookup(units) -> dict:
    lookup: dict = {}
    for unit in units:
        for key in {unit_key(unit.name), unit_key(unit.short_name), unit_key(unit.code)}:
            if key:
                lookup[key] = "ambiguous" if key in lookup and lookup[key] != unit else unit
    return lookup


def _shared_levels(a: str, b: str) -> int:
    """How many levels of the tree two unit paths share from the root."""
    levels = 0
    for start in range(0, min(len(a), len(b)), PATH_STEP):
        if a[start : start + PATH_STEP] != b[start : start + PATH_STEP]:
            break
        levels += 1
    return levels


def closest(candidates, unit: Unit, unit_of=lambda u: u):
    """The one candidate nearest ``unit`` in the tree, or None when two are equally near.

    Nearest: the deepest common ancestor first; then a unit on ``unit``'s own
    line (itself, below it, above it) before a cousin; then the fewest levels
    apart. So the row's own unit wins, then its subtree, then its superiors,
    then its county's other units, then the rest.
    """
    if not candidates:
        return None
    path = unit.path

    def rank(candidate) -> tuple[int, int, int]:
        other = unit_of(candidate).path
        common = _shared_levels(path, other)
        in_line = other.startswith(path) or path.startswith(other)
        return (-common, 0 if in_line else 1, abs(len(other) - len(path)))

    ranked = sorted(candidates, key=rank)
    if len(ranked) > 1 and rank(ranked[1]) == rank(ranked[0]):
        return None
    return ranked[0]


def chunks(items, size: int = 500):
    """``items`` in slices of ``size``: with more ids per query, SQLite's planner gives up
    the primary key for a scan of the unit's subtree (40 times slower per query)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
