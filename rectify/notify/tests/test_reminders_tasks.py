"""The daily task: it runs the reminders and keeps exactly one run waiting for the next 07:00."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from rectify.notify.models import Notification, NotificationKind
from rectify.notify.tasks import next_run_at, send_daily_reminders

from .reminder_world import build_world

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RECTIFY_DELIVERY_RETRY_DELAYS = (0, 0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 3, 2, 6, 59, tzinfo=SHANGHAI), dt.datetime(2026, 3, 2, 7, 0)),
        (dt.datetime(2026, 3, 2, 7, 0, tzinfo=SHANGHAI), dt.datetime(2026, 3, 3, 7, 0)),
        (dt.datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), dt.datetime(2026, 3, 3, 7, 0)),
        # 23:30 UTC is already 07:30 the next morning in Shanghai.
        (dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), dt.datetime(2026, 3, 3, 7, 0)),
    ],
)
def test_the_next_run_is_the_next_seven_oclock_in_shanghai(now, expected):
    assert next_run_at(now) == expected.replace(tzinfo=SHANGHAI)


def _waiting():
    return DBTaskResult.objects.filter(
        status="READY", task_path=send_daily_reminders.module_path
    ).values_list("run_after", flat=True)


def test_the_daily_task_runs_the_reminders_and_schedules_tomorrow_once(settings):
    settings.TASKS = DB_TASKS
    world = build_world()
    result = send_daily_reminders.call()
    assert result["reminders"] >= 2 and result["digests"] >= 3
    assert result["housekeeping"] == {"news view records": 0}
    assert Notification.objects.filter(recipient=world.zeren, kind=NotificationKind.REMINDER)
    (run_after,) = _waiting()
    assert run_after == next_run_at()
    # A second run (a retry, a manual start) neither repeats the messages nor the schedule.
    again = send_daily_reminders.call()
    assert again["notifications"] == 0
    assert len(_waiting()) == 1


def test_the_command_schedules_the_daily_task_once(settings):
    settings.TASKS = DB_TASKS
    out = io.StringIO()
    call_command("send_reminders", "--schedule", stdout=out)
    assert "scheduled for" in out.getvalue()
    call_command("send_reminders", "--schedule", stdout=io.StringIO())
    assert len(_waiting()) == 1
    assert not Notification.objects.exists()


def test_a_backend_that_cannot_defer_runs_the_task_and_schedules_nothing(tasks_run_at_once):
    build_world()
    result = send_daily_reminders.enqueue()
    assert result.status == "SUCCESSFUL"
    assert result.return_value["notifications"] > 0
    assert not DBTaskResult.objects.exists()
