"""Forms of the campaign pages. They parse and validate input; services write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rectify.core.forms import offer_choices
from rectify.org.forms import (
    ServiceModelForm,
    UnitChoiceField,
    UnitMultipleChoiceField,
    parse_codes,
)
from rectify.org.models import GuidanceGroup, Unit
from rectify.org.selectors import guidance_groups_visible_to, units_by_codes, units_for_choice

from .models import Campaign, GuidanceAssignment, Phase, Target
from .selectors import campaign_units, units_for_assignment
from .templates_data import TEMPLATES

#: Slugs that would collide with a page under ``/campaigns/``.
RESERVED_SLUGS = {"new"}


class DateInput(forms.DateInput):
    """A browser date picker (no script needed)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ParticipatingUnitsMixin(forms.Form):
    """Participating units: a bounded picker plus a box for the codes of deeper units."""

    participating_units = UnitMultipleChoiceField(
        label=capfirst(Campaign._meta.get_field("participating_units").verbose_name),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_(
            "Each unit takes part with its whole subtree. The list shows the units you "
            "administer and the levels just below them; enter deeper units by code."
        ),
    )
    more_unit_codes = forms.CharField(
        label=_("More participating units, by code"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Unit codes separated by commas, spaces or new lines."),
    )

    def clean(self):
        data = super().clean()
        codes = parse_codes(data.pop("more_unit_codes", "") or "")
        units = list(data.get("participating_units") or [])
        if codes:
            found = list(units_by_codes(self.acting_user, codes))
            missing = sorted(set(codes) - {unit.code for unit in found})
            if missing:
                self.add_error(
                    "more_unit_codes",
                    ValidationError(
                        _("No unit you administer has these codes: %(codes)s"),
                        code="unknown_codes",
                        params={"codes": ", ".join(missing)},
                    ),
                )
            units += [unit for unit in found if unit not in units]
        data["participating_units"] = units
        return data


class CampaignCreateForm(ParticipatingUnitsMixin, ServiceModelForm):
    """A new campaign, from a built-in template or from scratch."""

    template = forms.ChoiceField(
        label=_("Start from"),
        widget=forms.RadioSelect,
        required=False,
        choices=[
            ("", _("Scratch: the four default phases, no targets")),
            *[(key, spec["label"]) for key, spec in TEMPLATES.items()],
        ],
        initial=next(iter(TEMPLATES)),
        help_text=_("A template fills in the targets, phases and, when left empty, the texts."),
    )
    organizer = UnitChoiceField(
        label=capfirst(Campaign._meta.get_field("organizer").verbose_name),
        queryset=Unit.objects.none(),
    )

    class Meta:
        model = Campaign
        fields = [
            "template",
            "name",
            "slug",
            "general_requirement",
            "root_task",
            "start_date",
            "end_date",
            "warning_days",
            "progress_stale_days",
            "sign_off_levels",
            "extension_approver",
            "organizer",
            "participating_units",
            "more_unit_codes",
        ]
        widgets = {"start_date": DateInput, "end_date": DateInput}
        help_texts = {
            "slug": _(
                "Latin letters, digits and hyphens, used in the campaign's web address; "
                "it cannot be changed later."
            )
        }

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        choices = units_for_choice(acting_user)
        self.fields["organizer"].queryset = choices
        self.fields["participating_units"].queryset = choices

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This slug is reserved; choose another."), code="reserved")
        return slug

    def clean_template(self):
        return self.cleaned_data["template"] or None


class CampaignEditForm(ParticipatingUnitsMixin, ServiceModelForm):
    """A campaign's own fields; its slug and organizer stay as created."""

    class Meta:
        model = Campaign
        fields = [
            "name",
            "general_requirement",
            "root_task",
            "start_date",
            "end_date",
            "warning_days",
            "progress_stale_days",
            "sign_off_levels",
            "extension_approver",
            "participating_units",
            "more_unit_codes",
        ]
        widgets = {"start_date": DateInput, "end_date": DateInput}

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        # Current participants stay choosable even when deeper than the picker reaches.
        self.fields["participating_units"].queryset = units_for_choice(
            acting_user, include=self.instance.participating_units.all()
        )


class TargetForm(ServiceModelForm):
    """A target requirement of a campaign."""

    class Meta:
        model = Target
        fields = ["code", "title", "description", "order"]


class PhaseForm(ServiceModelForm):
    """A phase of a campaign."""

    class Meta:
        model = Phase
        fields = ["name", "order", "start_date", "end_date"]
        widgets = {"start_date": DateInput, "end_date": DateInput}


class GuidanceAssignForm(forms.Form):
    """A guidance group and the campaign units it supervises; assigning again replaces them."""

    group = forms.ModelChoiceField(
        label=capfirst(GuidanceAssignment._meta.get_field("group").verbose_name),
        queryset=GuidanceGroup.objects.none(),
    )
    units = UnitMultipleChoiceField(
        label=capfirst(GuidanceAssignment._meta.get_field("units").verbose_name),
        queryset=Unit.objects.none(),
        help_text=_(
            "Each unit is supervised with its whole subtree. The list shows the participating "
            "units and two levels below them."
        ),
    )

    def __init__(self, *args, campaign: Campaign, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = guidance_groups_visible_to(acting_user)
        # Validation reaches every unit of the campaign; the picker lists the upper levels.
        self.fields["units"].queryset = campaign_units(campaign)
        offer_choices(self, "units", units_for_assignment(campaign))
