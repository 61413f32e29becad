"""Forms of the staff pages: an article's facts, its files, publication and withdrawal."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import (
    REASON_MAX_LENGTH,
    MultipleFileField,
    model_field,
)
from rectify.ledger.models import Measure, Problem
from rectify.org.scoping import CHANGE, units_visible_to, visible_to
from rectify.study.models import Meeting

from .models import Article


class IdListField(forms.CharField):
    """Numbers separated by commas or spaces (the ids of problems or measures)."""

    def to_python(self, value):
        text = super().to_python(value) or ""
        parts = [p for p in text.replace("，", ",").replace(",", " ").split() if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(_("Enter numbers separated by commas."))
        return sorted({int(p) for p in parts})


class ArticleForm(forms.Form):
    """An article's facts; the body is HTML cleaned against the allow-list when saved."""

    title = model_field(Article, "title")
    subtitle = model_field(Article, "subtitle")
    category = model_field(Article, "category")
    source = forms.ModelChoiceField(queryset=None, label=pgettext_lazy("news", "source"))
    author = model_field(Article, "author")
    body = model_field(
        Article,
        "body",
        widget=forms.Textarea(attrs={"rows": 20, "data-rich-text": "true"}),
        help_text="",  # the page says above the form what the body keeps
    )
    campaign = forms.ModelChoiceField(queryset=None, label=_("campaign"), required=False,
                                      to_field_name="slug")  # fmt: skip
    meeting = forms.ModelChoiceField(queryset=None, label=_("meeting"), required=False)
    publicity_unit = forms.ModelChoiceField(
        queryset=None,
        label=_("unit whose signed-off measures are shown"),
        required=False,
        help_text=_("For rectification publicity: a live table of the unit's signed-off measures."),
    )
    problem_ids = IdListField(label=_("Problem numbers"), required=False)
    measure_ids = IdListField(label=_("Measure numbers"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=REASON_MAX_LENGTH
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = units_visible_to(user, CHANGE).order_by("path")
        self.fields["source"].queryset = units
        self.fields["publicity_unit"].queryset = units
        self.fields["campaign"].queryset = campaigns_visible_to(user).order_by("-start_date")
        self.fields["meeting"].queryset = visible_to(Meeting.objects.all(), user).order_by(
            "-starts_at"
        )

    def _rows(self, name: str, model) -> list:
        ids = self.cleaned_data.get(name) or []
        rows = list(visible_to(model.objects.filter(pk__in=ids), self.user))
        if len(rows) != len(ids):
            self.add_error(name, _("Some of these numbers are not ones you can see."))
        return rows

    def clean(self):
        data = super().clean()
        data["problems"] = self._rows("problem_ids", Problem)
        data["measures"] = self._rows("measure_ids", Measure)
        return data

    def service_fields(self) -> dict:
        """The cleaned values as the create/update services take them."""
        data = dict(self.cleaned_data)
        for name in ("problem_ids", "measure_ids", "version", "reason"):
            data.pop(name, None)
        return data


def article_initial(article: Article) -> dict:
    """An article's values for its edit form."""
    return {
        "title": article.title,
        "subtitle": article.subtitle,
        "category": article.category,
        "source": article.source_id,
        "author": article.author,
        "body": article.body,
        "campaign": article.campaign.slug if article.campaign_id else None,
        "meeting": article.meeting_id,
        "publicity_unit": article.publicity_unit_id,
        "problem_ids": ", ".join(str(pk) for pk in article.problems.values_list("pk", flat=True)),
        "measure_ids": ", ".join(str(pk) for pk in article.measures.values_list("pk", flat=True)),
        "version": article.version,
    }


class FilesForm(forms.Form):
    """Files to add: images are shown in the body, other files listed for download."""

    files = MultipleFileField(label=_("Files"), required=False)
    cover = forms.FileField(label=_("cover image"), required=False)


class PublishForm(forms.Form):
    """Publish now, or at a later time (scheduled)."""

    at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to publish now."),
    )


class WithdrawForm(forms.Form):
    """The reason an article leaves the public site."""

    reason = forms.CharField(label=_("Reason"), max_length=500)
