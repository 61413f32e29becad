"""``rectify import_ledger FILE --campaign SLUG --unit CODE [--dry-run]``: import a ledger.

The same reading, checks and writes as the import page: names nobody has
become new people of their row's unit (the page's default); a name that
matches several people is a data error here (the page asks instead). The
import is recorded in history under ``--user`` (default: the first active
superuser). Exit codes: 0 imported (or, with ``--dry-run``, importable),
1 the file is refused or has data errors (the report is printed, nothing is
written), 2 a usage error (no such file, campaign, unit or user).
"""

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from rectify.campaigns.models import Campaign
from rectify.org.models import Unit

from ...importer import ImportFailed, ImportRefused, Options, import_plan, import_reason, plan_file
from ...importer.jobs import require_importer

DATA_ERROR = 1
USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Import a unit's ledger (.xlsx, .xls, .ods or .csv) into a campaign."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The ledger file.")
        parser.add_argument("--campaign", required=True, help="Slug of the campaign.")
        parser.add_argument(
            "--unit",
            required=True,
            help="Code of the unit the rows go into (a 单位 column picks units within it).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument("--sheet", type=int, help="Number of the sheet to read (from 1).")
        parser.add_argument(
            "--user", help="Username the import is recorded under (default: a superuser)."
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the report.",
        )

    def handle(self, *args, file, campaign, unit, dry_run, sheet, user, language, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {path}.", returncode=USAGE_ERROR)
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(f"No campaign with the slug “{campaign}”.", returncode=USAGE_ERROR)
        chosen = Unit.objects.filter(code=unit).first()
        if chosen is None:
            raise CommandError(f"No unit with the code “{unit}”.", returncode=USAGE_ERROR)
        acting = self._user(user)
        with translation.override(language):
            try:
                require_importer(acting, found, chosen)
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError(_message(exc), returncode=USAGE_ERROR) from exc
            started = time.perf_counter()
            progress = self._progress if self.stderr.isatty() else None
            try:
                plan = plan_file(
                    path,
                    path.name,
                    campaign=found,
                    unit=chosen,
                    user=acting,
                    options=Options(sheet=sheet - 1 if sheet else None),
                    progress=progress,
                )
            except ImportRefused as exc:
                raise CommandError(_message(exc), returncode=DATA_ERROR) from exc
            finally:
                if progress:
                    self.stderr.write("")
            self._report(plan)
            if not plan.can_import:
                raise CommandError(
                    f"Nothing was imported: {len(plan.blocking) + len(plan.undecided)} "
                    "problems need attention.",
                    returncode=DATA_ERROR,
                )
            counts = plan.counts()
            if dry_run:
                self.stdout.write(
                    "Dry run, nothing written. Would create {problems_new} problems and "
                    "{measures_new} measures, update {problems_updated} problems and "
                    "{measures_updated} measures, create {persons_new} people.".format(**counts)
                )
                return
            try:
                outcome = import_plan(
                    plan, campaign=found, acting_user=acting, reason=import_reason(path.name)
                )
            except ImportFailed as exc:
                for issue in exc.issues:
                    self.stderr.write(_line(issue))
                raise CommandError("Nothing was imported.", returncode=DATA_ERROR) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Imported {path.name} in {seconds:.1f} s: {outcome.problems_created} problems and "
            f"{outcome.measures_created} measures created, {outcome.problems_updated} problems "
            f"and {outcome.measures_updated} measures updated, {outcome.persons_created} "
            "people created."
        )

    def _user(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            found = users.filter(username=username).first()
            if found is None:
                raise CommandError(f"No active user “{username}”.", returncode=USAGE_ERROR)
            return found
        found = users.filter(is_superuser=True).order_by("pk").first()
        if found is None:
            raise CommandError(
                "Name the user the import is recorded under with --user.", returncode=USAGE_ERROR
            )
        return found

    def _report(self, plan) -> None:
        for issue in plan.issues:
            self.stderr.write(_line(issue))
        for question in plan.questions:
            if question.decision.startswith("new:"):
                self.stdout.write(f"New person: {question.name} ({question.unit}).")
            elif not question.decision:
                rows = ", ".join(map(str, question.rows))
                self.stderr.write(
                    f"Row {rows}: “{question.name}” matches several people; "
                    "import on the page to choose, or make the name unique."
                )

    def _progress(self, done: int, total: int) -> None:
        """A progress line on the terminal, rewritten in place."""
        percent = done * 100 // total if total else 100
        self.stderr.write(f"\r{done:>9,} / {total:,} rows  {percent:3d}%", ending="")
        self.stderr.flush()


def _message(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _line(issue) -> str:
    kind = "error" if issue.blocking else "note"
    where = f"row {issue.row}" if issue.row else "file"
    if issue.column:
        where += f", column {issue.column}"
    value = f" “{issue.value}”" if issue.value else ""
    return f"{kind}: {where}{value}: {issue.reason}"
