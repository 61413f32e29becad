"""Forms of the findings triage. They parse and narrow choices to the queue; the services decide."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign, Target
from rectify.core.forms import model_field, offer_choices
from rectify.ledger.models import Level, Problem, Source
from rectify.org.models import Unit
from rectify.org.scoping import CHANGE, units_visible_to
from rectify.org.selectors import units_for_choice

from ..models import TEXT_MAX_LENGTH, Finding
from ..services.findings import HAND_SOURCES

#: How many findings the "join" picker lists (others are chosen by number).
JOIN_CHOICES = 200


class ProblemChoiceField(forms.ModelChoiceField):
    """A problem, shown by number and the start of its description."""

    def label_from_instance(self, obj: Problem) -> str:
        return _("No. %(pk)s · %(text)s") % {"pk": obj.pk, "text": obj}


class FindingChoiceField(forms.ModelChoiceField):
    """A finding, shown by number, status and the start of its text."""

    def label_from_instance(self, obj: Finding) -> str:
        text = f"{obj} ({obj.get_status_display()})"
        return _("No. %(pk)s · %(text)s") % {"pk": obj.pk, "text": text}


class FindingPromoteForm(forms.Form):
    """Promote a finding into a new problem: the problem's target, wording, level and root cause."""

    target = model_field(Problem, "target")
    description = model_field(
        Problem,
        "description",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    level = model_field(Problem, "level")
    root_cause = model_field(
        Problem, "root_cause", max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, finding: Finding, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "target": finding.target_id,
                "description": finding.text,
                "level": finding.level or Level.UNIT,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = finding.campaign.targets.all()


class FindingAttachForm(forms.Form):
    """Attach a finding to an existing problem of its unit and campaign."""

    problem = ProblemChoiceField(label=_("Problem"), queryset=Problem.objects.none())

    def __init__(self, *args, problems: QuerySet[Problem], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = problems


class FindingJoinForm(forms.Form):
    """Merge a finding into another of its queue, or mark it a duplicate of it."""

    into = FindingChoiceField(label=_("Finding"), queryset=Finding.objects.none())
    duplicate = forms.TypedChoiceField(
        label=_("How"),
        choices=[("", _("Merge into it")), ("1", _("Mark as a duplicate of it"))],
        coerce=bool,
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, findings: QuerySet[Finding], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = findings
        offer_choices(self, "into", findings[:JOIN_CHOICES])


class FindingDismissForm(forms.Form):
    """Dismiss a finding; the reason is required and stays with it."""

    reason = forms.CharField(
        label=_("Reason for dismissal"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why this finding is dismissed.")},
    )


class FindingCreateForm(forms.Form):
    """A finding recorded by hand (上级反馈 or other) into a unit's queue."""

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), to_field_name="slug"
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(value, label) for value, label in Source.choices if value in HAND_SOURCES],
    )
    target = model_field(Finding, "target")
    level = model_field(Finding, "level")
    text = model_field(Finding, "text", widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(
        self, *args, user, campaigns: QuerySet[Campaign], campaign: Campaign | None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["unit"].queryset = units_visible_to(user, action=CHANGE)
        offer_choices(self, "unit", units_for_choice(user))
        # The service refuses a target of another campaign, next to the field.
        if campaign is not None:
            self.fields["target"].queryset = campaign.targets.all()
        else:
            targets = Target.objects.filter(campaign__in=campaigns).select_related("campaign")
            self.fields["target"].queryset = targets
            self.fields["target"].label_from_instance = lambda t: f"{t.campaign} · {t}"
