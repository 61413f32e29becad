"""``rectify serve``: production serving with gunicorn sync workers and WhiteNoise."""

import os
import shutil
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Serve Rectify with gunicorn (production settings from the environment)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=os.environ.get("RECTIFY_BIND", "127.0.0.1:8000"),
            help="host:port to listen on (RECTIFY_BIND)",
        )  # fmt: skip
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("RECTIFY_WORKERS", "0")) or None,
            help="gunicorn sync workers (RECTIFY_WORKERS; default 2 × cores + 1)",
        )  # fmt: skip
        parser.add_argument("--check-only", action="store_true", help="check settings and exit")

    def handle(self, *args, bind, workers, check_only, **options):
        if settings.DEBUG:
            raise CommandError(_("Refusing to serve with DEBUG on: set RECTIFY_DEBUG=0."))
        if settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 32:
            raise CommandError(
                _(
                    "Refusing to serve with the default or a short secret key: "
                    "set RECTIFY_SECRET_KEY."
                )
            )
        if check_only:
            self.stdout.write(_("Settings are fit to serve."))
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        workers = workers or 2 * (os.cpu_count() or 1) + 1
        os.execv(
            gunicorn,
            [
                gunicorn, "rectify.wsgi:application", "--bind", bind, "--workers", str(workers),
                "--worker-class", "sync", "--access-logfile", "-", "--max-requests", "2000",
                "--max-requests-jitter", "200", "--timeout", "60",
            ],
        )  # fmt: skip
