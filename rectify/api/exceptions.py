"""One JSON error shape for every refusal: ``{"error": {"code", "message", "fields"}}``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from rectify.core.services import StaleEditError


class Conflict(exceptions.APIException):
    """The object changed since the client read it (a stale ``expected_version``)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale"


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item)]
    return [str(detail)]


def _fields(detail) -> dict:
    """Field errors as ``{field: [messages]}`` (nested serializers keep their nesting)."""
    out = {}
    for name, value in detail.items():
        if isinstance(value, dict):
            out[name] = _fields(value)
        else:
            out[name] = [str(m) for m in (value if isinstance(value, list) else [value])]
    return out


def django_to_drf(exc: Exception) -> Exception:
    """A service's Django exception as the DRF exception that answers it."""
    if isinstance(exc, StaleEditError):
        return Conflict(" ".join(exc.messages))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if name == "__all__" else name): messages
                for name, messages in exc.message_dict.items()
            }
            return exceptions.ValidationError(detail)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def exception_handler(exc, context):
    """DRF's handler with Django's service exceptions mapped and the body in one shape."""
    exc = django_to_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, dict):
            fields = _fields(detail)
            non_field = fields.pop("non_field_errors", [])
            message = " ".join(non_field) or _("Some values are not valid.")
            if non_field:
                fields["non_field_errors"] = non_field
        else:
            message = " ".join(_messages(detail))
        code = "invalid"
    else:
        message = " ".join(_messages(detail))
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    body = {"error": {"code": code, "message": message, "fields": fields}}
    return Response(body, status=response.status_code, headers=dict(response.headers))
