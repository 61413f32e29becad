"""Daily housekeeping: what apps forget once it has served (old view records, say).

Apps register a job in their ``AppConfig.ready``; the daily task
(:func:`rectify.notify.tasks.send_daily_reminders`) and ``rectify housekeeping``
run them all. Each job deletes what it no longer needs and returns how many
rows it deleted. Nothing of the ledger is ever housekept: its deletes are soft.
"""

from collections.abc import Callable

from django.db import transaction

#: ``{name: job}``: a job takes no argument and returns the number of rows it removed.
_jobs: dict[str, Callable[[], int]] = {}


def register(name: str, job: Callable[[], int]) -> None:
    """Run ``job`` with the daily housekeeping, under ``name`` (registering again replaces)."""
    _jobs[name] = job


def run() -> dict[str, int]:
    """Run every registered job, each in its own transaction: ``{name: rows removed}``."""
    done = {}
    for name, job in sorted(_jobs.items()):
        with transaction.atomic():
            done[name] = job()
    return done
