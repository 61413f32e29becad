"""Form helpers every app's views share."""

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
