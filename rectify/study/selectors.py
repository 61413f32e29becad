"""Reads of the study stage: meetings in scope, who a rule invites, and coverage (学习覆盖率).

Coverage is counted per person: the sessions of a campaign a person was
present at, against what the campaign requires of their rank. A person
counts in the unit they belong to now, whatever unit organized the
sessions, so people who moved keep what they attended. Every figure is one
GROUP BY on the unit path cut at the child level (as the standing report
does), so a unit with three children or three thousand costs the same few
queries.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Substr

from rectify.campaigns.models import Campaign
from rectify.org.models import PATH_END, PATH_STEP, GuidanceGroup, Person, Rank, Unit
from rectify.org.scoping import can_see_unit_for_campaign, editable_by, visible_to

from .models import (
    Attendance,
    AttendanceStatus,
    InviteRule,
    Meeting,
    MeetingFile,
    StudyRequirement,
)

# Meetings ------------------------------------------------------------------------


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Live meetings the user may see, with what a list row shows."""
    meetings = Meeting.objects.select_related("campaign", "unit", "presider")
    return visible_to(meetings, user)


def deleted_meetings_editable_by(user) -> QuerySet[Meeting]:
    """Deleted meetings the user may restore."""
    meetings = Meeting.all_objects.deleted().select_related("campaign", "unit", "presider")
    return editable_by(meetings, user)


def files_visible_to(user) -> QuerySet[MeetingFile]:
    """Files of meetings the user may see, and of deleted meetings they may restore."""
    alive = visible_to(MeetingFile.objects.filter(meeting__deleted_at__isnull=True), user)
    deleted = editable_by(MeetingFile.objects.filter(meeting__deleted_at__isnull=False), user)
    return alive | deleted


def attendance_of(meeting: Meeting) -> QuerySet[Attendance]:
    """The invited people of ``meeting`` with their units, in unit order."""
    return (
        Attendance.objects.filter(meeting=meeting)
        .select_related("person", "person__unit")
        .order_by("person__unit__path", "person__name", "pk")
    )


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    """``{status: count}`` of the meeting's invited people (every status present), one query."""
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    rows = Attendance.objects.filter(meeting=meeting).order_by().values("status")
    for row in rows.annotate(n=Count("*")):
        counts[row["status"]] = row["n"]
    return counts


def attach_attendance_counts(meetings) -> None:
    """Set ``invited`` and ``present`` on each of ``meetings`` (a page), in one query."""
    ids = [meeting.pk for meeting in meetings]
    counts: dict[int, dict[str, int]] = {}
    if ids:
        rows = (
            Attendance.objects.filter(meeting__in=ids)
            .order_by()
            .values("meeting")
            .annotate(
                invited=Count("*"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))
            )
        )
        counts = {row.pop("meeting"): row for row in rows}
    for meeting in meetings:
        row = counts.get(meeting.pk, {})
        meeting.invited, meeting.present = row.get("invited", 0), row.get("present", 0)


def meeting_history(meeting: Meeting) -> list[dict]:
    """The meeting's changes, newest first: when, who, why, and which fields changed."""
    records = list(
        meeting.history.select_related("history_user", "history_user__person").order_by(
            "-history_date", "-history_id"
        )
    )
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changed = []
        if previous is not None:
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            changed = [
                Meeting._meta.get_field(change.field).verbose_name
                for change in delta.changes
                if change.field != "version"
            ]
            if previous.deleted_at != record.deleted_at:
                changed.append(Meeting._meta.get_field("deleted_at").verbose_name)
        user = record.history_user
        entries.append(
            {
                "when": record.history_date,
                "who": (getattr(user, "person", None) or user) if user else "",
                "reason": record.history_change_reason or "",
                "created": record.history_type == "+",
                "changed": changed,
            }
        )
    return entries


# Who is invited ------------------------------------------------------------------


def key_group_q(prefix: str = "") -> Q:
    """The key group (重点): leading cadres at county level and above, leadership-group members."""
    return Q(**{f"{prefix}rank": Rank.COUNTY_LEVEL_AND_ABOVE}) | Q(
        **{f"{prefix}is_leadership_member": True}
    )


def people_of_subtree(unit: Unit) -> QuerySet[Person]:
    """Live people whose unit (live) lies in ``unit``'s subtree: a range on the unit path."""
    return Person.objects.filter(
        unit__path__gte=unit.path,
        unit__path__lt=unit.path + PATH_END,
        unit__deleted_at__isnull=True,
    )


def invitees_by_rule(
    rule: str, *, unit: Unit | None = None, group: GuidanceGroup | None = None
) -> QuerySet[Person]:
    """The people ``rule`` picks: in ``unit``'s subtree, or ``group``'s leader and members."""
    if rule == InviteRule.GUIDANCE_GROUP:
        members = Q(guidance_groups=group)
        if group.leader_id:
            members |= Q(pk=group.leader_id)
        return Person.objects.filter(pk__in=Person.objects.filter(members).values("pk"))
    people = people_of_subtree(unit)
    if rule == InviteRule.KEY_GROUP:
        return people.filter(key_group_q())
    if rule == InviteRule.LEADERSHIP:
        return people.filter(is_leadership_member=True)
    if rule == InviteRule.SUBTREE:
        return people
    raise ValueError(f"unknown invitation rule {rule!r}")


def signin_pool(meeting: Meeting) -> QuerySet[Person]:
    """Whom a sign-in sheet of ``meeting`` may name: its invited people and the people of the
    organizing unit's subtree."""
    invited = Attendance.objects.filter(meeting=meeting).values("person")
    in_subtree = Q(
        unit__path__gte=meeting.unit.path,
        unit__path__lt=meeting.unit.path + PATH_END,
        unit__deleted_at__isnull=True,
    )
    return Person.objects.filter(Q(pk__in=invited) | in_subtree).select_related("unit")


def guidance_groups_of(campaign: Campaign) -> QuerySet[GuidanceGroup]:
    """Live guidance groups assigned on ``campaign``."""
    return GuidanceGroup.objects.filter(assignments__campaign=campaign).distinct().order_by("name")


# Coverage ------------------------------------------------------------------------


def requirement_of(campaign: Campaign) -> StudyRequirement:
    """The campaign's study requirement, or the default (one session each) when none is set."""
    return StudyRequirement.objects.filter(campaign=campaign).first() or StudyRequirement(
        campaign=campaign
    )


def required_sessions(requirement: StudyRequirement):
    """The sessions a person must attend, as an SQL expression of the person's rank."""
    default = requirement.default_sessions
    whens = [
        When(rank=rank, then=Value(sessions))
        for rank, sessions in requirement.by_rank().items()
        if sessions != default
    ]
    if not whens:
        return Value(default, output_field=IntegerField())
    return Case(*whens, default=Value(default), output_field=IntegerField())


def _present(campaign: Campaign) -> QuerySet[Attendance]:
    """Attendance that counts: present, at a live meeting of ``campaign`` that counts.

    The meeting is joined, not listed in a subquery: SQLite then reads each
    person's entries of the attendance index and looks their meeting up,
    instead of probing the index once per meeting of the campaign.
    """
    return Attendance.objects.filter(
        status=AttendanceStatus.PRESENT,
        meeting__campaign=campaign,
        meeting__counts_for_coverage=True,
        meeting__deleted_at__isnull=True,
    )


class _CappedCount(Subquery):
    """The number of rows of a sliced subquery: a count that stops at the slice's end.

    Coverage only asks whether a person reached the sessions required, so
    each person's count reads at most that many index entries, not all of
    their sessions (a million rows at the root).
    """

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()


def sessions_reached(requirement: StudyRequirement) -> _CappedCount:
    """A person's counted sessions, up to the most any rank requires (correlated on ``pk``)."""
    cap = max(1, *requirement.by_rank().values())
    rows = _present(requirement.campaign).filter(person=OuterRef("pk")).order_by().values("pk")
    return _CappedCount(rows[:cap])


@dataclass
class CoverageRow:
    """How many people of a unit (with its subtree, or ``own``: the unit's own people) reached
    the required sessions, for everyone and for the key group."""

    unit: Unit | None
    own: bool = False
    total: int = 0
    covered: int = 0
    key_total: int = 0
    key_covered: int = 0

    @staticmethod
    def _percent(part: int, whole: int) -> str:
        return "—" if not whole else f"{part * 100 / whole:.1f}%"

    @property
    def percent(self) -> str:
        """The share of everyone covered, as printed ("66.7%"), or a dash."""
        return self._percent(self.covered, self.total)

    @property
    def key_percent(self) -> str:
        """The share of the key group covered, as printed, or a dash."""
        return self._percent(self.key_covered, self.key_total)

    @property
    def uncovered(self) -> int:
        """People short of their sessions."""
        return self.total - self.covered

    def add(self, other: "CoverageRow") -> None:
        """Add ``other``'s figures to this row (for the total)."""
        self.total += other.total
        self.covered += other.covered
        self.key_total += other.key_total
        self.key_covered += other.key_covered


@dataclass
class Coverage:
    """Study coverage of ``campaign`` in ``unit``'s subtree: a row per child and the total."""

    campaign: Campaign
    unit: Unit
    requirement: StudyRequirement
    rows: list[CoverageRow]
    total: CoverageRow = field(default_factory=lambda: CoverageRow(unit=None))


def _grouped_coverage(unit: Unit, requirement: StudyRequirement) -> dict[str, tuple]:
    """``{path key: (total, covered, key total, key covered)}`` in one GROUP BY.

    Each person's capped session count is compared to their rank's
    requirement; the key-group test comes first in each filter, so the
    database evaluates the count a second time only for the key group.
    """
    cut = len(unit.path) + PATH_STEP
    rows = (
        _people_counted(unit, requirement)
        .annotate(key=Substr("unit__path", 1, cut))
        .values("key")
        .annotate(**_coverage_counts())
    )
    return {
        row["key"]: (row["total"], row["covered"], row["key_total"], row["key_covered"])
        for row in rows
    }


def _people_counted(unit: Unit, requirement: StudyRequirement) -> QuerySet[Person]:
    """The people of ``unit``'s subtree with their ``sessions`` and ``required`` sessions."""
    return (
        people_of_subtree(unit)
        .annotate(sessions=sessions_reached(requirement), required=required_sessions(requirement))
        .order_by()
    )


def _coverage_counts() -> dict:
    """The counts of a coverage row, as aggregates over :func:`_people_counted`."""
    reached = Q(sessions__gte=F("required"))
    return {
        "total": Count("*"),
        "covered": Count("pk", filter=reached),
        "key_total": Count("pk", filter=key_group_q()),
        "key_covered": Count("pk", filter=key_group_q() & reached),
    }


def coverage_total(user, campaign: Campaign, unit: Unit) -> CoverageRow:
    """The coverage of ``campaign`` over ``unit``'s whole subtree, in one aggregate (the
    total row of :func:`coverage_of`, without the rows of the children)."""
    if not can_see_unit_for_campaign(user, unit, campaign.pk):
        raise PermissionDenied
    counts = _people_counted(unit, requirement_of(campaign)).aggregate(**_coverage_counts())
    return CoverageRow(unit=unit, **counts)


def coverage_of(user, campaign: Campaign, unit: Unit) -> Coverage:
    """Coverage of ``campaign`` in ``unit``'s subtree: the unit's own people, then each child.

    Scope is checked once, on the unit and the campaign (scopes are
    subtrees), as the standing report does; a unit the user may not see is
    refused with :class:`PermissionDenied`.
    """
    if not can_see_unit_for_campaign(user, unit, campaign.pk):
        raise PermissionDenied
    requirement = requirement_of(campaign)
    figures = _grouped_coverage(unit, requirement)
    children = Unit.objects.filter(parent=unit).order_by("order", "path")
    rows = []
    for member in [unit, *children]:
        total, covered, key_total, key_covered = figures.get(member.path, (0, 0, 0, 0))
        rows.append(
            CoverageRow(
                unit=member,
                own=member is unit,
                total=total,
                covered=covered,
                key_total=key_total,
                key_covered=key_covered,
            )
        )
    coverage = Coverage(campaign=campaign, unit=unit, requirement=requirement, rows=rows)
    for row in rows:
        coverage.total.add(row)
    return coverage


def uncovered_people(coverage: Coverage, *, key_only: bool = False) -> QuerySet[Person]:
    """People of the coverage's subtree short of their sessions, in unit order.

    Each carries ``sessions`` (counted so far) and ``required``. The count of
    the list is known from the coverage figures, so callers page it without
    counting it again.
    """
    people = people_of_subtree(coverage.unit)
    if key_only:
        people = people.filter(key_group_q())
    return (
        people.annotate(
            sessions=sessions_reached(coverage.requirement),
            required=required_sessions(coverage.requirement),
        )
        .filter(sessions__lt=F("required"))
        .select_related("unit")
        .order_by("unit__path", "name", "pk")
    )
