"""One filter definition per list: the list page, the API and the exports share these."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from rectify.campaigns.models import Campaign, Target
from rectify.core.forms import date_input
from rectify.core.ordering import SortRules
from rectify.core.search import text_match
from rectify.org.models import Person, Unit
from rectify.org.scoping import units_in_paths

from . import tallies
from .lights import Light, light_q, stalled_q
from .models import (
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    ProblemStatus,
    Source,
)
from .selectors import MEASURE_SORT, NOT_SIGNED_OFF, problem_status_q


class YesNoSelect(django_filters.widgets.BooleanWidget):
    """Any / flagged / not flagged ("Unknown" would read oddly for "any")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "---------"), ("true", _("Yes")), ("false", _("No"))]


#: How the problem lists sort: by the chosen column, then id.
PROBLEM_SORT = SortRules()


class StableOrderingFilter(django_filters.OrderingFilter):
    """django-filter's ``?o=``, sorted by :class:`SortRules` (ties broken by id)."""

    def __init__(self, *args, rules: SortRules = PROBLEM_SORT, **kwargs):
        self.rules = rules
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param not in EMPTY_VALUES]
        return qs.order_by(*self.rules.order_by(ordering)) if ordering else qs


class _LedgerFilterSet(django_filters.FilterSet):
    """Filters both lists share. Choice querysets are narrowed to the user's scope by the view."""

    campaign = django_filters.ModelChoiceFilter(
        label=_("campaign"), queryset=Campaign.objects.all(), to_field_name="slug"
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("unit (with its subtree)"), queryset=Unit.objects.all(), method="filter_unit"
    )
    below = django_filters.BooleanFilter(
        label=_("with the units below"), method="filter_below", widget=YesNoSelect
    )
    target = django_filters.ModelChoiceFilter(label=_("target"), queryset=Target.objects.all())
    source = django_filters.ChoiceFilter(
        label=_("source"), choices=Source.choices, field_name="problem__source"
    )
    level = django_filters.ChoiceFilter(
        label=_("level"), choices=Level.choices, field_name="problem__level"
    )
    q = django_filters.CharFilter(label=_("search"), method="filter_text")

    def filter_unit(self, queryset, name, value):
        if not value:
            return queryset
        if self.form.cleaned_data.get("below") is False:
            return queryset.filter(unit=value)
        return queryset.filter(unit__in=units_in_paths([value.path]).values("pk"))

    def filter_below(self, queryset, name, value):
        """Read by :meth:`filter_unit` ("no": the unit's own rows only); filters nothing alone."""
        return queryset


class MeasureFilter(_LedgerFilterSet):
    """Filters of the measure list (整改清单) and of everything that exports it."""

    target = django_filters.ModelChoiceFilter(
        label=_("target"), queryset=Target.objects.all(), field_name="problem__target"
    )
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=MeasureKind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=MeasureStatus.choices)
    light = django_filters.ChoiceFilter(
        label=_("light"), choices=Light.choices, method="filter_light"
    )
    stalled = django_filters.BooleanFilter(
        label=_("no recent progress"), method="filter_stalled", widget=YesNoSelect
    )
    extended = django_filters.BooleanFilter(
        label=_("deadline extended"), method="filter_extended", widget=YesNoSelect
    )
    urged = django_filters.BooleanFilter(
        label=_("urged"), method="filter_urged", widget=YesNoSelect
    )
    person = django_filters.ModelChoiceFilter(
        label=_("responsible person"),
        queryset=Person.objects.all(),
        field_name="responsible_persons",
    )
    open_on = django_filters.DateFilter(
        label=_("open at the end of"), method="filter_open_on", widget=date_input()
    )
    signed_off_from = django_filters.DateFilter(
        label=_("signed off from"), method="filter_signed_off", widget=date_input()
    )
    signed_off_to = django_filters.DateFilter(
        label=_("signed off until"), method="filter_signed_off", widget=date_input()
    )
    o = StableOrderingFilter(
        label=_("sort by"),
        rules=MEASURE_SORT,
        fields=(
            ("problem", "problem"),
            ("deadline", "deadline"),
            ("status", "status"),
            ("unit__path", "unit"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "problem": _("problem"),
            "deadline": _("deadline"),
            "status": _("status"),
            "unit__path": _("unit"),
            "updated_at": _("last change"),
        },
    )

    class Meta:
        model = Measure
        fields = [
            "campaign",
            "unit",
            "below",
            "target",
            "source",
            "level",
            "kind",
            "status",
            "light",
            "stalled",
            "extended",
            "urged",
            "person",
            "open_on",
            "signed_off_from",
            "signed_off_to",
            "q",
        ]

    def filter_open_on(self, queryset, name, value):
        """Open at the end of that day: the burn-down's open measures of its week's last day."""
        return queryset.filter(tallies.open_on_q(value)) if value else queryset

    def filter_signed_off(self, queryset, name, value):
        """Signed off now, on a day from ``signed_off_from`` to ``signed_off_to`` (included)."""
        if not value:
            return queryset
        if name == "signed_off_from":
            return tallies.signed_off_between(queryset, value, None)
        return tallies.signed_off_between(queryset, None, value)

    def filter_extended(self, queryset, name, value):
        """Measures with an approved deadline change (or none): the measure's own count of them
        (:mod:`rectify.ledger.pressure`), which the dashboard's most-extended counts too."""
        if value is None:
            return queryset
        return (
            queryset.filter(extension_count__gt=0) if value else queryset.filter(extension_count=0)
        )

    def filter_urged(self, queryset, name, value):
        """Measures urged at least once (or never), by the measure's own count of its urges."""
        if value is None:
            return queryset
        return queryset.filter(urge_count__gt=0) if value else queryset.filter(urge_count=0)

    def filter_stalled(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(stalled_q()) if value else queryset.exclude(stalled_q())

    def filter_light(self, queryset, name, value):
        return queryset.filter(light_q(value)) if value else queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Persons are matched once (an uncorrelated subquery over a small table); the
        # problem's description is read through its primary key only for rows whose
        # own content did not match.
        persons = Person.all_objects.filter(text_match(value, "name")).values("pk")
        answered = Measure.responsible_persons.through.objects.filter(person__in=persons)
        return queryset.filter(
            text_match(value, "content", "problem__description")
            | Q(pk__in=answered.values("measure"))
        )


class ProblemFilter(_LedgerFilterSet):
    """Filters of the problem list (问题清单)."""

    source = django_filters.ChoiceFilter(label=_("source"), choices=Source.choices)
    level = django_filters.ChoiceFilter(label=_("level"), choices=Level.choices)
    status = django_filters.ChoiceFilter(
        label=_("status"),
        choices=[*ProblemStatus.choices, (NOT_SIGNED_OFF, _("Not signed off yet"))],
        method="filter_status",
    )
    o = StableOrderingFilter(
        label=_("sort by"),
        fields=(("id", "id"), ("found_on", "found"), ("unit__path", "unit")),
        field_labels={"id": _("number"), "found_on": _("date found"), "unit__path": _("unit")},
    )

    class Meta:
        model = Problem
        fields = ["campaign", "unit", "below", "target", "source", "level", "status", "q"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(problem_status_q(value)) if value else queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            text_match(value, "description", "root_cause", "concerned_person__name")
        )
