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
    """Render only ``shown`` (and the submitted value) as the options of a model choice field.

    The field still validates against its whole queryset, so any object in
    scope can be chosen by link or typed id; the page never renders ten
    thousand ``<option>`` rows to offer it.
    """
    field = form.fields[name]
    label = label or field.label_from_instance
    options = list(shown)
    submitted = form.data.get(name) if form.is_bound else None
    if submitted and all(str(option.pk) != submitted for option in options):
        # A bad value is reported by the field itself.
        with suppress(field.queryset.model.DoesNotExist, ValueError, ValidationError):
            options.insert(0, field.queryset.get(pk=submitted))
    field.widget.choices = [("", field.empty_label or "")] + [
        (option.pk, label(option)) for option in options
    ]
