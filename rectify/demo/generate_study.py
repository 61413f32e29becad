"""Study meetings and about a million attendance rows over a generated ledger, for benchmarks.

``generate_ledger`` puts one person in each unit, so a million
person-attendance rows need many meetings: each county of the generated tree
holds sessions that invite most of its people, and the root holds a few for
the key group. A tenth of the people never attend anything, so that coverage
is partial and the list of people not yet covered is never empty. The same
seed gives the same rows.

Rows are written with explicit ids in chunks, one transaction each, with
their history (django-simple-history's ``bulk_create_with_history``), as
``generate_ledger`` writes the ledger.
"""

import datetime as dt
import random
from collections import defaultdict

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from rectify.campaigns.models import Campaign
from rectify.org.models import PATH_END, PATH_STEP, Person, Unit
from rectify.study.models import Attendance, AttendanceStatus, Meeting, MeetingKind

#: Attendance rows written per transaction.
CHUNK = 50_000
BATCH_SIZE = 2_000
REASON = "generate_attendance"
#: Share of people who never attend (so that coverage is partial).
NEVER_ATTEND = 0.10
#: Every this many county meetings, the root holds one for the key group.
KEY_GROUP_EVERY = 50

_TITLES = {
    MeetingKind.CONCENTRATED: "集中学习",
    MeetingKind.PARTY_LECTURE: "专题党课",
    MeetingKind.SEMINAR: "专题研讨交流",
    MeetingKind.READING: "读书班",
    MeetingKind.WORKING: "主题教育推进会",
}
_LEAVE_REASONS = ("出差", "病假", "下乡开展科普活动", "参加上级培训", "事假")


def _groups(campaign: Campaign) -> tuple[dict[str, list[int]], list[int], dict[str, int]]:
    """``(people by county path, key-group people, county unit id by path)`` of the campaign.

    A county is a unit one level below a participating root; the root's own
    people and the heads of counties (leadership members) form the key group.
    """
    people: dict[str, list[int]] = defaultdict(list)
    key: list[int] = []
    counties: dict[str, int] = {}
    for root in campaign.participating_units.all():
        cut = len(root.path) + PATH_STEP
        for unit_id, path in Unit.objects.filter(parent=root).values_list("pk", "path"):
            counties[path] = unit_id
        rows = Person.objects.filter(
            unit__path__gte=root.path, unit__path__lt=root.path + PATH_END
        ).values_list("pk", "unit__path", "is_leadership_member", "rank")
        for pk, path, leader, rank in rows.order_by("pk"):
            if len(path) >= cut:
                people[path[:cut]].append(pk)
            if leader or rank == "county_up":
                key.append(pk)
    return people, key, counties


def _status(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.85:
        return AttendanceStatus.PRESENT, ""
    if roll < 0.93:
        return AttendanceStatus.LEAVE, rng.choice(_LEAVE_REASONS)
    return AttendanceStatus.ABSENT, ""


def generate_attendance(
    *, campaign: Campaign, rows: int, seed: int, acting_user=None, stdout=None
) -> dict[str, int]:
    """Write meetings of ``campaign`` and about ``rows`` attendance rows; returns the counts."""
    rng = random.Random(seed)
    people, key, counties = _groups(campaign)
    never = set(rng.sample(sorted(p for ps in people.values() for p in ps),
                           int(NEVER_ATTEND * sum(map(len, people.values())))))  # fmt: skip
    attending = {path: [p for p in ps if p not in never] for path, ps in people.items()}
    attending = {path: ps for path, ps in attending.items() if ps}
    if not attending:
        raise ValueError("The campaign's units have no people to invite.")
    root = campaign.participating_units.order_by("path").first()
    start = campaign.start_date
    days = max(1, (timezone.localdate() - start).days)
    meeting_id = (Meeting.all_objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    row_id = (Attendance.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    paths = sorted(attending)
    now = timezone.now()
    meetings: list[Meeting] = []
    pending: list[Attendance] = []
    written = 0

    def flush() -> None:
        nonlocal written
        with transaction.atomic():
            bulk_create_with_history(
                meetings, Meeting, batch_size=BATCH_SIZE, default_user=acting_user,
                default_change_reason=REASON,
            )  # fmt: skip
            bulk_create_with_history(
                pending, Attendance, batch_size=BATCH_SIZE, default_user=acting_user,
                default_change_reason=REASON,
            )  # fmt: skip
        written += len(pending)
        meetings.clear()
        pending.clear()
        if stdout is not None:
            stdout.write(f"  {written:,} of {rows:,} attendance rows")

    made = 0
    while written + len(pending) < rows:
        if made % KEY_GROUP_EVERY == KEY_GROUP_EVERY - 1 and key:
            unit_id, invited = root.pk, key
        else:
            path = paths[made % len(paths)]
            everyone = attending[path]
            share = rng.uniform(0.6, 1.0)
            unit_id, invited = (
                counties[path],
                rng.sample(everyone, max(1, int(share * len(everyone)))),
            )
        kind = rng.choice(list(_TITLES))
        when = dt.datetime.combine(start + dt.timedelta(days=rng.randrange(days)), dt.time(9))
        meetings.append(
            Meeting(
                id=meeting_id,
                campaign_id=campaign.pk,
                unit_id=unit_id,
                kind=kind,
                title=f"{_TITLES[kind]}（第{made + 1}次）",
                starts_at=timezone.make_aware(when),
                created_at=now,
            )
        )
        for person in invited[: rows - written - len(pending)]:
            status, reason = _status(rng)
            pending.append(
                Attendance(
                    id=row_id,
                    meeting_id=meeting_id,
                    person_id=person,
                    status=status,
                    reason=reason,
                    created_at=now,
                )
            )
            row_id += 1
        meeting_id += 1
        made += 1
        if len(pending) >= CHUNK:
            flush()
    if pending or meetings:
        flush()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Meeting, Attendance]):
            cursor.execute(sql)
        cursor.execute("ANALYZE")
    return {"meetings": made, "attendance rows": written}
