"""Forms of the study pages. They parse and narrow choices; the services decide what is valid."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaign_units
from rectify.core.forms import (
    REASON_MAX_LENGTH as HISTORY_REASON_MAX_LENGTH,
)
from rectify.core.forms import (
    MultipleFileField,
    VersionedEditForm,
    model_field,
    offer_choices,
)
from rectify.org.models import GuidanceGroup, Person, Rank, Unit
from rectify.org.scoping import CHANGE, units_visible_to, visible_to
from rectify.org.selectors import (
    persons_in_scope_roots,
    persons_near,
    units_for_choice,
    units_near,
)

from .models import (
    MAX_REQUIRED_SESSIONS,
    REASON_MAX_LENGTH,
    AttendanceStatus,
    InviteRule,
    Meeting,
)
from .selectors import guidance_groups_of

#: The most units or people an invitation picker offers (others are chosen by rule).
OFFERED = 200


def _person_label(person: Person) -> str:
    return f"{person.name} ({person.unit})"


def _guides(campaign: Campaign) -> QuerySet:
    """Ids of the leaders and members of the campaign's guidance groups."""
    groups = guidance_groups_of(campaign)
    return Person.objects.filter(
        Q(guidance_groups__in=groups) | Q(led_guidance_groups__in=groups)
    ).values("pk")


def speakers_for(user, campaign: Campaign) -> QuerySet[Person]:
    """Who may preside, speak or be invited: people the user sees, and the campaign's
    guidance groups (who come from outside the units they supervise)."""
    visible = visible_to(Person.objects.all(), user).values("pk")
    return Person.objects.filter(Q(pk__in=visible) | Q(pk__in=_guides(campaign))).select_related(
        "unit"
    )


class MeetingForm(forms.Form):
    """A meeting's facts (会议、学习), shared by create and edit."""

    kind = model_field(Meeting, "kind")
    title = model_field(Meeting, "title")
    starts_at = model_field(
        Meeting,
        "starts_at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = model_field(Meeting, "place")
    presider = model_field(Meeting, "presider")
    speakers = model_field(Meeting, "speakers")
    topics = model_field(Meeting, "topics", widget=forms.Textarea(attrs={"rows": 4}))
    minutes = model_field(Meeting, "minutes", widget=forms.Textarea(attrs={"rows": 6}))
    counts_for_coverage = model_field(Meeting, "counts_for_coverage")
    files = MultipleFileField(
        label=_("Documents studied, minutes, photos"),
        required=False,
        help_text=_("Added to the meeting's files; files are never removed."),
    )

    def __init__(self, *args, user, campaign: Campaign, meeting: Meeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        people = speakers_for(user, campaign)
        if meeting is not None:
            current = [meeting.presider_id, *(p.pk for p in meeting.speakers.all())]
            people = Person.all_objects.filter(
                Q(pk__in=people.values("pk")) | Q(pk__in=[pk for pk in current if pk])
            ).select_related("unit")
        for name in ("presider", "speakers"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
        nearby = list(persons_near(user, meeting.unit) if meeting else persons_in_scope_roots(user))
        nearby += [p for p in speakers_for(user, campaign).filter(pk__in=_guides(campaign))]
        offer_choices(self, "presider", nearby)
        offer_choices(self, "speakers", nearby)


class MeetingCreateForm(MeetingForm):
    """A new meeting: the campaign is chosen first, the unit among those the user administers."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Organizing unit"))

    field_order = ["unit", "kind", "title", "starts_at"]

    def __init__(self, *args, user, campaign: Campaign, **kwargs):
        super().__init__(*args, user=user, campaign=campaign, **kwargs)
        editable = units_visible_to(user, action=CHANGE)
        units = editable.filter(pk__in=campaign_units(campaign).values("pk"))
        self.fields["unit"].queryset = units
        offer_choices(self, "unit", units_for_choice(user).filter(pk__in=units.values("pk")))


class MeetingEditForm(VersionedEditForm, MeetingForm):
    """A meeting's facts with the version they were read at and the reason for the change."""


def meeting_initial(meeting: Meeting) -> dict:
    """The edit form's initial data: the saved values and the version they belong to."""
    initial = {name: getattr(meeting, name) for name in MeetingForm.base_fields if name != "files"}
    initial["speakers"] = list(meeting.speakers.all())
    initial["version"] = meeting.version
    return initial


class InviteRuleForm(forms.Form):
    """Invite by rule: a subtree, its key group, its leadership groups, or a guidance group."""

    rule = forms.ChoiceField(label=_("Invite"), choices=InviteRule.choices)
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Unit (with the units below it)"), required=False
    )
    group = forms.ModelChoiceField(
        queryset=GuidanceGroup.objects.none(), label=_("Guidance group"), required=False
    )

    def __init__(self, *args, user, meeting: Meeting, **kwargs):
        kwargs.setdefault("initial", {"unit": meeting.unit_id})
        super().__init__(*args, prefix="rule", **kwargs)
        self.fields["unit"].queryset = units_visible_to(user)
        offer_choices(self, "unit", units_near(user, meeting.unit, cap=OFFERED))
        self.fields["group"].queryset = guidance_groups_of(meeting.campaign)

    def clean(self):
        data = super().clean()
        if data.get("rule") == InviteRule.GUIDANCE_GROUP:
            if not data.get("group"):
                self.add_error("group", _("Choose the guidance group."))
        elif not data.get("unit"):
            self.add_error("unit", _("Choose the unit."))
        return data


class InvitePeopleForm(forms.Form):
    """Invite people chosen by hand."""

    persons = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), label=_("People"))

    def __init__(self, *args, user, meeting: Meeting, **kwargs):
        super().__init__(*args, prefix="hand", **kwargs)
        field = self.fields["persons"]
        field.queryset = speakers_for(user, meeting.campaign)
        field.label_from_instance = _person_label
        offer_choices(
            self, "persons", persons_near(user, meeting.unit, cap=OFFERED), label=_person_label
        )


class MarkForm(forms.Form):
    """One invited person's attendance on the marking page."""

    attendance = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Attendance"), choices=AttendanceStatus.choices)
    reason = forms.CharField(
        label=_("Reason for leave"), required=False, max_length=REASON_MAX_LENGTH
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == AttendanceStatus.LEAVE and not data.get("reason"):
            self.add_error("reason", _("Leave needs a reason."))
        return data


MarkFormSet = forms.formset_factory(MarkForm, extra=0, max_num=500, validate_max=True)


class SigninUploadForm(forms.Form):
    """The sign-in sheet to read."""

    file = forms.FileField(
        label=_("Sign-in sheet"),
        help_text=_(
            "An Excel, WPS or CSV file (.xlsx, .xls, .ods, .csv) with a “姓名” column; "
            "an optional “备注” column may say 请假 (with the reason) or 缺席."
        ),
    )


class SigninLineForm(forms.Form):
    """One line of a sign-in sheet, as the user confirms it (no person: ignored)."""

    row = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(widget=forms.HiddenInput, max_length=200)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=[
            (value, label)
            for value, label in AttendanceStatus.choices
            if value != AttendanceStatus.INVITED
        ],
    )
    reason = forms.CharField(
        label=_("Reason for leave"), required=False, max_length=REASON_MAX_LENGTH
    )

    def offer(self, people: list[Person]) -> None:
        """Let the user choose among ``people`` for this line, or ignore it."""
        self.fields["person"].widget = forms.Select(
            choices=[("", _("— ignore this name —"))] + [(p.pk, _person_label(p)) for p in people]
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("person")
            and data.get("status") == AttendanceStatus.LEAVE
            and not data.get("reason")
        ):
            self.add_error("reason", _("Leave needs a reason."))
        return data


SigninFormSet = forms.formset_factory(SigninLineForm, extra=0, max_num=2000, validate_max=True)


class RequirementForm(forms.Form):
    """Sessions each person must attend in a campaign, with a number per rank if it differs."""

    default_sessions = forms.IntegerField(
        label=_("Sessions required of everyone"), min_value=0, max_value=MAX_REQUIRED_SESSIONS
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=HISTORY_REASON_MAX_LENGTH,
        help_text=_("Kept in the history."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for rank, label in Rank.choices:
            self.fields[f"rank_{rank}"] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=MAX_REQUIRED_SESSIONS,
                help_text=_("Leave empty to require the number above."),
            )

    def sessions_by_rank(self) -> dict[str, int]:
        """The per-rank numbers the user filled in."""
        return {
            rank: self.cleaned_data[f"rank_{rank}"]
            for rank in Rank.values
            if self.cleaned_data.get(f"rank_{rank}") is not None
        }
