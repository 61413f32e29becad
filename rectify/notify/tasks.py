"""Background tasks (django-tasks): the daily reminder run and delivery retries.

``rectify send_reminders --schedule`` enqueues :data:`send_daily_reminders`
for the next 07:00; each run enqueues the next day's before it starts, so
the chain survives a failed run. ``rectify db_worker`` executes them. A
backend that cannot defer (the immediate one, in tests) runs a task when it
is enqueued and schedules nothing.
"""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from rectify.core import housekeeping

from .reminders import deliver_pending, pending_retry_at, run_reminders

#: Local time (``TIME_ZONE``, Asia/Shanghai by default) of the daily run.
RUN_AT = dt.time(7, 0)


def next_run_at(now: dt.datetime | None = None) -> dt.datetime:
    """The next :data:`RUN_AT` in the local time zone, strictly after ``now``."""
    now = timezone.localtime(now or timezone.now())
    candidate = now.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    if candidate <= now:
        candidate = timezone.make_aware(
            dt.datetime.combine(candidate.date() + dt.timedelta(days=1), RUN_AT)
        )
    return candidate


def _already_waiting(the_task, *, after: dt.datetime) -> bool:
    """True when the database queue already holds ``the_task`` deferred past ``after``."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not isinstance(the_task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        status="READY",
        task_path=the_task.module_path,
        run_after__gte=after,
        run_after__lt=get_date_max(),
    ).exists()


def _defer(the_task, when: dt.datetime):
    """Enqueue ``the_task`` to run at ``when`` unless it already waits; ``None`` if not."""
    if not the_task.get_backend().supports_defer:
        return None
    if _already_waiting(the_task, after=timezone.now()):
        return None
    return the_task.using(run_after=when).enqueue()


def schedule_daily(now: dt.datetime | None = None):
    """Enqueue the daily run for the next 07:00 (once); returns the task result or ``None``."""
    return _defer(send_daily_reminders, next_run_at(now))


def schedule_retries():
    """Enqueue a delivery retry for when the earliest failed delivery is due, if any."""
    due = pending_retry_at()
    if due is None:
        return None
    return _defer(retry_deliveries, max(due, timezone.now()))


@task()
def send_daily_reminders(date: str | None = None) -> dict:
    """Run today's reminders (see :func:`run_reminders`), then the daily housekeeping
    (:mod:`rectify.core.housekeeping`); schedule tomorrow's first."""
    schedule_daily()
    report = run_reminders(date=dt.date.fromisoformat(date) if date else None)
    schedule_retries()
    return report.as_dict() | {"housekeeping": housekeeping.run()}


@task()
def retry_deliveries() -> dict:
    """Send the deliveries whose retry is due, and schedule the next retry if any remain."""
    report = deliver_pending()
    schedule_retries()
    return report.as_dict()
