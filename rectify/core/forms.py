"""Form helpers every app's views share."""

from collections.abc import Iterable
from contextlib import suppress

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from .services import HISTORY_REASON_MAX

#: A change reason is kept in the history, which holds this many characters.
REASON_MAX_LENGTH = HISTORY_REASON_MAX


class FormRenderer(DjangoTemplates):
    """Django's form renderer, with a select that writes its options in place
    (``rectify/forms/select.html``: the same markup, without two includes per option)."""

    REPLACED = {"django/forms/widgets/select.html": "rectify/forms/select.html"}

    def get_template(self, template_name):
        return super().get_template(self.REPLACED.get(template_name, template_name))


def date_input() -> forms.DateInput:
    """A native date picker; its value is always ISO, whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def model_field(model, name: str, **kwargs) -> forms.Field:
    """The form field Django derives from a model field (label, choices, required)."""
    return model._meta.get_field(name).formfield(**kwargs)


class ReasonForm(forms.Form):
    """The optional reason recorded with a delete or restore."""

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH, strip=True
    )


class VersionedEditForm(forms.Form):
    """Hidden version (a stale edit is refused) and the reason kept in the history."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Kept in the history."),
    )


class MultipleFileInput(forms.FileInput):
    """A file input that lets the user pick several files (Django 5.2's documented way)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files, each checked like a single ``FileField``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return [cleaned for cleaned in (single_clean(f, initial) for f in files) if cleaned]


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ``ValidationError`` to ``form``: dict errors go to their fields.

    Errors about fields the form does not show become non-field errors, so
    that no message is lost and ``add_error`` never refuses an unknown field.
    """
    if hasattr(exc, "error_dict"):
        errors: dict[str, list] = {}
        for field, field_errors in exc.error_dict.items():
            key = field if field in form.fields else NON_FIELD_ERRORS
            errors.setdefault(key, []).extend(field_errors)
        exc = ValidationError(errors)
    form.add_error(None, exc)


def offer_choices(form: forms.BaseForm, name: str, shown: Iterable, label=None) -> None:
    """Render only ``shown`` (plus the current and submitted values) as a model field's options.

    The field still validates against its whole queryset, so any object in
    scope can be chosen by link or typed id; the page never renders ten
    thousand ``<option>`` rows to offer it. Works for single and multiple choice.
    """
    field = form.fields[name]
    label = label or field.label_from_instance
    options = list(shown)
    offered = {str(option.pk) for option in options}
    wanted = _values(form.initial.get(name, field.initial))
    if form.is_bound:
        data = form.data
        wanted += data.getlist(name) if hasattr(data, "getlist") else _values(data.get(name))
    missing = [value for value in dict.fromkeys(wanted) if value and value not in offered]
    if missing:
        # A bad value is reported by the field itself.
        with suppress(ValueError, ValidationError):
            options = list(field.queryset.filter(pk__in=missing)) + options
    empty = [] if isinstance(field, forms.ModelMultipleChoiceField) else [("", field.empty_label)]
    field.widget.choices = [
        *[(value, text or "") for value, text in empty],
        *[(option.pk, label(option)) for option in options],
    ]


def _values(value) -> list[str]:
    """Primary keys (as strings) of an initial or submitted value: an object, an id or a list."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [str(getattr(item, "pk", item)) for item in items]
