"""Form helpers every app's views share."""

from collections.abc import Iterable
from contextlib import suppress

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.translation import gettext_lazy as _

from .services import HISTORY_REASON_MAX

#: A change reason is kept in the history, which holds this many characters.
REASON_MAX_LENGTH = HISTORY_REASON_MAX


#: Django's widget templates that are ``input.html`` and nothing else.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("input", "text", "search", "number", "email", "url", "tel", "password", "hidden"),
        *("date", "time", "datetime", "color", "checkbox"),
    )
)
SELECT_TEMPLATE = "django/forms/widgets/select.html"
#: The option template of Django's select widgets, which :func:`select_html` writes itself.
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescape."""
    return conditional_escape(value if isinstance(value, SafeData) else f"{value}")


def _attrs(attrs: dict) -> str:
    """`` name="value"`` of each attribute, as Django's ``attrs.html`` writes them."""
    return "".join(
        (
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{_text(value)}"'
        )
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget: dict) -> str:
    """Django's ``input.html``, byte for byte."""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def select_html(widget: dict, renderer) -> str:
    """Django's ``select.html``, byte for byte: its options written in place, without two
    template includes per option (a list page's filters offer a few hundred)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] == OPTION_TEMPLATE:
                parts.append(
                    f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            else:
                parts.append("\n  " + renderer.render(option["template_name"], {"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """Django's form renderer, writing its select and input widgets in Python.

    The markup is Django's own, byte for byte (``core/tests/test_form_renderer.py``
    compares them); a widget template costs a template render with its includes,
    and a list page's filter form has a score of widgets.
    """

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        if template_name == SELECT_TEMPLATE:
            return select_html(context["widget"], self)
        return super().render(template_name, context, request=request)


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
