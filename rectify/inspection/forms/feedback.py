"""Forms of the guidance-feedback pages. They parse and narrow choices; the services decide."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign
from rectify.core.forms import date_input, model_field

from ..models import TEXT_MAX_LENGTH, Finding, GuidanceFeedback
from ..services.feedback import MAX_POINTS, FeedbackPoint

#: Empty point rows a new feedback form offers; ``?rows=`` asks for more (up to MAX_POINTS).
POINT_ROWS = 5


class FeedbackForm(forms.Form):
    """The feedback itself: which group gives it, on what date, and its summary."""

    group = model_field(GuidanceFeedback, "group")
    given_on = model_field(
        GuidanceFeedback,
        "given_on",
        widget=date_input(),
        initial=timezone.localdate,
        show_hidden_initial=False,
    )
    summary = model_field(
        GuidanceFeedback,
        "summary",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, groups: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = None


class PointForm(forms.Form):
    """One point of the feedback; rows left empty are skipped."""

    text = model_field(
        Finding,
        "text",
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target = model_field(Finding, "target")
    level = model_field(Finding, "level")

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = campaign.targets.all()

    def clean(self):
        cleaned = super().clean()
        blank = not (cleaned.get("text") or "").strip()
        if blank and (cleaned.get("target") or cleaned.get("level")):
            self.add_error("text", _("Write the point, or clear its target and level."))
        return cleaned

    def point(self) -> FeedbackPoint | None:
        """The row as a :class:`FeedbackPoint`, or ``None`` when it was left empty."""
        text = (self.cleaned_data.get("text") or "").strip()
        if not text:
            return None
        return FeedbackPoint(
            text=text,
            target=self.cleaned_data.get("target"),
            level=self.cleaned_data.get("level") or "",
        )


PointFormSet = forms.formset_factory(
    PointForm, extra=0, max_num=MAX_POINTS, validate_max=True, absolute_max=MAX_POINTS
)


def point_rows(requested: str | None) -> int:
    """How many empty point rows to offer: ``?rows=`` within 1..MAX_POINTS, else the default."""
    try:
        rows = int(requested or POINT_ROWS)
    except ValueError:
        rows = POINT_ROWS
    return max(1, min(rows, MAX_POINTS))
