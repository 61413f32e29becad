"""Forms of satisfaction evaluation: the staff's set-up, and the respondent's ballot."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign
from rectify.core.forms import offer_choices
from rectify.inspection.forms.opinions import LongTextField
from rectify.org.models import Unit
from rectify.org.scoping import CHANGE, units_visible_to
from rectify.org.selectors import units_for_choice

from .models import Choice, Survey
from .services import MAX_BATCH, normalize_code


def _model_field(name: str, **kwargs) -> forms.Field:
    """The form field Django derives from a survey field (label, limits, help)."""
    return Survey._meta.get_field(name).formfield(**kwargs)


class SurveyCreateForm(forms.Form):
    """A new survey: campaign, organizing unit, units evaluated, wording and thresholds."""

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), to_field_name="slug"
    )
    unit = forms.ModelChoiceField(label=_("Organizing unit"), queryset=Unit.objects.none())
    units = forms.ModelMultipleChoiceField(
        label=_("Units evaluated"),
        queryset=Unit.objects.none(),
        help_text=_("Units under the organizing unit whose work the respondents rate."),
    )
    title = _model_field("title")
    introduction = _model_field("introduction", widget=forms.Textarea(attrs={"rows": 4}))
    show_briefing = _model_field("show_briefing")
    threshold = _model_field("threshold")
    min_sample = _model_field("min_sample")
    first_round = forms.CharField(
        label=_("First round"),
        max_length=100,
        required=False,
        help_text=_("For example “Before rectification”. Empty: “Round 1”."),
    )

    def __init__(self, *args, campaigns: QuerySet[Campaign], user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        editable = units_visible_to(user, action=CHANGE)
        for name in ("unit", "units"):
            self.fields[name].queryset = editable
            offer_choices(self, name, units_for_choice(user))


class RoundCreateForm(forms.Form):
    """A new round, e.g. after rectification."""

    name = forms.CharField(label=_("Name of the round"), max_length=100)


class _UnitForm(forms.Form):
    """A form choosing one of the survey's units."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = survey.units.order_by("path")


class TokenBatchForm(_UnitForm):
    """How many one-time tokens to issue for a unit."""

    count = forms.IntegerField(label=_("Number of tokens"), min_value=1, max_value=MAX_BATCH)


class OpenLinkForm(_UnitForm):
    """The unit whose open link to make."""


class ScaleForm(forms.Form):
    """The survey's answer choices: label, weight and whether they count as satisfied."""

    def __init__(self, *args, choices: list[Choice], **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        for choice in choices:
            self.fields[f"label_{choice.pk}"] = forms.CharField(
                label=_("Label"), max_length=20, initial=choice.label
            )
            self.fields[f"weight_{choice.pk}"] = forms.IntegerField(
                label=_("Weight (%)"),
                min_value=0,
                max_value=100,
                required=False,
                initial=choice.weight,
            )
            self.fields[f"satisfied_{choice.pk}"] = forms.BooleanField(
                label=_("Counts as satisfied"), required=False, initial=choice.satisfied
            )

    def rows(self) -> list[tuple[Choice, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """One row of bound fields per choice, for the template."""
        return [
            (c, self[f"label_{c.pk}"], self[f"weight_{c.pk}"], self[f"satisfied_{c.pk}"])
            for c in self.choices
        ]

    def changes(self) -> list[tuple[Choice, str, int | None, bool]]:
        """``(choice, label, weight, satisfied)`` as the service takes them."""
        data = self.cleaned_data
        return [
            (c, data[f"label_{c.pk}"], data[f"weight_{c.pk}"], data[f"satisfied_{c.pk}"])
            for c in self.choices
        ]


class BallotForm(forms.Form):
    """The respondent's ballot: one field per question (``q<id>``), plus a honeypot.

    ``website`` is hidden from people and filled in by bots, as on opinion forms.
    """

    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.pk, c.label) for c in survey.choices.all()]
        self.questions = list(survey.questions.all())
        for question in self.questions:
            name = f"q{question.pk}"
            if question.is_rating:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.prompt,
                    choices=choices,
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose an answer.")},
                )
            else:
                self.fields[name] = LongTextField(
                    label=question.prompt,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
        # The honeypot last, where bots expect an ordinary field.
        self.fields["website"] = self.fields.pop("website")
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def is_honeypot_filled(self) -> bool:
        """True when the hidden field came back filled: a bot, to be thanked and ignored."""
        return bool(self.data.get("website", "").strip())

    def answers(self) -> dict[int, object]:
        """``{question id: choice id or text}`` as the services take them."""
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


class TokenEntryForm(forms.Form):
    """A printed code typed in by hand, for those who cannot scan the QR code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        """The code without spaces, dashes or case, as it is looked up."""
        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Enter the letters and digits of the code."))
        return code
