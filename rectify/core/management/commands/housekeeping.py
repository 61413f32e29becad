"""``rectify housekeeping``: run the daily housekeeping now (the daily task also runs it)."""

from django.core.management.base import BaseCommand

from rectify.core import housekeeping


class Command(BaseCommand):
    help = (
        "Forget what has served its purpose (news view records older than the counting "
        "window, …) and print how many rows each job removed. The daily reminder task "
        "runs the same; run this from cron where no task worker runs."
    )

    def handle(self, *args, **options):
        for name, removed in housekeeping.run().items():
            self.stdout.write(f"{name}: {removed} removed")
