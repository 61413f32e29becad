"""What the page benchmarks share: timing calls, percentiles, and replaying a page's SQL.

Imported by the scripts beside it (``python bench/<script>.py`` puts this
folder on the import path) after Django is set up.
"""

import statistics
import time
from collections.abc import Callable

from django.db import connection

#: ``(sql, params, ms)`` of one query a page ran.
Query = tuple[str, object, float]


class QueryLog:
    """An execute wrapper that keeps ``(sql, params, ms)`` of every query."""

    def __init__(self):
        self.queries: list[Query] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - start) * 1000))


def percentile(samples: list[float], p: int) -> float:
    """The ``p``-th percentile (inclusive method) of ``samples``."""
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def time_it(call: Callable[[], object], *, warmup: int, runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def replay(queries: list[Query]) -> None:
    """Run a page's read queries again in order, fetching every row (no ORM)."""
    with connection.cursor() as cursor:
        for sql, params, _ms in queries:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(sql, params)
                cursor.fetchall()


def explain(sql: str, params) -> str:
    """The database's plan of ``sql``, indented for the report."""
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join("    " + " | ".join(str(c) for c in row) for row in cursor.fetchall())


def layout_floor(user, *, warmup: int, runs: int) -> list[float]:
    """Milliseconds of an empty logged-in page with the layout (``floor_urls``), as ``user``:
    what every page pays before its own work."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return time_it(lambda: client.get("/bench/empty/"), warmup=warmup, runs=runs)


def run_pages(main: Callable[[], None]) -> None:
    """Run ``main`` as a server would serve its pages: DEBUG off (no query text kept), the
    test client's host allowed, static files uncollected (and WhiteNoise not told so), and
    the project's URLs with the empty page of :func:`layout_floor` beside them."""
    import warnings

    from django.conf import settings
    from django.test.utils import override_settings

    warnings.filterwarnings("ignore", message="No directory at")
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        ROOT_URLCONF="floor_urls",
        DEBUG=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
    ):
        main()
