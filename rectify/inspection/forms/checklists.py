"""Forms of the checklist pages. They parse and narrow choices; the services decide."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign, Target
from rectify.campaigns.selectors import campaign_units
from rectify.core.forms import VersionedEditForm, offer_choices
from rectify.ledger.forms import PersonMultipleChoiceField
from rectify.ledger.models import Level
from rectify.org.models import PATH_END, Person, Unit
from rectify.org.scoping import CHANGE, editable_by, units_visible_to
from rectify.org.selectors import units_for_choice

from ..models import TEXT_MAX_LENGTH, ChecklistAssignment
from ..selectors.checklists import AssignRule
from ..services.checklists import FINDING_LEVELS, answer_field, level_field, passage_field

#: The longest question text accepted.
QUESTION_MAX_LENGTH = 1000
#: The most people the hand-picked list offers at once (others arrive by link or typed id).
PERSON_CHOICES = 500


class ChecklistFromTemplateForm(forms.Form):
    """Which campaign gets a copy of the built-in 十个扪心自问."""

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), to_field_name="slug"
    )

    def __init__(self, *args, campaigns: QuerySet[Campaign], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class ChecklistCreateForm(ChecklistFromTemplateForm):
    """A new, empty checklist of a campaign."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChecklistEditForm(VersionedEditForm):
    """A checklist's title and description, with its version."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuestionForm(forms.Form):
    """A question and the target it is asked against."""

    target = forms.ModelChoiceField(label=_("Target"), queryset=Target.objects.none())
    text = forms.CharField(
        label=_("Question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = campaign.targets.all()


class QuestionEditForm(VersionedEditForm, QuestionForm):
    """A question's fields with its version."""

    field_order = ["target", "text", "reason", "version"]


def assignable_units(user, campaign: Campaign) -> QuerySet[Unit]:
    """Units the user administers that take part in ``campaign``."""
    return units_visible_to(user, CHANGE).filter(pk__in=campaign_units(campaign).values("pk"))


class AssignByRuleForm(forms.Form):
    """Assign to everyone of a subtree whom a rule picks."""

    unit = forms.ModelChoiceField(
        label=_("Unit (with the units below it)"), queryset=Unit.objects.none()
    )
    rule = forms.ChoiceField(label=_("Who"), choices=AssignRule.choices)

    def __init__(self, *args, user, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = assignable_units(user, campaign)
        self.fields["unit"].queryset = units
        offered = units_for_choice(user, levels=2, action=CHANGE).filter(pk__in=units.values("pk"))
        offer_choices(self, "unit", offered)


class AssignPersonsForm(forms.Form):
    """Assign to people picked by hand."""

    persons = PersonMultipleChoiceField(
        label=_("People"),
        queryset=Person.objects.none(),
        help_text=_("Hold Ctrl (or ⌘) to pick several."),
    )

    def __init__(self, *args, user, campaign: Campaign, around: Unit | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = assignable_units(user, campaign)
        persons = editable_by(Person.objects.filter(unit__in=units.values("pk")), user)
        self.fields["persons"].queryset = persons.select_related("unit")
        if around is not None:
            nearby = persons.filter(
                unit__path__gte=around.path, unit__path__lt=around.path + PATH_END
            )
        else:
            offered_units = units_for_choice(user, levels=1, action=CHANGE)
            nearby = persons.filter(unit__in=offered_units.values("pk"))
        offer_choices(
            self,
            "persons",
            nearby.select_related("unit").order_by("unit__path", "name", "pk")[:PERSON_CHOICES],
        )


class AnswersForm(forms.Form):
    """Every question's answer, and per question one passage that may be marked a finding."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args, assignment: ChecklistAssignment, questions: list, answers: dict, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = assignment.version
        levels = [("", "—")] + [(level.value, level.label) for level in map(Level, FINDING_LEVELS)]
        for question in questions:
            answer = answers.get(question.pk)
            self.fields[answer_field(question.pk)] = forms.CharField(
                label=_("Your answer"),
                required=False,
                max_length=TEXT_MAX_LENGTH,
                initial=answer.text if answer else "",
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.fields[passage_field(question.pk)] = forms.CharField(
                label=_("Passage that shows a problem (存在问题)"),
                required=False,
                max_length=TEXT_MAX_LENGTH,
                help_text=_("Copy it from your answer; it goes to the unit's findings when saved."),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[level_field(question.pk)] = forms.ChoiceField(
                label=_("Level"), required=False, choices=levels
            )

    def texts(self, questions: list) -> dict[int, str]:
        """Answer text by question pk."""
        return {q.pk: self.cleaned_data[answer_field(q.pk)] for q in questions}

    def marks(self, questions: list) -> dict[int, tuple[str, str]]:
        """``(passage, level)`` by question pk, for the questions where a passage was given."""
        marks = {}
        for q in questions:
            passage = self.cleaned_data[passage_field(q.pk)]
            if passage:
                marks[q.pk] = (passage, self.cleaned_data[level_field(q.pk)])
        return marks
