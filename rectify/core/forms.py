"""Form helpers every app's views share."""

from collections.abc import Iterable
from contextlib import suppress

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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
