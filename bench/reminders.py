"""Time one full reminder run (dry run: nothing written, nothing sent) and count its queries.

Fill a database first, then run this script against it::

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3
    .venv/bin/rectify migrate
    .venv/bin/rectify generate_ledger --units 20000 --measures 1000000 --seed 1
    .venv/bin/python bench/reminders.py

The generated ledger gives three people a login; a reminder run costs what
its recipients cost, so unless ``--as-is`` is given the script first makes
the ledger look like an organization that uses reminders: every person gets
a login, each county's person administers and leads the county, a guidance
group of five supervises a tenth of the counties, a thousand red measures
are urged and five hundred were sent back. All of that is written inside a
transaction that is rolled back at the end: the database is left as it was.

Measured in the same run, after a warm-up:

- the run: :func:`run_reminders` with ``dry_run=True`` — it reads everything
  a real run reads (measures, counts, grants, contacts, what the day already
  holds) and writes nothing; its wall time (median and max of ``--runs``) and
  its queries;
- the floor: the bare SQL of the run's main collection query (every yellow
  and red measure with its responsible persons' logins) with
  ``cursor.execute`` and no ORM; and, for scale, every query of the run
  replayed the same way ("run SQL");
- the same run with nine in ten of those logins switched off: the query count
  must not move when the recipients do.

``--real`` adds one real run at the end (everyone with an email address,
sent to Django's in-memory mail backend): its time and queries, its writes
batched. It is rolled back with the rest.

Target: under 60 s on SQLite at a million measures, queries not growing with
recipients.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import CharField, Value  # noqa: E402
from django.db.models.functions import Cast, Concat  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from rectify.campaigns.models import Campaign, GuidanceAssignment  # noqa: E402
from rectify.ledger.lights import Light, light_q  # noqa: E402
from rectify.ledger.models import (  # noqa: E402
    Measure,
    MeasureStatus,
    Review,
    ReviewAction,
    Urge,
)
from rectify.notify.reminders import reminder_rows, run_reminders  # noqa: E402
from rectify.org.models import GuidanceGroup, Person, Role, RoleGrant, Unit  # noqa: E402

TARGET_S = 60
PREFIX = "bench-reminders-"


class Rollback(Exception):
    """Raised at the end to undo the set-up."""


class QueryLog:
    """An execute wrapper that keeps ``(sql, params)`` of every query."""

    def __init__(self):
        self.queries: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.queries.append((sql, params))
        return execute(sql, params, many, context)


def replay(queries) -> None:
    """Run each SELECT with ``cursor.execute`` and fetch every row."""
    with connection.cursor() as cursor:
        for sql, params in queries:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(sql, params)
                cursor.fetchall()


def seconds(call, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def set_up_recipients(campaign_slug: str) -> dict:
    """Logins for everyone, county administrators and leaders, a guidance group, urges."""
    User = get_user_model()
    started = time.perf_counter()
    people = list(Person.objects.filter(user__isnull=True).values_list("pk", flat=True))
    User.objects.bulk_create(
        [User(username=f"{PREFIX}{pk}", password="!", is_active=True) for pk in people],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Person._meta.db_table} SET user_id = (SELECT u.id FROM "
            f"{User._meta.db_table} u WHERE u.username = %s || {Person._meta.db_table}.id) "
            "WHERE user_id IS NULL",
            [PREFIX],
        )
    counties = list(Unit.objects.filter(depth=1).order_by("path"))
    heads = dict(
        Person.objects.filter(unit__in=counties, is_leadership_member=True).values_list(
            "unit_id", "user_id"
        )
    )
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user_id=heads[county.pk], unit=county, role=role)
            for county in counties
            if county.pk in heads
            for role in (Role.UNIT_ADMIN, Role.LEADER)
        ],
        ignore_conflicts=True,
    )
    campaign = Campaign.objects.get(slug=campaign_slug)
    root = Unit.objects.get(depth=0, pk=campaign.organizer_id)
    members = list(Person.objects.filter(unit=root).exclude(user=None)[:1]) + list(
        Person.objects.filter(unit__in=counties[:5])
    )
    group = GuidanceGroup.objects.create(name="基准巡回指导组", home_unit=root)
    group.members.set(members)
    assignment = GuidanceAssignment.objects.create(campaign=campaign, group=group)
    assignment.units.set(counties[: max(1, len(counties) // 10)])
    red = list(Measure.objects.filter(light_q(Light.RED)).values_list("pk", flat=True)[:1500])
    now = timezone.now()
    Urge.objects.bulk_create(
        [Urge(measure_id=pk, message="请抓紧", created_at=now) for pk in red[:1000]]
    )
    Review.objects.bulk_create(
        [
            Review(
                measure_id=pk,
                action=ReviewAction.SEND_BACK,
                from_status=MeasureStatus.COMPLETED,
                to_status=MeasureStatus.IN_PROGRESS,
                text="佐证不足",
            )
            for pk in red[1000:1500]
        ]
    )
    with connection.cursor() as cursor:
        for model in (User, Person, RoleGrant, Urge, Review):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return {
        "logins added": len(people),
        "grants": RoleGrant.objects.count(),
        "guided counties": assignment.units.count(),
        "urges": len(red[:1000]),
        "send-backs": len(red[1000:1500]),
        "set-up seconds": round(time.perf_counter() - started, 1),
    }


def measure(runs: int) -> dict:
    """The run (warmed up), its queries, and the floor, in this state of the database."""
    run_reminders(dry_run=True)  # warm-up: the page cache, not the planner, is what warms
    reports = []
    run_s = seconds(lambda: reports.append(run_reminders(dry_run=True)), runs)
    log = QueryLog()
    with connection.execute_wrapper(log):
        report = run_reminders(dry_run=True)
    sql, params = reminder_rows(timezone.localdate()).query.sql_with_params()
    floor_s = seconds(lambda: replay([(sql, params)]), runs)
    all_sql_s = seconds(lambda: replay(log.queries), runs)
    return {
        "report": report,
        "run": run_s,
        "floor": floor_s,
        "run SQL": all_sql_s,
        "queries": len(log.queries),
        "rows": sum(1 for _ in reminder_rows(timezone.localdate()).iterator()),
    }


def fmt(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} s (max {max(samples):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaign-slug", default="generated")
    parser.add_argument("--runs", type=int, default=3, help="Timed runs of each measurement.")
    parser.add_argument(
        "--as-is", action="store_true", help="Measure the database as it is (no added logins)."
    )
    parser.add_argument(
        "--real",
        action="store_true",
        help="Also time one real run (written, emails to memory), rolled back with the rest.",
    )
    args = parser.parse_args()
    measures = Measure.objects.count()
    print(f"\n{connection.vendor}, {measures:,} measures, {Unit.objects.count():,} units")
    try:
        with transaction.atomic():
            setup = {} if args.as_is else set_up_recipients(args.campaign_slug)
            for label, value in setup.items():
                print(f"  {label}: {value:,}" if isinstance(value, int) else f"  {label}: {value}")
            full = measure(args.runs)
            # Nine in ten of the added logins switched off: fewer recipients, same queries.
            User = get_user_model()
            switched_off = 0
            if not args.as_is:
                ids = list(
                    User.objects.filter(username__startswith=PREFIX)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                off = [pk for i, pk in enumerate(ids) if i % 10]
                for start in range(0, len(off), 5000):
                    User.objects.filter(pk__in=off[start : start + 5000]).update(is_active=False)
                switched_off = len(off)
            tenth = measure(1)
            real = None
            if args.real and not args.as_is:
                # Everyone back on, with an address: one real run writes and "sends" it all.
                User.objects.filter(username__startswith=PREFIX).update(is_active=True)
                Person.objects.filter(user__username__startswith=PREFIX).update(
                    email=Concat(Value("p"), Cast("pk", CharField()), Value("@example.org"))
                )
                log = QueryLog()
                backend = "django.core.mail.backends.locmem.EmailBackend"
                with override_settings(EMAIL_BACKEND=backend), connection.execute_wrapper(log):
                    start = time.perf_counter()
                    real_report = run_reminders()
                    real = (time.perf_counter() - start, len(log.queries), real_report)
            raise Rollback
    except Rollback:
        pass

    report = full["report"]
    floor = statistics.median(full["floor"])
    run = statistics.median(full["run"])
    print(f"\n{args.runs} dry runs after a warm-up; the set-up above is rolled back.\n")
    print("| measurement | time | queries | recipients | reminders | digests |")
    print("|---|---:|---:|---:|---:|---:|")
    flag = "" if max(full["run"]) <= TARGET_S else " ✗"
    print(
        f"| full dry run | {fmt(full['run'])}{flag} | {full['queries']} | "
        f"{report.recipients:,} | {report.reminders:,} | {report.digests:,} |"
    )
    print(f"| its SQL replayed (no ORM, no Python grouping) | {fmt(full['run SQL'])} | | | | |")
    print(
        f"| floor: bare main collection query ({full['rows']:,} rows) | {fmt(full['floor'])} "
        "| 1 | | | |"
    )
    small = tenth["report"]
    print(
        f"| dry run, {switched_off:,} logins switched off | {fmt(tenth['run'])} | "
        f"{tenth['queries']} | {small.recipients:,} | {small.reminders:,} | {small.digests:,} |"
    )
    print(f"\nrun / floor: {run / floor:.1f}×; target: < {TARGET_S} s (✗ marks a miss).")
    if real is not None:
        took, queries, done = real
        print(
            f"\nOne real run (writes, sends {done.sent:,} emails to the local memory backend): "
            f"{took:.2f} s, {queries} queries, {done.notifications:,} notifications, "
            f"{done.deliveries:,} deliveries (rolled back)."
        )
    same = "same" if tenth["queries"] == full["queries"] else "DIFFERENT"
    print(
        f"Queries with all recipients vs a tenth: {full['queries']} vs {tenth['queries']} ({same})."
    )


if __name__ == "__main__":
    with override_settings(DEBUG=False):
        main()
