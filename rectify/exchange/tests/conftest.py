"""Fixtures of the exchange tests (the import's live in ``builders``)."""

from .builders import english, tasks_run_at_once, world  # noqa: F401
