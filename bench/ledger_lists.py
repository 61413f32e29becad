"""Time the ledger's list pages against the bare SQL that fetches the same rows.

Fill a database first, then run this script against it::

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3
    .venv/bin/rectify migrate
    .venv/bin/rectify generate_ledger --units 20000 --measures 1000000 --seed 1
    .venv/bin/python bench/ledger_lists.py

Each page is requested through Django's test client (logged in with
``force_login``, DEBUG off) after a warm-up. Two floors are measured in the
same run, with ``cursor.execute`` and no ORM:

- "rows": only the query that fetches the page's rows — the same SQL the
  view's selector and filter compile to (same WHERE, ORDER BY, LIMIT 50);
- "page SQL": every query the page runs (session, user, rows, persons,
  counts, lights, filter choices), replayed in order — the database's share
  of the same page.

Target: p95 ≤ 150 ms and ≤ 3× the page's bare SQL. The ratio to the rows
query alone is printed too: it says what the page costs beyond fetching its
rows (counts, lights, the filter form, the template). Last comes the framework
floor: an empty logged-in page with the layout (``floor_urls.py``), what any
page costs before its own work.

``--explain`` prints the query plan of each bare query and of each page's
slowest queries.
"""

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from timing import (  # noqa: E402
    QueryLog,
    explain,
    layout_floor,
    percentile,
    replay,
    run_pages,
    time_it,
)

from rectify.ledger.filters import MeasureFilter  # noqa: E402
from rectify.ledger.rows import ROW_VALUES  # noqa: E402
from rectify.ledger.selectors import measures_answered_by, measures_visible_to  # noqa: E402
from rectify.org.models import Person  # noqa: E402

PAGE_SIZE = 50
TARGET_MS = 150
TARGET_RATIO = 3


@dataclass
class Page:
    """A page to time, and the queryset of the rows it shows."""

    label: str
    user: object
    url: str
    rows: Callable[[], QuerySet]


def filtered_rows(user, params: dict) -> QuerySet:
    """The measure list's rows for ``params``, as the view builds them."""
    filterset = MeasureFilter(params, queryset=measures_visible_to(user))
    if not filterset.is_valid():
        raise SystemExit(f"Invalid filter {params}: {filterset.errors}")
    return filterset.qs


def bare_sql(rows: QuerySet) -> tuple[str, tuple]:
    """The SQL and parameters of the first page of ``rows``, read as the page reads it."""
    return rows.values_list(*ROW_VALUES)[:PAGE_SIZE].query.sql_with_params()


def run_bare(sql: str, params: tuple) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def build_pages(slug: str, word: str) -> list[Page]:
    User = get_user_model()
    try:
        admin = User.objects.get(username=f"{slug}-admin")
        county_admin = User.objects.get(username=f"{slug}-county")
        person_login = User.objects.get(username=f"{slug}-person")
    except User.DoesNotExist:
        raise SystemExit(
            f"No benchmark logins for “{slug}”: run `rectify generate_ledger "
            f"--campaign-slug {slug}` first."
        ) from None
    county = county_admin.role_grants.get().unit
    person = Person.objects.get(user=person_login)
    measures = reverse("ledger:measure-list")
    red = {"unit": str(county.pk), "light": "red"}
    search = {"q": word}
    return [
        Page("measures, whole tree (system admin)", admin, measures,
             lambda: filtered_rows(admin, {})),
        Page(f"measures, county {county.pk} + red (its unit admin)", county_admin,
             f"{measures}?unit={county.pk}&light=red", lambda: filtered_rows(county_admin, red)),
        Page(f"measures, search q={word} (system admin)", admin, f"{measures}?q={word}",
             lambda: filtered_rows(admin, search)),
        Page(f"responsibilities of person {person.pk} (system admin)", admin,
             reverse("ledger:person-responsibilities", kwargs={"pk": person.pk}),
             lambda: measures_answered_by(person, admin)),
        Page("my responsibilities (that person's login)", person_login,
             reverse("ledger:my-responsibilities"),
             lambda: measures_answered_by(person, person_login)),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaign-slug", default="generated")
    parser.add_argument("--runs", type=int, default=30, help="Timed requests per page (≥ 20).")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--q", default="科普", help="The word to search for.")
    parser.add_argument("--explain", action="store_true", help="Print query plans.")
    args = parser.parse_args()
    runs = max(args.runs, 20)

    rows, notes = [], []
    for page in build_pages(args.campaign_slug, args.q):
        client = Client()
        client.force_login(page.user)

        def get(page=page, client=client):
            response = client.get(page.url)
            if response.status_code != 200:
                raise SystemExit(f"{page.url} answered {response.status_code}")
            return response

        page_ms = time_it(get, warmup=args.warmup, runs=runs)
        sql, params = bare_sql(page.rows())
        bare_ms = time_it(lambda sql=sql, params=params: run_bare(sql, params),
                          warmup=args.warmup, runs=runs)  # fmt: skip
        captured = QueryLog()
        with connection.execute_wrapper(captured):
            get()
        slowest = sorted(captured.queries, key=lambda q: -q[2])[:3]
        all_ms = time_it(lambda queries=captured.queries: replay(queries),
                         warmup=args.warmup, runs=runs)  # fmt: skip
        p95, bare95, all95 = (percentile(ms, 95) for ms in (page_ms, bare_ms, all_ms))
        rows.append(
            (page.label, statistics.median(page_ms), p95, bare95, p95 / bare95,
             statistics.median(all_ms), all95, p95 / all95)
        )  # fmt: skip
        notes.append((page, captured, slowest, sql, params))

    vendor = connection.vendor
    print(f"\n{vendor}, {runs} requests per page after {args.warmup} warm-up, DEBUG off\n")
    print(
        "| page | p50 ms | p95 ms | rows query p95 | × rows | page SQL p50 | page SQL p95 "
        "| × page SQL (p95) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, p50, p95, b95, ratio_rows, a50, a95, ratio in rows:
        flag = "" if p95 <= TARGET_MS and ratio <= TARGET_RATIO else " ✗"
        print(
            f"| {label} | {p50:.1f} | {p95:.1f} | {b95:.1f} | {ratio_rows:.1f}× "
            f"| {a50:.1f} | {a95:.1f} | {ratio:.1f}×{flag} |"
        )
    print(f"\n✗: misses p95 ≤ {TARGET_MS} ms or ≤ {TARGET_RATIO}× the page's bare SQL.")
    floor = layout_floor(get_user_model().objects.get(username=f"{args.campaign_slug}-admin"),
                         warmup=args.warmup, runs=runs)  # fmt: skip
    print(
        f"Framework floor, an empty logged-in page with the layout (middleware, session, "
        f"login, inbox badge, base.html): p50 {statistics.median(floor):.1f} ms, "
        f"p95 {percentile(floor, 95):.1f} ms.\n"
    )
    for page, captured, slowest, sql, params in notes:
        total = sum(ms for _sql, _params, ms in captured.queries)
        print(f"## {page.label}: {len(captured.queries)} queries, {total:.1f} ms of SQL; slowest:")
        for query_sql, _params, ms in slowest:
            print(f"  {ms:7.1f} ms  {query_sql[:150]}")
        if args.explain:
            print("  bare query plan:")
            print(explain(sql, params))
            for query_sql, query_params, _ms in slowest[:2]:
                if query_sql.lstrip().upper().startswith("SELECT"):
                    print(f"  plan of: {query_sql[:100]}")
                    print(explain(query_sql, query_params))
        print()


if __name__ == "__main__":
    run_pages(main)
