"""Stable sorting for paged lists: the list pages' ``?o=`` and the API's ``?ordering=``."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import F


@dataclass(frozen=True)
class SortRules:
    """How a model's lists sort beyond the columns asked for.

    ``latest_if_empty``: columns whose empty value sorts as the latest (a
    long-term measure without a deadline comes after every date going up,
    first going down), the same on SQLite and PostgreSQL.
    ``then``: columns that order the rows of one value of a column before the
    id does (measures of one status by deadline: the order of the status
    index, and the useful one); their empty values sort where the database
    puts them, because SQLite's index serves a ``NULLS LAST`` only first.
    """

    latest_if_empty: frozenset[str] = frozenset()
    then: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def order_by(self, ordering: Sequence[str]) -> list:
        """``ordering`` (``"column"`` or ``"-column"``) as ``order_by()`` terms, ending by id.

        Rows that tie (a thousand measures due on one day) keep one order, so
        paging neither repeats nor skips them, and a sort can walk one index
        (``column, id``) instead of sorting the whole list for a page of fifty.
        """
        terms = []
        for name in ordering:
            sign, column = ("-", name[1:]) if name.startswith("-") else ("", name)
            terms.append(self._term(sign, column))
            terms += [sign + tie for tie in self.then.get(column, ())]
        if ordering and not {name.lstrip("-") for name in ordering} & {"id", "pk"}:
            terms.append("-id" if ordering[-1].startswith("-") else "id")
        return terms

    def _term(self, sign: str, column: str):
        if column not in self.latest_if_empty:
            return sign + column
        return F(column).desc(nulls_first=True) if sign else F(column).asc(nulls_last=True)
