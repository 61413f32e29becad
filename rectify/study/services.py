"""Every write of the study stage: meetings, their files, invitations, attendance, requirements.

Views, the sign-in sheet import and the demo call these; each write is one
transaction and records who acted (and why) in the history.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from rectify.campaigns.models import Campaign
from rectify.core.services import (
    attribute_history,
    claim_version,
    history_reason,
    restore,
    soft_delete,
)
from rectify.core.uploads import store_uploads, validate_evidence_files
from rectify.org.models import GuidanceGroup, Person, Rank, Unit
from rectify.org.scoping import can_change_unit, units_visible_to

from .models import (
    MAX_REQUIRED_SESSIONS,
    REASON_MAX_LENGTH,
    Attendance,
    AttendanceStatus,
    InviteRule,
    Meeting,
    MeetingFile,
    StudyRequirement,
)
from .selectors import invitees_by_rule, signin_pool

MEETING_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "place",
    "presider",
    "topics",
    "minutes",
    "counts_for_coverage",
)
#: Rows written per statement by the bulk invitation and sign-in writes.
BATCH_SIZE = 1000


def _require_editor(user, unit: Unit) -> None:
    if not can_change_unit(user, unit):
        raise PermissionDenied(_("You may not change the meetings of “%(unit)s”.") % {"unit": unit})


def _acting(user):
    """The user to record in history (``None`` for commands without a login)."""
    return user if getattr(user, "pk", None) else None


def _validate_meeting(meeting: Meeting) -> None:
    errors = {}
    if not meeting.campaign.includes_unit(meeting.unit):
        errors["unit"] = _("This unit does not take part in the campaign.")
    if errors:
        raise ValidationError(errors)
    meeting.full_clean(exclude=["speakers"])


def _attach(meeting: Meeting, files: Sequence[UploadedFile]) -> None:
    """Store ``files`` on ``meeting``; last in the transaction, so a failure leaves nothing."""
    store_uploads(files, lambda **facts: MeetingFile(meeting=meeting, **facts))


@transaction.atomic
def meeting_create(
    *,
    campaign: Campaign,
    unit: Unit,
    title: str,
    starts_at: dt.datetime,
    kind: str = "other",
    place: str = "",
    presider: Person | None = None,
    speakers: Sequence[Person] = (),
    topics: str = "",
    minutes: str = "",
    counts_for_coverage: bool = True,
    files: Sequence[UploadedFile] = (),
    acting_user,
    reason: str = "",
) -> Meeting:
    """Record a meeting or study session that ``unit`` organized in ``campaign``."""
    _require_editor(acting_user, unit)
    validate_evidence_files(files)
    meeting = Meeting(
        campaign=campaign,
        unit=unit,
        kind=kind,
        title=title,
        starts_at=starts_at,
        place=place,
        presider=presider,
        topics=topics,
        minutes=minutes,
        counts_for_coverage=counts_for_coverage,
        created_by=_acting(acting_user),
    )
    _validate_meeting(meeting)
    attribute_history(meeting, acting_user=acting_user, reason=reason)
    meeting.save()
    meeting.speakers.set(speakers)
    _attach(meeting, files)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    expected_version: int,
    acting_user,
    reason: str = "",
    speakers: Sequence[Person] | None = None,
    files: Sequence[UploadedFile] = (),
    **fields,
) -> Meeting:
    """Change a meeting and add files; refused if someone saved it since ``expected_version``."""
    _require_editor(acting_user, meeting.unit)
    if meeting.is_deleted:
        raise ValidationError(_("A deleted meeting cannot be changed; restore it first."))
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"meeting_update cannot change {sorted(unknown)}")
    validate_evidence_files(files)
    for name, value in fields.items():
        setattr(meeting, name, value)
    _validate_meeting(meeting)
    claim_version(meeting, expected_version=expected_version)
    attribute_history(meeting, acting_user=acting_user, reason=reason)
    meeting.save()
    if speakers is not None:
        meeting.speakers.set(speakers)
    _attach(meeting, files)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, acting_user, reason: str = "") -> None:
    """Soft-delete a meeting: its attendance stops counting until it is restored."""
    _require_editor(acting_user, meeting.unit)
    if meeting.is_deleted:
        return
    claim_version(meeting, expected_version=None)
    soft_delete(meeting, acting_user=acting_user, reason=reason)


@transaction.atomic
def meeting_restore(*, meeting: Meeting, acting_user, reason: str = "") -> None:
    """Bring back a deleted meeting with its attendance."""
    _require_editor(acting_user, meeting.unit)
    if not meeting.is_deleted:
        return
    claim_version(meeting, expected_version=None)
    restore(meeting, acting_user=acting_user, reason=reason)


# Invitations ---------------------------------------------------------------------


def _require_open(meeting: Meeting) -> None:
    if meeting.is_deleted:
        raise ValidationError(_("The meeting was deleted; restore it first."))


def _invite(meeting: Meeting, persons: QuerySet[Person], acting_user, reason: str) -> int:
    """Invite ``persons`` not yet invited; returns how many were added."""
    already = Attendance.objects.filter(meeting=meeting).values("person")
    new = persons.exclude(pk__in=already).order_by().values_list("pk", flat=True).distinct()
    rows = [Attendance(meeting=meeting, person_id=pk) for pk in new]
    bulk_create_with_history(
        rows,
        Attendance,
        batch_size=BATCH_SIZE,
        default_user=_acting(acting_user),
        default_change_reason=history_reason(reason),
    )
    return len(rows)


@transaction.atomic
def attendance_invite(
    *, meeting: Meeting, persons: Iterable[Person], acting_user, reason: str = ""
) -> int:
    """Invite ``persons`` (chosen by hand); those already invited are left as they are."""
    _require_editor(acting_user, meeting.unit)
    _require_open(meeting)
    pks = [person.pk for person in persons]
    chosen = Person.objects.filter(pk__in=pks)
    if chosen.count() != len(set(pks)):
        raise ValidationError({"persons": _("A deleted person cannot be invited.")})
    return _invite(meeting, chosen, acting_user, reason or _("Invited by hand"))


@transaction.atomic
def attendance_invite_by_rule(
    *,
    meeting: Meeting,
    rule: str,
    unit: Unit | None = None,
    group: GuidanceGroup | None = None,
    acting_user,
) -> int:
    """Invite everyone ``rule`` picks in ``unit``'s subtree (or ``group``); idempotent.

    The subtree must be one the user may see; a guidance group must be
    assigned on the meeting's campaign.
    """
    _require_editor(acting_user, meeting.unit)
    _require_open(meeting)
    if rule == InviteRule.GUIDANCE_GROUP:
        if (
            group is None
            or group.is_deleted
            or not group.assignments.filter(campaign=meeting.campaign_id).exists()
        ):
            raise ValidationError(
                {"group": _("Choose a guidance group assigned on this meeting's campaign.")}
            )
    elif unit is None or not units_visible_to(acting_user).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose a unit you can see.")})
    persons = invitees_by_rule(rule, unit=unit, group=group)
    label = InviteRule(rule).label
    reason = _("Invited: %(rule)s") % {"rule": label}
    if unit is not None and rule != InviteRule.GUIDANCE_GROUP:
        reason += f" · {unit}"
    return _invite(meeting, persons, acting_user, reason)


# Attendance ----------------------------------------------------------------------


def _check_mark(status: str, reason: str, who: str) -> str:
    """``reason`` cleaned for ``status``; refuses leave without a reason."""
    if status not in AttendanceStatus.values:
        raise ValidationError(_("%(who)s: unknown attendance status.") % {"who": who})
    reason = (reason or "").strip()
    if status != AttendanceStatus.LEAVE:
        return ""
    if not reason:
        raise ValidationError(
            _("%(who)s: leave needs a reason (请假事由).") % {"who": who}, code="reason"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("%(who)s: the reason is longer than %(n)s characters.")
            % {"who": who, "n": REASON_MAX_LENGTH}
        )
    return reason


@dataclass(frozen=True)
class Mark:
    """One person's attendance as a form or a sheet states it."""

    attendance_id: int
    status: str
    reason: str = ""
    version: int | None = None


@transaction.atomic
def attendance_mark(*, meeting: Meeting, marks: Sequence[Mark], acting_user) -> int:
    """Mark invited people present, on leave (with a reason) or absent; all or nothing.

    Each mark carries the version its form showed: a row someone else changed
    since is refused, like any stale edit. Returns how many rows changed.
    """
    _require_editor(acting_user, meeting.unit)
    _require_open(meeting)
    rows = Attendance.objects.filter(meeting=meeting, pk__in=[m.attendance_id for m in marks])
    by_pk = {row.pk: row for row in rows.select_related("person")}
    errors, changed = [], 0
    for mark in marks:
        row = by_pk.get(mark.attendance_id)
        if row is None:
            errors.append(_("A marked person is not invited to this meeting."))
            continue
        try:
            reason = _check_mark(mark.status, mark.reason, row.person.name)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if (row.status, row.reason) == (mark.status, reason):
            continue
        try:
            claim_version(row, expected_version=mark.version)
        except ValidationError:
            errors.append(
                _("%(who)s was marked by someone else meanwhile.") % {"who": row.person.name}
            )
            continue
        row.status, row.reason = mark.status, reason
        attribute_history(row, acting_user=acting_user, reason=_("Attendance marked"))
        row.save()
        changed += 1
    if errors:
        raise ValidationError(errors)
    return changed


@transaction.atomic
def attendance_mark_rest_absent(*, meeting: Meeting, acting_user) -> int:
    """Mark everyone still unmarked as absent (after the sign-in sheet was taken)."""
    _require_editor(acting_user, meeting.unit)
    _require_open(meeting)
    rows = list(Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.INVITED))
    for row in rows:
        row.status = AttendanceStatus.ABSENT
        row.version += 1
    bulk_update_with_history(
        rows,
        Attendance,
        ["status", "version", "updated_at"],
        batch_size=BATCH_SIZE,
        default_user=_acting(acting_user),
        default_change_reason=_("Not on the sign-in sheet: absent"),
    )
    return len(rows)


@dataclass(frozen=True)
class SigninChoice:
    """A line of a sign-in sheet as the user confirmed it (``person_id`` None: ignored)."""

    row: int
    name: str
    person_id: int | None
    status: str = AttendanceStatus.PRESENT
    reason: str = ""


@dataclass
class SigninOutcome:
    """What a sign-in sheet changed."""

    invited: int = 0
    marked: int = 0
    ignored: int = 0


@transaction.atomic
def attendance_record_signin(
    *, meeting: Meeting, choices: Sequence[SigninChoice], acting_user, source: str = ""
) -> SigninOutcome:
    """Record a sign-in sheet: each chosen person marked (and invited if they were not).

    People must be invited already or belong to the organizing unit's
    subtree. Every line is checked before anything is written; one bad line
    refuses the whole sheet.
    """
    _require_editor(acting_user, meeting.unit)
    _require_open(meeting)
    outcome = SigninOutcome()
    chosen = [c for c in choices if c.person_id is not None]
    outcome.ignored = len(choices) - len(chosen)
    pool = {
        person.pk: person
        for person in signin_pool(meeting).filter(pk__in=[c.person_id for c in chosen])
    }
    errors: list[str] = []
    seen: dict[int, int] = {}
    reasons: dict[int, str] = {}
    for choice in chosen:
        where = _("Row %(row)s (%(name)s)") % {"row": choice.row, "name": choice.name}
        if choice.person_id not in pool:
            errors.append(
                _("%(where)s: the person chosen is neither invited nor of %(unit)s.")
                % {"where": where, "unit": meeting.unit}
            )
            continue
        if choice.person_id in seen:
            errors.append(
                _("%(where)s: %(person)s is already on row %(row)s.")
                % {"where": where, "person": pool[choice.person_id], "row": seen[choice.person_id]}
            )
            continue
        seen[choice.person_id] = choice.row
        try:
            reasons[choice.person_id] = _check_mark(choice.status, choice.reason, where)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)

    existing = {
        row.person_id: row
        for row in Attendance.objects.filter(meeting=meeting, person_id__in=list(seen))
    }
    new_rows, changed_rows = [], []
    for choice in chosen:
        status, reason = choice.status, reasons[choice.person_id]
        row = existing.get(choice.person_id)
        if row is None:
            new_rows.append(
                Attendance(
                    meeting=meeting, person_id=choice.person_id, status=status, reason=reason
                )
            )
        elif (row.status, row.reason) != (status, reason):
            row.status, row.reason, row.version = status, reason, row.version + 1
            row.updated_at = timezone.now()
            changed_rows.append(row)
    why = history_reason(_("Sign-in sheet %(name)s") % {"name": source} if source else "")
    user = _acting(acting_user)
    bulk_create_with_history(
        new_rows, Attendance, batch_size=BATCH_SIZE, default_user=user, default_change_reason=why
    )
    bulk_update_with_history(
        changed_rows,
        Attendance,
        ["status", "reason", "version", "updated_at"],
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=why,
    )
    outcome.invited = len(new_rows)
    outcome.marked = len(new_rows) + len(changed_rows)
    return outcome


# Requirement ---------------------------------------------------------------------


@transaction.atomic
def requirement_set(
    *,
    campaign: Campaign,
    default_sessions: int,
    sessions_by_rank: dict[str, int],
    expected_version: int | None,
    acting_user,
    reason: str = "",
) -> StudyRequirement:
    """Set how many sessions each person (by rank) must attend in ``campaign``."""
    if not can_change_unit(acting_user, campaign.organizer):
        raise PermissionDenied(
            _("Only administrators of %(unit)s set this campaign's study requirement.")
            % {"unit": campaign.organizer}
        )
    by_rank = {}
    for rank, sessions in sessions_by_rank.items():
        if rank not in Rank.values:
            raise ValidationError(
                {"sessions_by_rank": _("Unknown rank: %(rank)s") % {"rank": rank}}
            )
        if sessions is None:
            continue
        if not 0 <= int(sessions) <= MAX_REQUIRED_SESSIONS:
            raise ValidationError(
                {rank: _("Between 0 and %(n)s sessions.") % {"n": MAX_REQUIRED_SESSIONS}}
            )
        by_rank[rank] = int(sessions)
    requirement = StudyRequirement.objects.filter(campaign=campaign).first()
    if requirement is None:
        requirement = StudyRequirement(campaign=campaign)
    else:
        # A form opened before any requirement existed carries no version: someone set one since.
        claim_version(requirement, expected_version=expected_version or 0)
    requirement.default_sessions = default_sessions
    requirement.sessions_by_rank = by_rank
    requirement.full_clean()
    attribute_history(requirement, acting_user=acting_user, reason=reason)
    requirement.save()
    return requirement
