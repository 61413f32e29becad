"""Forms of the research pages. They parse and narrow choices; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaign_units
from rectify.core.forms import (
    MultipleFileField,
    VersionedEditForm,
    date_input,
    model_field,
    offer_choices,
)
from rectify.ledger.forms import PersonChoiceField, persons_for
from rectify.org.scoping import CHANGE, units_visible_to
from rectify.org.selectors import persons_in_scope_roots, persons_near, units_for_choice

from ..models import TEXT_MAX_LENGTH, Finding, ResearchTopic
from ..services.research import PLANNING_STATUSES, REPORT_MAX_LENGTH


class TopicForm(forms.Form):
    """A topic's plan: what, who leads it, when, and whether it has started."""

    title = model_field(ResearchTopic, "title")
    lead = model_field(ResearchTopic, "lead", form_class=PersonChoiceField)
    planned_start = model_field(ResearchTopic, "planned_start", widget=date_input())
    planned_end = model_field(ResearchTopic, "planned_end", widget=date_input())
    status = forms.ChoiceField(
        label=_("status"),
        choices=[(s.value, s.label) for s in PLANNING_STATUSES],
        help_text=_("“Report submitted” is set by submitting the report."),
    )

    def __init__(self, *args, user, topic: ResearchTopic | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = persons_for(user)
        near = persons_near(user, topic.unit) if topic else persons_in_scope_roots(user)
        offer_choices(self, "lead", near, label=lambda p: f"{p.name} ({p.unit})")


class TopicCreateForm(TopicForm):
    """A new topic: the campaign is chosen first, the unit among those the user administers."""

    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), to_field_name="slug", widget=forms.HiddenInput
    )
    unit = model_field(ResearchTopic, "unit")

    field_order = ["campaign", "unit", "title"]

    def __init__(self, *args, user, campaign: Campaign, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.initial.setdefault("campaign", campaign.slug)
        self.fields["campaign"].queryset = Campaign.objects.filter(pk=campaign.pk)
        editable = units_visible_to(user, action=CHANGE)
        units = editable.filter(pk__in=campaign_units(campaign).values("pk"))
        self.fields["unit"].queryset = units
        offer_choices(self, "unit", units_for_choice(user).filter(pk__in=units.values("pk")))


class TopicEditForm(VersionedEditForm, TopicForm):
    """A topic's plan with its version; campaign and unit are fixed once created.

    Once the report is submitted the status is no longer chosen here.
    """

    def __init__(self, *args, topic: ResearchTopic, **kwargs):
        super().__init__(*args, topic=topic, **kwargs)
        if topic.status not in PLANNING_STATUSES:
            del self.fields["status"]


def topic_initial(topic: ResearchTopic) -> dict:
    """The edit form's initial data: the saved values and the version they belong to."""
    initial = {name: getattr(topic, name) for name in TopicForm.base_fields}
    initial["version"] = topic.version
    return initial


class ReportForm(forms.Form):
    """The research report: its text and new files (checked like the ledger's evidence)."""

    report = model_field(
        ResearchTopic,
        "report",
        max_length=REPORT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    files = MultipleFileField(label=_("Files"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TopicFindingForm(forms.Form):
    """A finding the research produced, with the target and level it concerns if known."""

    text = model_field(
        Finding, "text", max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    target = model_field(Finding, "target")
    level = model_field(Finding, "level")

    def __init__(self, *args, topic: ResearchTopic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = topic.campaign.targets.all()
