"""The triage queue's filters: one unit and campaign, then source, target, level and status."""

import django_filters
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign, Target
from rectify.ledger.models import Level, Source
from rectify.org.models import Unit

from ..models import Finding, FindingStatus
from ..selectors.findings import finding_status_counts


class FindingFilter(django_filters.FilterSet):
    """Filters of a unit's triage queue; without a status it shows what awaits triage."""

    campaign = django_filters.ModelChoiceFilter(
        label=_("campaign"), queryset=Campaign.objects.all(), to_field_name="slug"
    )
    # The queue is the unit's own: its subunits keep their own queues.
    unit = django_filters.ModelChoiceFilter(label=_("unit"), queryset=Unit.objects.all())
    source = django_filters.ChoiceFilter(label=_("source"), choices=Source.choices)
    target = django_filters.ModelChoiceFilter(label=_("target"), queryset=Target.objects.all())
    level = django_filters.ChoiceFilter(label=_("level"), choices=Level.choices)
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=FindingStatus.choices, empty_label=_("All")
    )

    class Meta:
        model = Finding
        fields = ["campaign", "unit", "source", "target", "level", "status"]

    def __init__(self, data: QueryDict | None = None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        # An absent status means "to triage"; an empty one (chosen "All") means all.
        data.setdefault("status", FindingStatus.NEW)
        super().__init__(data, *args, **kwargs)

    @property
    def queue(self) -> tuple[Campaign | None, Unit | None]:
        """The campaign and unit whose queue is shown, when both are chosen and valid."""
        if not self.is_valid():
            return None, None
        return self.form.cleaned_data.get("campaign"), self.form.cleaned_data.get("unit")

    def status_counts(self) -> dict[str, int]:
        """Findings per status under every filter but the status one (the tabs' numbers)."""
        if not self.is_valid():
            return finding_status_counts(self.queryset.none())
        findings = self.queryset
        for name, value in self.form.cleaned_data.items():
            if name != "status":
                findings = self.filters[name].filter(findings, value)
        return finding_status_counts(findings)
