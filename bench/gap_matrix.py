"""Time the gap matrix and the pipeline pages against the bare aggregate SQL behind them.

Fill a database first, then run this script against it::

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3
    .venv/bin/rectify migrate
    .venv/bin/rectify generate_ledger --units 20000 --measures 1000000 --seed 1
    .venv/bin/python bench/gap_matrix.py

Each page is requested through Django's test client (logged in with
``force_login``, DEBUG off) after a warm-up. Three figures of bare SQL are
measured in the same run, with ``cursor.execute`` and no ORM:

- "aggregate": the statements the page counts with — the ledger's tally rows
  of the node and its children (:mod:`rectify.ledger.tallies`), and for the
  pipeline the meetings, research topics and findings counted per child — as
  the page sent them;
- "page SQL": every query the page runs (session, user, campaign, scope,
  children, aggregates), replayed in order — the database's share of the page;
- "live count": what the tallies spare the page, the one statement that counts
  the node's problems per child subtree and target straight from the ledger
  (without even telling the signed-off ones apart).

Target for the gap matrix of the whole tree: p95 ≤ 300 ms. ``--explain``
prints the query plan of the aggregate.
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
from rectify.ledger.models import Problem  # noqa: E402
from rectify.org.models import PATH_END, Unit  # noqa: E402

TARGET_MS = 300


@dataclass
class Page:
    """A page to time."""

    label: str
    user: object
    url: str
    campaign: Campaign
    node: Unit


def build_pages(slug: str) -> list[Page]:
    User = get_user_model()
    try:
        campaign = Campaign.objects.get(slug=slug)
        admin = User.objects.get(username=f"{slug}-admin")
        county_admin = User.objects.get(username=f"{slug}-county")
    except (Campaign.DoesNotExist, User.DoesNotExist):
        raise SystemExit(
            f"No generated campaign “{slug}”: run `rectify generate_ledger "
            f"--campaign-slug {slug}` first."
        ) from None
    root = campaign.participating_units.get()
    county = county_admin.role_grants.get().unit
    if Unit.objects.filter(parent__isnull=True).order_by("order", "path").first() != root:
        raise SystemExit("The generated root is not the first root of the tree: use a fresh DB.")
    matrix, pipeline = reverse("inspection:gap-matrix"), reverse("dashboard:pipeline")
    query = f"?campaign={slug}"
    return [
        Page("gap matrix, whole tree (system admin)", admin, matrix + query, campaign, root),
        Page(
            f"gap matrix, county {county.pk} (its unit admin)",
            county_admin,
            matrix + query,
            campaign,
            county,
        ),
        Page("pipeline, whole tree (system admin)", admin, pipeline + query, campaign, root),
        Page(
            f"pipeline, county {county.pk} (its unit admin)",
            county_admin,
            pipeline + query,
            campaign,
            county,
        ),
    ]


def aggregates_of(queries: list[tuple[str, object, float]]) -> list[tuple[str, object, float]]:
    """The page's statements that count: its reads of the tallies, and its COUNTs."""
    return [q for q in queries if '"ledger_tally"' in q[0] or "COUNT(" in q[0]]


def live_count(campaign: Campaign, node: Unit) -> tuple[str, list]:
    """The one statement counting ``node``'s live problems per child subtree and target."""
    units, problems = Unit._meta.db_table, Problem._meta.db_table
    sql = f"""
        SELECT c.path, p.target_id, COUNT(*)
        FROM {units} c
        JOIN {units} u ON u.path >= c.path AND u.path < c.path || %s
        JOIN {problems} p ON p.unit_id = u.id
        WHERE c.parent_id = %s AND p.campaign_id = %s AND p.deleted_at IS NULL
        GROUP BY c.id, c.path, p.target_id
    """
    return sql, [PATH_END, node.pk, campaign.pk]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaign-slug", default="generated")
    parser.add_argument("--runs", type=int, default=30, help="Timed requests per page (≥ 20).")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="Print query plans.")
    parser.add_argument("--only", default="", help="Time only pages whose label contains this.")
    args = parser.parse_args()
    runs = max(args.runs, 20)

    rows, notes = [], []
    for page in build_pages(args.campaign_slug):
        if args.only not in page.label:
            continue
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
        aggregates = aggregates_of(captured.queries)
        if not any('"ledger_tally"' in sql for sql, _params, _ms in aggregates):
            raise SystemExit(f"{page.url}: the page did not read the tallies")
        bare_ms = time_it(lambda queries=aggregates: replay(queries),
                          warmup=args.warmup, runs=runs)  # fmt: skip
        all_ms = time_it(lambda queries=captured.queries: replay(queries),
                         warmup=args.warmup, runs=runs)  # fmt: skip
        live = [(*live_count(page.campaign, page.node), 0.0)]
        live_ms = time_it(lambda queries=live: replay(queries), warmup=1, runs=min(runs, 5))
        p95, bare95, all95 = (percentile(ms, 95) for ms in (page_ms, bare_ms, all_ms))
        rows.append(
            (page.label, statistics.median(page_ms), p95, statistics.median(bare_ms), bare95,
             p95 / bare95, statistics.median(all_ms), all95, p95 / all95,
             statistics.median(live_ms))
        )  # fmt: skip
        notes.append((page, captured, aggregates))

    vendor = connection.vendor
    print(f"\n{vendor}, {runs} requests per page after {args.warmup} warm-up, DEBUG off\n")
    print(
        "| page | p50 ms | p95 ms | aggregate p50 | aggregate p95 | × aggregate "
        "| page SQL p50 | page SQL p95 | × page SQL (p95) | live count p50 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, p50, p95, b50, b95, ratio_bare, a50, a95, ratio, live50 in rows:
        flag = "" if p95 <= TARGET_MS else " ✗"
        print(
            f"| {label} | {p50:.1f} | {p95:.1f}{flag} | {b50:.1f} | {b95:.1f} | {ratio_bare:.2f}× "
            f"| {a50:.1f} | {a95:.1f} | {ratio:.2f}× | {live50:.1f} |"
        )
    print(f"\n✗: misses p95 ≤ {TARGET_MS} ms.\n")
    for page, captured, aggregates in notes:
        total = sum(ms for _sql, _params, ms in captured.queries)
        slowest = sorted(captured.queries, key=lambda q: -q[2])[:3]
        print(f"## {page.label}: {len(captured.queries)} queries, {total:.1f} ms of SQL; slowest:")
        for query_sql, _params, ms in slowest:
            print(f"  {ms:7.1f} ms  {query_sql[:150]}")
        if args.explain:
            for sql, params, _ms in aggregates:
                print(f"  plan of: {' '.join(sql.split())[:100]}")
                print(explain(sql, params))
        print()


if __name__ == "__main__":
    run_pages(main)
