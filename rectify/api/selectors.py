"""Reads of the api app."""

from django.db.models import QuerySet

from .models import ApiToken


def tokens_of(user) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked ones included, for the record)."""
    return ApiToken.objects.filter(owner=user)
