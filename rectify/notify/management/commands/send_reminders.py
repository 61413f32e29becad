"""``rectify send_reminders``: run the daily reminders now, or schedule the daily task."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from rectify.notify.reminders import run_reminders
from rectify.notify.tasks import schedule_daily


class Command(BaseCommand):
    help = (
        "Send today's reminders to responsible persons and digests to unit administrators, "
        "leaders, guidance groups and unit group robots (in-app, email, webhooks). Running it "
        "twice on one day sends nothing twice. --dry-run counts without writing or sending; "
        "--schedule enqueues the daily task (run by `rectify db_worker`) instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be sent; write nothing."
        )
        parser.add_argument("--date", help="The day to run for (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the daily task for the next 07:00 (once) instead of running now.",
        )

    def handle(self, *args, dry_run: bool, date: str | None, schedule: bool, **options):
        if schedule:
            result = schedule_daily()
            if result is None:
                self.stdout.write(
                    "Nothing enqueued: the daily run is already scheduled, or the task "
                    "backend cannot defer tasks."
                )
            else:
                self.stdout.write(f"Daily reminders scheduled for {result.task.run_after}.")
            return
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not “{date}”.") from None
        report = run_reminders(date=day, dry_run=dry_run)
        out = self.stdout
        dry = " (dry run: nothing written or sent)" if dry_run else ""
        out.write(f"Reminders for {report.date}{dry}:")
        rows = [
            ("recipients", report.recipients),
            ("reminders", report.reminders),
            ("digests", report.digests),
            ("notifications", report.notifications),
            ("deliveries queued", report.deliveries),
            ("sent", report.sent),
            ("failures", report.failed),
            ("waiting for retry", report.retrying),
            ("queries", report.queries),
        ]
        for label, value in rows:
            out.write(f"  {label:<20}{value:>10,}")
        out.write(f"  {'seconds':<20}{report.seconds:>10.2f}")
