"""Serializers of the API: what each resource shows, and what each write accepts."""
