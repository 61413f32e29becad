"""Serializers every part of the API shares: the error body, for the schema."""

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    """What went wrong: a machine code, a sentence for people, and errors by field."""

    code = serializers.CharField(
        help_text="invalid, not_authenticated, authentication_failed, "
        "permission_denied, not_found, stale, throttled, …"
    )
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Field name → list of messages (empty unless the request was invalid).",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer of the API."""

    error = ErrorDetailSerializer()
