"""Forms of opinion solicitation: the staff's form set-up and triage, and the public form."""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign, Target
from rectify.core.forms import model_field, offer_choices
from rectify.org.models import Unit
from rectify.org.scoping import CHANGE, units_visible_to
from rectify.org.selectors import units_for_choice

from ..models import TEXT_MAX_LENGTH, FindingStatus, Opinion, OpinionForm

#: How many opinions the "join" picker lists (others are chosen by number).
JOIN_CHOICES = 200


class LongTextField(forms.CharField):
    """Free text counted as the browser counts it: a line break is one character, not ``\\r\\n``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class OpinionFormCreateForm(forms.Form):
    """A new public opinion form: campaign, unit (among those the user administers), wording."""

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), to_field_name="slug"
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    title = model_field(OpinionForm, "title")
    introduction = model_field(
        OpinionForm,
        "introduction",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown above the form: what you ask for, and how opinions are handled."),
    )

    def __init__(self, *args, campaigns: QuerySet[Campaign], user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["unit"].queryset = units_visible_to(user, action=CHANGE)
        offer_choices(self, "unit", units_for_choice(user))


class PublicOpinionForm(forms.Form):
    """The public form: the opinion, its target, and who sent it unless it is anonymous.

    ``website`` is a honeypot: hidden from people, filled in by bots.
    """

    text = LongTextField(label=_("Your opinion or suggestion"))
    target = forms.ModelChoiceField(
        label=_("Which target it concerns"),
        queryset=Target.objects.none(),
        required=False,
        empty_label=_("Not sure / in general"),
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously"),
        required=False,
        initial=True,
        help_text=_("Anonymous opinions keep no name, organization or phone."),
    )
    name = model_field(Opinion, "name", label=_("Full name"), required=False)
    organization = model_field(Opinion, "organization", label=_("Work unit"), required=False)
    phone = model_field(
        Opinion,
        "phone",
        label=_("Contact phone"),
        required=False,
        validators=[RegexValidator(r"^[0-9+()\- ]*$", _("Use digits, spaces and + - ( ) only."))],
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, opinion_form: OpinionForm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = opinion_form.campaign.targets.all()
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def is_honeypot_filled(self) -> bool:
        """True when the hidden field came back filled: a bot, to be thanked and ignored."""
        return bool(self.data.get("website", "").strip())

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("anonymous") and not cleaned.get("name"):
            self.add_error("name", _("Give your name, or send the opinion anonymously."))
        return cleaned


class ReceiptLookupForm(forms.Form):
    """The receipt code, sent by POST so that it never sits in an address or a log."""

    code = forms.CharField(
        label=_("Receipt code"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class OpinionReplyForm(forms.Form):
    """The reply a submitter reads on the receipt page."""

    reply = LongTextField(label=_("Reply"))


class OpinionRejectForm(forms.Form):
    """Why an opinion is not taken up; the submitter reads it on the receipt page."""

    reason = LongTextField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why this opinion is not taken up.")},
    )


class OpinionJoinForm(forms.Form):
    """Mark an opinion a duplicate of another, or merge it into another, of the same unit."""

    into = forms.ModelChoiceField(label=_("Opinion"), queryset=Opinion.objects.none())
    duplicate = forms.TypedChoiceField(
        label=_("How"),
        choices=[
            ("1", _("It is a duplicate of that opinion")),
            ("0", _("Merge it into that opinion")),
        ],
        coerce=lambda value: value == "1",
        # Optional only so that the radio buttons carry no "required" star; unsent means duplicate.
        required=False,
        empty_value=True,
        initial="1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, opinion: Opinion, candidates: QuerySet[Opinion], **kwargs):
        super().__init__(*args, **kwargs)
        joinable = candidates.filter(
            form__unit=opinion.form.unit_id, form__campaign=opinion.form.campaign_id
        ).exclude(pk=opinion.pk)
        joinable = joinable.exclude(finding__status=FindingStatus.DISMISSED)
        self.fields["into"].queryset = joinable
        offer_choices(
            self,
            "into",
            joinable.filter(form=opinion.form).order_by("-created_at", "-id")[:JOIN_CHOICES],
            label=lambda other: _("No. %(pk)s: %(text)s") % {"pk": other.pk, "text": other},
        )
