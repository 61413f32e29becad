"""Time the study coverage page against the bare SQL of the same aggregates.

Fill a database first (20,000 units and a million people-attendance rows),
then run this script against it::

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3
    .venv/bin/rectify migrate
    .venv/bin/rectify generate_ledger --units 20000 --measures 1000000 --seed 1 \\
        --attendance 1000000
    .venv/bin/python bench/coverage.py

Each page is requested through Django's test client (logged in with
``force_login``, DEBUG off) after a warm-up. Two floors are measured in the
same run, with ``cursor.execute`` and no ORM:

- "aggregate SQL": the one statement that counts, per child unit, the people
  and those who reached the required sessions (everyone and the key group) —
  the same SQL the selector sends;
- "page SQL": every query the page runs (session, user, scope, campaign,
  units, aggregate, the first page of people not yet covered), replayed in
  order — the database's share of the same page.

Target: p95 ≤ 300 ms for the whole generated tree.
"""

import argparse
import os
import statistics
import sys
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
from rectify.study.models import Attendance  # noqa: E402

TARGET_MS = 300
#: The aggregate statement, told apart from the page's other queries.
AGGREGATE_MARK = 'AS "key_covered"'


def build_pages(slug: str) -> list[tuple[str, object, str]]:
    """``(label, login, url)`` of each page to time."""
    User = get_user_model()
    try:
        admin = User.objects.get(username=f"{slug}-admin")
        county_admin = User.objects.get(username=f"{slug}-county")
    except User.DoesNotExist:
        raise SystemExit(
            f"No benchmark logins for “{slug}”: run `rectify generate_ledger "
            f"--campaign-slug {slug}` first."
        ) from None
    campaign = Campaign.objects.get(slug=slug)
    rows = Attendance.objects.filter(meeting__campaign=campaign).count()
    if not rows:
        raise SystemExit(f"No attendance in “{slug}”: generate it first (--attendance N).")
    root = campaign.participating_units.get()
    county = county_admin.role_grants.get().unit
    url = reverse("study:coverage")
    print(f"{rows:,} attendance rows in “{slug}”.")
    return [
        ("coverage, whole tree (system admin)", admin,
         f"{url}?campaign={slug}&unit={root.pk}"),
        ("coverage, whole tree, key group list (system admin)", admin,
         f"{url}?campaign={slug}&unit={root.pk}&group=key"),
        (f"coverage, county {county.pk} (its unit admin)", county_admin,
         f"{url}?campaign={slug}&unit={county.pk}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaign-slug", default="generated")
    parser.add_argument("--runs", type=int, default=30, help="Timed requests per page (≥ 20).")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="Print query plans.")
    args = parser.parse_args()
    runs = max(args.runs, 20)

    table, notes = [], []
    for label, user, url in build_pages(args.campaign_slug):
        client = Client()
        client.force_login(user)

        def get(url=url, client=client):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        page_ms = time_it(get, warmup=args.warmup, runs=runs)
        captured = QueryLog()
        with connection.execute_wrapper(captured):
            get()
        aggregate = [q for q in captured.queries if AGGREGATE_MARK in q[0]]
        if len(aggregate) != 1:
            raise SystemExit(f"Expected one aggregate statement on {url}, found {len(aggregate)}")
        agg_ms = time_it(lambda q=aggregate: replay(q), warmup=args.warmup, runs=runs)
        all_ms = time_it(lambda q=captured.queries: replay(q), warmup=args.warmup, runs=runs)
        p95, agg95, all95 = (percentile(ms, 95) for ms in (page_ms, agg_ms, all_ms))
        table.append(
            (label, statistics.median(page_ms), p95, statistics.median(agg_ms), agg95,
             statistics.median(all_ms), all95)
        )  # fmt: skip
        notes.append((label, captured, aggregate[0]))

    vendor = connection.vendor
    print(f"\n{vendor}, {runs} requests per page after {args.warmup} warm-up, DEBUG off\n")
    print(
        "| page | p50 ms | p95 ms | aggregate SQL p50 | aggregate SQL p95 | page SQL p50 "
        "| page SQL p95 | × page SQL (p95) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, p50, p95, a50, a95, s50, s95 in table:
        flag = "" if p95 <= TARGET_MS else " ✗"
        print(
            f"| {label} | {p50:.1f} | {p95:.1f}{flag} | {a50:.1f} | {a95:.1f} | {s50:.1f} "
            f"| {s95:.1f} | {p95 / s95:.1f}× |"
        )
    print(f"\n✗: misses p95 ≤ {TARGET_MS} ms.\n")
    for label, captured, (sql, params, _ms) in notes:
        total = sum(ms for _sql, _params, ms in captured.queries)
        print(f"## {label}: {len(captured.queries)} queries, {total:.1f} ms of SQL; slowest:")
        for query_sql, _params, ms in sorted(captured.queries, key=lambda q: -q[2])[:3]:
            print(f"  {ms:7.1f} ms  {' '.join(query_sql.split())[:150]}")
        if args.explain:
            print("  plan of the aggregate:")
            print(explain(sql, params))
        print()


if __name__ == "__main__":
    run_pages(main)
