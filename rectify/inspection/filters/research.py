"""The research topic list's filters: campaign, unit with its subtree, and status.

:class:`CampaignUnitFilter` is shared with the guidance-feedback list.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import offer_choices
from rectify.org.models import Unit
from rectify.org.scoping import VIEW, units_in_paths, units_visible_to
from rectify.org.selectors import units_for_choice

from ..models import ResearchStatus, ResearchTopic

#: The most units the unit filter offers as options (others arrive by link).
UNIT_CHOICES = 200


class CampaignUnitFilter(django_filters.FilterSet):
    """A campaign and a unit with its subtree; the choices offered are narrowed to the user's scope.

    Subclasses name their model and may add filters.
    """

    campaign = django_filters.ModelChoiceFilter(
        label=_("campaign"), queryset=Campaign.objects.all(), to_field_name="slug"
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("unit (with its subtree)"), queryset=Unit.objects.all(), method="filter_unit"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["campaign"].queryset = campaigns_visible_to(user)
        fields["unit"].queryset = units_visible_to(user)
        offer_choices(
            self.form, "unit", units_for_choice(user, levels=2, action=VIEW, cap=UNIT_CHOICES)
        )

    def filter_unit(self, queryset, name, value):
        """The unit's topics and those of every unit below it."""
        return queryset.filter(unit__in=units_in_paths([value.path]).values("pk"))


class ResearchTopicFilter(CampaignUnitFilter):
    """Filters of the research topic list."""

    status = django_filters.ChoiceFilter(label=_("status"), choices=ResearchStatus.choices)

    class Meta:
        model = ResearchTopic
        fields = ["campaign", "unit", "status"]
