"""``rectify rebuild_tallies``: recompute the ledger's tallies, or check them against the ledger."""

from django.core.management.base import BaseCommand, CommandError

from rectify.campaigns.models import Campaign
from rectify.ledger import pressure, tallies
from rectify.ledger.models import Measure


class Command(BaseCommand):
    help = (
        "Recompute the counts the gap matrix, pipeline and dashboard read (problems and "
        "measures per campaign, unit subtree and target) from the ledger itself. The ledger "
        "services keep them as they write; run this after loading rows some other way. "
        "Each measure's counts of urges and approved extensions (the dashboard's most "
        "pressed) are recounted too. "
        "--check compares instead, writes nothing, and fails when they differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="Slug of one campaign; default every campaign.")
        parser.add_argument(
            "--check", action="store_true", help="Compare with the ledger; write nothing."
        )

    def handle(self, *args, campaign: str | None, check: bool, **options):
        campaigns = Campaign.objects.all()
        if campaign:
            campaigns = campaigns.filter(slug=campaign)
            if not campaigns.exists():
                raise CommandError(f"No campaign “{campaign}”.")
        ids = list(campaigns.values_list("pk", flat=True))
        measures = Measure.all_objects.filter(campaign__in=ids)
        if check:
            stored, expected = tallies.stored(ids), tallies.expected(ids)
            wrong = {
                key
                for key in stored.keys() | expected.keys()
                if stored.get(key) != expected.get(key)
            }
            miscounted = pressure.drifted(measures).count()
            if wrong or miscounted:
                raise CommandError(
                    f"{len(wrong)} tally rows and {miscounted} measures' counts of urges and "
                    "extensions differ from the ledger: run `rectify rebuild_tallies` to "
                    "recompute them."
                )
            self.stdout.write(f"{len(stored)} tally rows match the ledger.")
            return
        rows = tallies.rebuild(ids)
        self.stdout.write(f"{rows} tally rows written for {len(ids)} campaign(s).")
        recounted = pressure.recount(measures)
        self.stdout.write(f"{recounted} measures' counts of urges and extensions corrected.")
