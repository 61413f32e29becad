"""Responsibility lists (责任清单): per person, per department, and a unit's three lists."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.pagination import paginate
from rectify.org.scoping import person_of, units_visible_to

from ..filters import MeasureFilter, ProblemFilter
from ..rows import measure_rows
from ..selectors import (
    measures_answered_by,
    measures_of_department,
    measures_visible_to,
    problems_visible_to,
)
from .common import light_summary, narrow_filter, persons_listed_for

#: The printable lists stop here and say so; beyond it the page would not print anyway.
UNIT_LISTS_LIMIT = 1000


def _responsibility_page(request: HttpRequest, measures, **context) -> HttpResponse:
    page_obj = paginate(request, measures)
    page_obj.object_list = measure_rows(page_obj.object_list)
    context |= {"page_obj": page_obj, "lights": light_summary(measures, page_obj)[0]}
    return render(request, "ledger/responsibility_list.html", context)


@login_required
def my_responsibilities(request: HttpRequest) -> HttpResponse:
    """The measures the logged-in user's person answers for."""
    person = person_of(request.user)
    if person is None:
        measures = measures_visible_to(request.user).none()
    else:
        measures = measures_answered_by(person, request.user)
    return _responsibility_page(
        request, measures, heading=_("My responsibilities"), person=person, is_own=True
    )


@login_required
def person_responsibilities(request: HttpRequest, pk: int) -> HttpResponse:
    """The responsibility list of one person the user may see."""
    person = get_object_or_404(persons_listed_for(request.user).select_related("unit"), pk=pk)
    heading = _("Responsibilities of %(name)s") % {"name": person.name}
    return _responsibility_page(
        request, measures_answered_by(person, request.user), heading=heading, person=person
    )


@login_required
def department_responsibilities(request: HttpRequest, pk: int) -> HttpResponse:
    """The measures a unit answers for as the responsible department."""
    unit = get_object_or_404(units_visible_to(request.user), pk=pk)
    heading = _("Measures of the responsible department %(unit)s") % {"unit": unit}
    return _responsibility_page(
        request, measures_of_department(unit, request.user), heading=heading, department=unit
    )


def _first(queryset, limit: int) -> tuple[list, bool]:
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


@login_required
def unit_lists(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit subtree's problem, measure and responsibility lists side by side, for print."""
    user = request.user
    unit = get_object_or_404(units_visible_to(user), pk=pk)
    campaigns = campaigns_visible_to(user)
    slug = request.GET.get("campaign") or ""
    campaign = get_object_or_404(campaigns, slug=slug) if slug else None
    data = {"unit": str(unit.pk), "campaign": slug}
    problem_filter = ProblemFilter(data, queryset=problems_visible_to(user))
    measure_filter = MeasureFilter(data, queryset=measures_visible_to(user))
    narrow_filter(problem_filter, user)
    narrow_filter(measure_filter, user)
    problems, more_problems = _first(
        problem_filter.qs.order_by("unit__path", "id"), UNIT_LISTS_LIMIT
    )
    measures, more_measures = _first(
        measure_filter.qs.order_by("unit__path", "problem_id", "id"), UNIT_LISTS_LIMIT
    )
    context = {
        "unit": unit,
        "campaign": campaign,
        "campaigns": campaigns,
        "problems": problems,
        "measures": measures,
        "truncated": more_problems or more_measures,
        "limit": UNIT_LISTS_LIMIT,
    }
    return render(request, "ledger/unit_lists.html", context)
