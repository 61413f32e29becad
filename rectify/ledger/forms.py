"""Forms of the ledger pages. They parse and narrow choices; the services decide what is valid."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaign_units
from rectify.core.forms import (
    REASON_MAX_LENGTH,
    MultipleFileField,
    VersionedEditForm,
    date_input,
    model_field,
    offer_choices,
)
from rectify.org.models import Person
from rectify.org.scoping import CHANGE, units_visible_to, visible_to
from rectify.org.selectors import (
    persons_in_scope_roots,
    persons_near,
    units_for_choice,
    units_near,
)

from .models import Measure, MeasureStatus, Problem, ProgressNote, ReviewAction


def _with_current(queryset: QuerySet, current) -> QuerySet:
    """``queryset`` plus the value already saved, so that editing never drops it silently."""
    pks = [obj.pk for obj in current if obj is not None]
    if not pks:
        return queryset
    return queryset.model._default_manager.filter(Q(pk__in=queryset.values("pk")) | Q(pk__in=pks))


class PersonChoiceField(forms.ModelChoiceField):
    """A person, shown with their unit (names repeat across units)."""

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.unit})"


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several persons, shown with their units."""

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.unit})"


def persons_for(user) -> QuerySet[Person]:
    """Persons the user may name on a problem or measure."""
    return visible_to(Person.objects.select_related("unit"), user)


class ProblemForm(forms.Form):
    """A problem's own fields (问题清单 row) shared by create and edit."""

    target = model_field(Problem, "target")
    description = model_field(Problem, "description", widget=forms.Textarea(attrs={"rows": 4}))
    source = model_field(Problem, "source")
    level = model_field(Problem, "level")
    found_on = model_field(
        Problem,
        "found_on",
        widget=date_input(),
        initial=timezone.localdate,
        show_hidden_initial=False,
    )
    concerned_person = model_field(Problem, "concerned_person", form_class=PersonChoiceField)
    root_cause = model_field(Problem, "root_cause", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, campaign: Campaign, problem: Problem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        targets = campaign.targets.all()
        persons = persons_for(user)
        if problem is not None:
            persons = _with_current(persons, [problem.concerned_person])
        self.fields["target"].queryset = targets
        self.fields["concerned_person"].queryset = persons.select_related("unit")
        around = problem.unit if problem is not None else None
        offer_choices(
            self,
            "concerned_person",
            persons_near(user, around) if around else persons_in_scope_roots(user),
        )


class ProblemCreateForm(ProblemForm):
    """A new problem: the campaign is chosen first, the unit among those the user administers."""

    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), to_field_name="slug", widget=forms.HiddenInput
    )
    unit = model_field(Problem, "unit")

    field_order = ["campaign", "unit", "target"]

    def __init__(self, *args, user, campaign: Campaign, **kwargs):
        super().__init__(*args, user=user, campaign=campaign, **kwargs)
        self.initial.setdefault("campaign", campaign.slug)
        self.fields["campaign"].queryset = Campaign.objects.filter(pk=campaign.pk)
        editable = units_visible_to(user, action=CHANGE)
        self.fields["unit"].queryset = editable.filter(pk__in=campaign_units(campaign).values("pk"))
        offer_choices(
            self,
            "unit",
            units_for_choice(user).filter(pk__in=self.fields["unit"].queryset.values("pk")),
        )


class ProblemEditForm(VersionedEditForm, ProblemForm):
    """A problem's fields with its version; campaign and unit are fixed once created."""


class MeasureForm(forms.Form):
    """A measure's fields and who answers for it (整改清单 and 责任清单 row)."""

    content = model_field(Measure, "content", widget=forms.Textarea(attrs={"rows": 4}))
    expected_outcome = model_field(
        Measure, "expected_outcome", widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = model_field(Measure, "kind")
    deadline = model_field(
        Measure,
        "deadline",
        widget=date_input(),
        help_text=_("Required unless the measure is long-term."),
    )
    responsible_leader = model_field(Measure, "responsible_leader", form_class=PersonChoiceField)
    responsible_department = model_field(Measure, "responsible_department")
    responsible_persons = model_field(
        Measure, "responsible_persons", form_class=PersonMultipleChoiceField
    )

    def __init__(self, *args, user, problem: Problem, measure: Measure | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        persons = persons_for(user)
        units = units_visible_to(user)
        leaders = persons
        if measure is not None:
            leaders = _with_current(persons, [measure.responsible_leader])
            units = _with_current(units, [measure.responsible_department])
            persons = _with_current(persons, list(measure.responsible_persons.all()))
        self.fields["responsible_leader"].queryset = leaders.select_related("unit")
        self.fields["responsible_department"].queryset = units
        self.fields["responsible_persons"].queryset = persons.select_related("unit")
        # Anyone in scope may be named; the pickers offer the people and units around
        # the problem's unit, so that a province-sized tree still renders a short list.
        nearby_people = list(persons_near(user, problem.unit))
        offer_choices(self, "responsible_leader", nearby_people)
        offer_choices(self, "responsible_persons", nearby_people)
        offer_choices(self, "responsible_department", units_near(user, problem.unit))


class MeasureEditForm(VersionedEditForm, MeasureForm):
    """A measure's fields with its version."""


class MeasureStatusForm(forms.Form):
    """Set a measure's status directly (administrators, until the sign-off workflow)."""

    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH)

    def __init__(self, *args, past_acceptance: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not past_acceptance:
            # Only the sign-off workflow (or a system administrator) moves a measure past
            # acceptance: do not offer what the service would refuse.
            beyond = (MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF)
            self.fields["status"].choices = [
                (value, label) for value, label in MeasureStatus.choices if value not in beyond
            ]


class ProgressForm(forms.Form):
    """A dated progress report with evidence files (整改进展、佐证材料)."""

    text = model_field(ProgressNote, "text", widget=forms.Textarea(attrs={"rows": 4}))
    reported_on = model_field(
        ProgressNote,
        "reported_on",
        widget=date_input(),
        initial=timezone.localdate,
        show_hidden_initial=False,
    )
    files = MultipleFileField(label=_("Evidence files"), required=False)


def measure_initial(measure: Measure) -> dict:
    """The edit form's initial data: the saved values and the version they belong to."""
    initial = {name: getattr(measure, name) for name in MeasureForm.base_fields}
    initial["responsible_persons"] = list(measure.responsible_persons.all())
    initial["version"] = measure.version
    return initial


def problem_initial(problem: Problem) -> dict:
    """The edit form's initial data for a problem."""
    initial = {name: getattr(problem, name) for name in ProblemForm.base_fields}
    initial["version"] = problem.version
    return initial


class SubmitForm(forms.Form):
    """Report a measure done (整改完成情况) with evidence, for acceptance."""

    statement = forms.CharField(
        label=_("How the measure was completed"), widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(label=_("Evidence files"), required=False)
    no_evidence_reason = forms.CharField(
        label=_("Why there is no evidence file"),
        required=False,
        help_text=_("Only when no evidence file exists."),
    )
    mechanism = forms.CharField(
        label=_("Standing mechanism"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a long-term measure."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecisionForm(forms.Form):
    """A reviewer's decision on a measure: confirm, accept, send back or reopen."""

    action = forms.ChoiceField(choices=ReviewAction.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Opinion or reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to send back or reopen."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UrgeForm(forms.Form):
    """An urge's message (催办意见)."""

    message = forms.CharField(label=_("Urge"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRequestForm(forms.Form):
    """Ask for a later deadline (延期申请)."""

    new_deadline = forms.DateField(label=_("New deadline"), widget=date_input())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(forms.Form):
    """Approve or refuse a deadline change."""

    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Refuse"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
