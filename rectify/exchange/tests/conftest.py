"""Fixtures of the exchange tests (the import's live in ``builders``)."""

from .builders import english, world  # noqa: F401
