"""Filters of the API: the list pages' own definitions (problems, measures), narrowed to the
user's scope, and small ones by id for the other lists (ids only: a filter never tells
whether another unit's object exists)."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter

from rectify.campaigns.models import Target
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.ordering import SortRules
from rectify.inspection.models import FindingStatus
from rectify.ledger.forms import persons_for
from rectify.ledger.models import ExtensionStatus, Source
from rectify.org.scoping import units_visible_to
from rectify.study.models import AttendanceStatus


def narrow_choices(filterset, user) -> None:
    """Accept only the campaigns, units, targets and persons the user can see (as the pages).

    A value outside the scope is refused as an invalid choice (400), never silently ignored.
    """
    fields = filterset.form.fields
    campaigns = campaigns_visible_to(user)
    if "campaign" in fields:
        fields["campaign"].queryset = campaigns
    if "unit" in fields:
        fields["unit"].queryset = units_visible_to(user)
    if "target" in fields:
        fields["target"].queryset = Target.objects.filter(campaign__in=campaigns)
    if "person" in fields:
        fields["person"].queryset = persons_for(user)


class StableOrderingFilter(OrderingFilter):
    """DRF's ``?ordering=``, sorted by the view's ``sort_rules`` and ending by id, so that
    pages of a sort with ties neither repeat nor skip rows."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        rules = getattr(view, "sort_rules", None) or SortRules()
        return queryset.order_by(*rules.order_by(ordering))


class ScopedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, with the choice fields narrowed to the user's scope."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            narrow_choices(filterset, request.user)
        return filterset


#: The largest id a filter accepts (a 64-bit primary key); larger ones are invalid, not a crash.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A primary key in a query string: a whole number from 1 to :data:`MAX_ID`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """Rows whose foreign key is the given id (never a decimal, never beyond a 64-bit key)."""

    field_class = IdField


class ByMeasureFilter(django_filters.FilterSet):
    """Rows of one measure (``?measure=``), or of the measures of one problem (``?problem=``)."""

    measure = IdFilter(field_name="measure_id")
    problem = IdFilter(field_name="measure__problem_id")


class EvidenceFilter(django_filters.FilterSet):
    """Evidence of one progress note or one measure."""

    note = IdFilter(field_name="note_id")
    measure = IdFilter(field_name="note__measure_id")


class ExtensionFilter(ByMeasureFilter):
    """Deadline change requests of a measure, in a status."""

    status = django_filters.ChoiceFilter(choices=ExtensionStatus.choices)


class CampaignUnitFilter(django_filters.FilterSet):
    """Rows of one campaign (by slug) and one unit (by id, that unit only)."""

    campaign = django_filters.CharFilter(field_name="campaign__slug")
    unit = IdFilter(field_name="unit_id")


class FindingFilter(CampaignUnitFilter):
    """Findings of a campaign, a unit, in a status, from a source."""

    status = django_filters.ChoiceFilter(choices=FindingStatus.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)


class OpinionFilter(django_filters.FilterSet):
    """Opinions of one form, campaign or unit."""

    form = IdFilter(field_name="form_id")
    campaign = django_filters.CharFilter(field_name="form__campaign__slug")
    unit = IdFilter(field_name="form__unit_id")


class AttendanceFilter(django_filters.FilterSet):
    """Attendance of one meeting, or of one person."""

    meeting = IdFilter(field_name="meeting_id")
    person = IdFilter(field_name="person_id")
    status = django_filters.ChoiceFilter(choices=AttendanceStatus.choices)


class UnitFilter(django_filters.FilterSet):
    """Units below one parent (``?parent=``), or by code."""

    parent = IdFilter(field_name="parent_id")
    code = django_filters.CharFilter()


class PersonFilter(django_filters.FilterSet):
    """People of one unit."""

    unit = IdFilter(field_name="unit_id")


class TargetFilter(django_filters.FilterSet):
    """Targets of one campaign (by slug)."""

    campaign = django_filters.CharFilter(field_name="campaign__slug")
