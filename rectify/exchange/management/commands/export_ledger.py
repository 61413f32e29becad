"""``rectify export_ledger``: write a campaign's list (or a unit subtree's) to .xlsx or .csv.

The rows are those the list pages would show an administrator of the whole
campaign filtered by ``--unit``: the same filter definition, without a
user's scope (whoever runs the command has the database). Exit codes: 0 the
file is written, 2 a usage error (an unknown campaign, unit, list or format).
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.http import urlencode

from rectify.campaigns.models import Campaign
from rectify.org.models import Unit

from ...columns import LISTS
from ...export import FORMATS, ExportRequest, build_source, write_export

USAGE_ERROR = 2


def _plain(text: str) -> str:
    """No colour: a progress line is not an error, though it goes to stderr."""
    return text


class Command(BaseCommand):
    help = "Export a campaign's problem, measure or responsibility list, or its combined ledger."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="Slug of the campaign.")
        parser.add_argument("--unit", help="Code of a unit: only its subtree is exported.")
        parser.add_argument("--list", required=True, choices=list(LISTS), dest="list_name")
        parser.add_argument(
            "--format", choices=FORMATS, help="xlsx or csv (default: from the file name, or xlsx)."
        )
        parser.add_argument("-o", "--output", required=True, help="The file to write.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the headers and words in the file.",
        )

    def handle(self, *args, campaign, unit, list_name, format, output, language, **options):
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(f"No campaign with the slug “{campaign}”.", returncode=USAGE_ERROR)
        query = {"campaign": found.slug}
        if unit:
            chosen = Unit.objects.filter(code=unit).first()
            if chosen is None:
                raise CommandError(f"No unit with the code “{unit}”.", returncode=USAGE_ERROR)
            query["unit"] = chosen.pk
        path = Path(output)
        fmt = format or ("csv" if path.suffix.lower() == ".csv" else "xlsx")
        source_page = "problems" if list_name == "problems" else "measures"
        request = ExportRequest(list_name=list_name, source=source_page, query=urlencode(query))
        with translation.override(language):
            rows = build_source(request, None)
            total = rows.count()
            progress = self._progress(total) if self.stderr.isatty() else None
            started = time.perf_counter()
            try:
                with path.open("wb") as handle:
                    written = write_export(rows, fmt, handle, progress=progress)
            except OSError as exc:
                raise CommandError(f"Cannot write {path}: {exc}", returncode=USAGE_ERROR) from exc
        if progress:
            self.stderr.write("", style_func=_plain)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{written} rows written to {path} in {seconds:.1f} s.")

    def _progress(self, total: int):
        """A progress line on the terminal, rewritten in place."""

        def report(done: int) -> None:
            percent = done * 100 // total if total else 100
            line = f"\r{done:>9,} / {total:,} rows  {percent:3d}%"
            self.stderr.write(line, style_func=_plain, ending="")
            self.stderr.flush()

        return report
