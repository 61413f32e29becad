"""Time the campaign dashboard against the bare aggregate SQL it needs, in the same run.

Fill a database first, then run this script against it (SQLite or PostgreSQL)::

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3
    .venv/bin/rectify migrate
    .venv/bin/rectify generate_ledger --units 20000 --measures 1000000 --seed 1
    .venv/bin/python bench/dashboard.py

Each dashboard is requested through Django's test client (logged in with
``force_login``, DEBUG off) after a warm-up: the whole tree as the system
administrator, and one county as its unit administrator. Two figures of bare
SQL are measured in the same run, with ``cursor.execute`` and no ORM, each
statement's rows fetched:

- "aggregate SQL": the statements the page counts with (every COUNT, SUM or
  GROUP BY it sends, and its reads of the ledger's tallies), as it sent them —
  the sum of the bare aggregate queries the dashboard needs;
- "page SQL": every query the page runs, replayed in order — the database's
  share of the page.

Targets: p95 ≤ 500 ms for the whole tree, and ≤ 2.5× the aggregate SQL.
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

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from timing import QueryLog, explain, percentile, replay, run_pages, time_it  # noqa: E402

from rectify.campaigns.models import Campaign  # noqa: E402

TARGET_MS = 500
TARGET_RATIO = 2.5


@dataclass
class Page:
    """A dashboard to time."""

    label: str
    user: object
    url: str
    whole_tree: bool


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
        Page("dashboard, whole tree (system admin)", admin, url, True),
        Page(f"dashboard, county {county.pk} (its unit admin)", county_admin, url, False),
    ]


def is_aggregate(sql: str) -> bool:
    """A statement that counts: an aggregate, a GROUP BY, or a read of the tallies."""
    text = sql.upper()
    return (
        '"LEDGER_TALLY"' in text
        or "GROUP BY" in text
        or any(f"{name}(" in text for name in ("COUNT", "SUM", "MAX", "MIN"))
    )


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
        bare_ms = time_it(lambda queries=aggregates: replay(queries),
                          warmup=1, runs=runs)  # fmt: skip
        all_ms = time_it(lambda queries=captured.queries: replay(queries),
                         warmup=1, runs=runs)  # fmt: skip
        p95, bare95, all95 = (percentile(ms, 95) for ms in (page_ms, bare_ms, all_ms))
        rows.append(
            (page, statistics.median(page_ms), p95, statistics.median(bare_ms), bare95,
             p95 / bare95, statistics.median(all_ms), all95)
        )  # fmt: skip
        notes.append((page, captured, aggregates))

    print(
        f"\n{connection.vendor}, {runs} requests per page after {args.warmup} warm-up, DEBUG off\n"
    )
    print(
        "| page | p50 ms | p95 ms | aggregate SQL p50 | aggregate SQL p95 | × aggregate (p95) "
        "| page SQL p50 | page SQL p95 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for page, p50, p95, b50, b95, ratio, a50, a95 in rows:
        slow = page.whole_tree and p95 > TARGET_MS
        print(
            f"| {page.label} | {p50:.1f} | {p95:.1f}{' ✗' if slow else ''} | {b50:.1f} "
            f"| {b95:.1f} | {ratio:.2f}×{' ✗' if ratio > TARGET_RATIO else ''} "
            f"| {a50:.1f} | {a95:.1f} |"
        )
    print(
        f"\n✗: misses p95 ≤ {TARGET_MS} ms (whole tree) or ≤ {TARGET_RATIO}× the aggregate SQL.\n"
    )
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
