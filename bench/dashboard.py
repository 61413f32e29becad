"""Time the campaign dashboard against the bare aggregate SQL it needs, in the same run.

Fill a database first, then run this script against it (SQLite or PostgreSQL)::

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3
    .venv/bin/rectify migrate
    .venv/bin/rectify generate_ledger --units 20000 --measures 1000000 --seed 1
    .venv/bin/python bench/dashboard.py

Each dashboard is requested through Django's test client (logged in with
``force_login``, DEBUG off) after a warm-up: the whole tree as the system
administrator, and one county as its unit administrator. Three figures of bare
SQL are measured in the same run, with ``cursor.execute`` and no ORM, each
statement's rows fetched:

- "ledger SQL": the sum of the bare aggregate queries the dashboard needs —
  every figure it shows counted from the ledger's problems and measures
  (:mod:`ledger_figures`: the page's own aggregates, with each read of what
  the ledger keeps counted — its tallies, and the measures' counts of urges
  and approved extensions — replaced by the aggregates that count the same
  figures from the rows). Before timing them, the script counts every figure
  through them and stops if one differs from the page's;
- "own aggregates": the aggregate statements the page itself sends (every
  COUNT, SUM or GROUP BY, and its reads of the tallies), as it sent them;
- "page SQL": every query the page runs, replayed in order — the database's
  share of the page.

Targets (the dashboard issue): p95 ≤ 500 ms for the whole tree, and ≤ 2.5× the
ledger SQL. The tallies and the counters are the pre-aggregated tables that
issue allows for them (kept in each write's transaction, and proved consistent
by ``rectify/ledger/tests/test_tallies.py`` and ``test_pressure.py``);
"× own aggregates" shows what the page costs beyond the SQL it sends.
``--explain`` prints the plans of the slowest queries.
"""

import argparse
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")

import django

django.setup()

import ledger_figures  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from timing import Query, QueryLog, explain, percentile, replay, run_pages, time_it  # noqa: E402

from rectify.campaigns.models import Campaign  # noqa: E402
from rectify.dashboard.selectors import dashboard  # noqa: E402
from rectify.inspection.selectors.gaps import node_for  # noqa: E402

TARGET_MS = 500
TARGET_RATIO = 2.5


@dataclass
class Page:
    """A dashboard to time."""

    label: str
    user: object
    url: str
    whole_tree: bool
    slug: str


def build_pages(slug: str) -> list[Page]:
    User = get_user_model()
    try:
        Campaign.objects.get(slug=slug)
        admin = User.objects.get(username=f"{slug}-admin")
        county_admin = User.objects.get(username=f"{slug}-county")
    except (Campaign.DoesNotExist, User.DoesNotExist):
        raise SystemExit(
            f"No generated campaign “{slug}”: run `rectify generate_ledger "
            f"--campaign-slug {slug}` first."
        ) from None
    county = county_admin.role_grants.get().unit
    url = reverse("dashboard:campaign") + f"?campaign={slug}"
    return [
        Page("dashboard, whole tree (system admin)", admin, url, True, slug),
        Page(f"dashboard, county {county.pk} (its unit admin)", county_admin, url, False, slug),
    ]


def is_aggregate(sql: str) -> bool:
    """A statement that counts: an aggregate, a GROUP BY, or a read of the tallies."""
    text = sql.upper()
    return (
        '"LEDGER_TALLY"' in text
        or "GROUP BY" in text
        or any(f"{name}(" in text for name in ("COUNT", "SUM", "MAX", "MIN"))
    )


def board_of(page: Page):
    """The figures of ``page``'s dashboard (the user's first scope root, as the page picks)."""
    campaign = Campaign.objects.get(slug=page.slug)
    node, _roots = node_for(page.user, campaign, "")
    return dashboard(page.user, campaign, node)


def reads_tallies(sql: str) -> bool:
    """A statement that reads what the ledger keeps counted: its tallies (by target or by
    day), or the measures' counters of urges and approved extensions."""
    text = sql.upper()
    return any(name in text for name in ('"LEDGER_TALLY', '"URGE_COUNT"', '"EXTENSION_COUNT"'))


def ledger_sql(board, aggregates: list[Query]) -> list[Query]:
    """The page's aggregates with each read of the tallies and counters replaced by the
    aggregates that count the same figures from the ledger (:mod:`ledger_figures`), checked
    equal first."""
    ledger_figures.check(board)
    counted = [
        (*ledger_figures.sql_of(statement), 0.0)
        for statement in ledger_figures.statements(board.campaign, board.node).values()
    ]
    return [q for q in aggregates if not reads_tallies(q[0])] + counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaign-slug", default="generated")
    parser.add_argument("--runs", type=int, default=20, help="Timed requests per page (≥ 20).")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--explain", action="store_true", help="Print the slowest plans.")
    args = parser.parse_args()
    runs = max(args.runs, 20)

    rows, notes = [], []
    for page in build_pages(args.campaign_slug):
        client = Client()
        client.force_login(page.user)

        def get(page=page, client=client):
            response = client.get(page.url)
            if response.status_code != 200:
                raise SystemExit(f"{page.url} answered {response.status_code}")
            return response

        page_ms = time_it(get, warmup=args.warmup, runs=runs)
        captured = QueryLog()
        with connection.execute_wrapper(captured):
            get()
        aggregates = [q for q in captured.queries if is_aggregate(q[0])]
        ledger = ledger_sql(board_of(page), aggregates)
        samples = [page_ms] + [
            time_it(lambda queries=queries: replay(queries), warmup=1, runs=runs)
            for queries in (ledger, aggregates, captured.queries)
        ]
        rows.append((page, [(statistics.median(ms), percentile(ms, 95)) for ms in samples]))
        notes.append((page, captured, aggregates))

    print(
        f"\n{connection.vendor}, {runs} requests per page after {args.warmup} warm-up, DEBUG off\n"
    )
    print(
        "| page | p50 ms | p95 ms | ledger SQL p50 | ledger SQL p95 | × ledger SQL (p95) "
        "| own aggregates p50 | own aggregates p95 | × own aggregates (p95) "
        "| page SQL p50 | page SQL p95 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for page, ((p50, p95), (l50, l95), (o50, o95), (a50, a95)) in rows:
        slow = page.whole_tree and p95 > TARGET_MS
        ratio = p95 / l95
        print(
            f"| {page.label} | {p50:.1f} | {p95:.1f}{' ✗' if slow else ''} | {l50:.1f} | {l95:.1f} "
            f"| {ratio:.2f}×{' ✗' if ratio > TARGET_RATIO else ''} | {o50:.1f} | {o95:.1f} "
            f"| {p95 / o95:.2f}× | {a50:.1f} | {a95:.1f} |"
        )
    print(f"\n✗: misses p95 ≤ {TARGET_MS} ms (whole tree) or ≤ {TARGET_RATIO}× the ledger SQL.\n")
    for page, captured, aggregates in notes:
        timed = []
        for query in captured.queries:
            ms = time_it(lambda query=query: replay([query]), warmup=0, runs=3)
            timed.append((statistics.median(ms), query))
        timed.sort(key=lambda item: -item[0])
        print(
            f"## {page.label}: {len(captured.queries)} queries, {len(aggregates)} aggregates; "
            "slowest:"
        )
        for ms, (sql, params, _ms) in timed[:6]:
            print(f"  {ms:7.1f} ms  {' '.join(sql.split())[:150]}")
            if args.explain:
                print(explain(sql, params))
        print()


if __name__ == "__main__":
    run_pages(main)
