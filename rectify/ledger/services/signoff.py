"""The sign-off (销号) workflow: submit → (leader confirms) → accept, or send back; reopen.

Per campaign, sign-off has one level (the unit's leader accepts) or two (the
leader confirms, then the guidance group accepts). A responsible person never
reviews a measure they answer for. Every decision is a :class:`Review` row and
a history entry on the measure, and is refused if the measure changed since
the decider opened it.
"""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.selectors import guidance_supervises
from rectify.core.services import attribute_history, claim_version
from rectify.notify.models import NotificationKind
from rectify.notify.services import notify
from rectify.org.models import Role
from rectify.org.scoping import can_change_unit, holds_role, is_system_admin

from .. import tallies
from ..models import Evidence, Measure, MeasureKind, MeasureStatus, Review, ReviewAction
from ..selectors import guidance_members_of, leaders_of, responsible_users_of
from . import answers_for, can_report_progress, progress_record

S = MeasureStatus


def _is_leader(user, measure: Measure) -> bool:
    """The unit's leader (a leader role on the unit or above) who does not answer for it."""
    if answers_for(user, measure):
        return False
    return is_system_admin(user) or holds_role(user, measure.unit, (Role.LEADER,))


def _is_supervisor(user, measure: Measure) -> bool:
    """A member of a guidance group assigned the measure's unit for its campaign."""
    if answers_for(user, measure):
        return False
    return is_system_admin(user) or guidance_supervises(user, measure.unit, measure.campaign)


def _tell_reviewers(review: Review, reviewers) -> None:
    """REVIEW_WAITING to ``reviewers`` of the measure, less those who answer for it."""
    measure = review.measure
    step = "confirm" if review.to_status == S.COMPLETED and _two_levels(measure) else "accept"
    notify(
        reviewers.exclude(person__measures=measure).values_list("pk", flat=True),
        kind=NotificationKind.REVIEW_WAITING,
        measure=measure,
        actor=review.actor,
        text=review.text,
        data={"step": step, "action": review.action},
    )


def _tell_responsible(review: Review, kind: str) -> None:
    """Tell the measure's responsible persons of a decision, with its reason."""
    notify(
        responsible_users_of(review.measure).values_list("pk", flat=True),
        kind=kind,
        measure=review.measure,
        actor=review.actor,
        text=review.text,
    )


def _two_levels(measure: Measure) -> bool:
    return measure.campaign.sign_off_levels == 2


def available_actions(user, measure: Measure) -> set[str]:
    """The workflow actions ``user`` may take on ``measure`` now (for buttons and checks)."""
    if measure.is_deleted:
        return set()
    actions = set()
    two_levels = measure.campaign.sign_off_levels == 2
    if measure.status in (S.NOT_STARTED, S.IN_PROGRESS) and can_report_progress(user, measure):
        actions.add(ReviewAction.SUBMIT)
    if measure.status == S.COMPLETED and _is_leader(user, measure):
        actions |= {ReviewAction.CONFIRM if two_levels else ReviewAction.ACCEPT}
        actions.add(ReviewAction.SEND_BACK)
    if measure.status == S.COMPLETED and two_levels and _is_supervisor(user, measure):
        # The guidance group may refuse a submission before the leader has confirmed it.
        actions.add(ReviewAction.SEND_BACK)
    if measure.status == S.CONFIRMED and _is_supervisor(user, measure):
        actions |= {ReviewAction.ACCEPT, ReviewAction.SEND_BACK}
    if measure.status == S.SIGNED_OFF and (
        _is_supervisor(user, measure) or can_change_unit(user, measure.unit)
    ):
        actions.add(ReviewAction.REOPEN)
    return actions


def _require(action: str, user, measure: Measure) -> None:
    if action not in available_actions(user, measure):
        raise PermissionDenied(
            _("You may not do this to this measure now (status: %(status)s).")
            % {"status": measure.get_status_display()}
        )


def _decide(
    measure: Measure,
    *,
    action: str,
    to_status: str,
    expected_version: int,
    acting_user,
    text: str,
    from_status: str | None = None,
) -> Review:
    """Move ``measure`` to ``to_status`` and keep the decision; refused if it is stale."""
    claim_version(measure, expected_version=expected_version)
    review = Review(
        measure=measure,
        action=action,
        from_status=from_status or measure.status,
        to_status=to_status,
        actor=acting_user,
        text=text,
    )
    measure.status = to_status
    if to_status in (S.NOT_STARTED, S.IN_PROGRESS):
        measure.completed_on = None
    attribute_history(
        measure, acting_user=acting_user, reason=f"{review.get_action_display()}: {text}"[:100]
    )
    # The review dates the sign-off the tallies count: it is saved within what they follow.
    with tallies.following([measure.problem_id]):
        measure.save()
        review.save()
    return review


@transaction.atomic
def measure_submit(
    *,
    measure: Measure,
    statement: str,
    expected_version: int,
    acting_user,
    files: Sequence[UploadedFile] = (),
    no_evidence_reason: str = "",
    mechanism: str = "",
) -> Review:
    """A responsible person reports the measure done (整改完成情况) → awaiting acceptance."""
    _require(ReviewAction.SUBMIT, acting_user, measure)
    errors = {}
    if not statement.strip():
        errors["statement"] = _("Describe how the measure was completed.")
    has_evidence = Evidence.objects.filter(note__measure=measure).exists()
    if not files and not has_evidence and not no_evidence_reason.strip():
        errors["files"] = _("Attach at least one evidence file, or say why there is none.")
    if measure.kind == MeasureKind.LONG_TERM and not mechanism.strip():
        errors["mechanism"] = _("Describe the standing mechanism now in place.")
    if errors:
        raise ValidationError(errors)
    text = statement.strip()
    if no_evidence_reason.strip() and not files:
        text += "\n" + _("No evidence file: %(reason)s") % {"reason": no_evidence_reason.strip()}
    started_from = measure.status
    # Refuse a stale submission before anything is written.
    claim_version(measure, expected_version=expected_version)
    progress_record(measure=measure, text=text, acting_user=acting_user, files=files)
    measure.completed_on = timezone.localdate()
    measure.mechanism = mechanism.strip()
    review = _decide(
        measure,
        action=ReviewAction.SUBMIT,
        to_status=S.COMPLETED,
        expected_version=measure.version,
        acting_user=acting_user,
        text=text,
        from_status=started_from,
    )
    _tell_reviewers(review, leaders_of(measure.unit))
    return review


@transaction.atomic
def measure_confirm(
    *, measure: Measure, expected_version: int, acting_user, opinion: str = ""
) -> Review:
    """The unit's leader accepts a completed measure: signed off at one level, confirmed at two."""
    two_levels = measure.campaign.sign_off_levels == 2
    action = ReviewAction.CONFIRM if two_levels else ReviewAction.ACCEPT
    _require(action, acting_user, measure)
    review = _decide(
        measure,
        action=action,
        to_status=S.CONFIRMED if two_levels else S.SIGNED_OFF,
        expected_version=expected_version,
        acting_user=acting_user,
        text=opinion.strip(),
    )
    if two_levels:
        _tell_reviewers(review, guidance_members_of(measure.unit, measure.campaign))
    return review


@transaction.atomic
def measure_accept(
    *, measure: Measure, expected_version: int, acting_user, opinion: str = ""
) -> Review:
    """Sign the measure off (销号): the guidance group at two levels, the leader at one."""
    if measure.status == S.COMPLETED:
        return measure_confirm(
            measure=measure,
            expected_version=expected_version,
            acting_user=acting_user,
            opinion=opinion,
        )
    _require(ReviewAction.ACCEPT, acting_user, measure)
    return _decide(
        measure,
        action=ReviewAction.ACCEPT,
        to_status=S.SIGNED_OFF,
        expected_version=expected_version,
        acting_user=acting_user,
        text=opinion.strip(),
    )


@transaction.atomic
def measure_send_back(
    *, measure: Measure, reason: str, expected_version: int, acting_user
) -> Review:
    """Refuse a submitted measure (退回): back to work, with the reasons."""
    _require(ReviewAction.SEND_BACK, acting_user, measure)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the measure is sent back.")})
    review = _decide(
        measure,
        action=ReviewAction.SEND_BACK,
        to_status=S.IN_PROGRESS,
        expected_version=expected_version,
        acting_user=acting_user,
        text=reason.strip(),
    )
    _tell_responsible(review, NotificationKind.SEND_BACK)
    return review


@transaction.atomic
def measure_reopen(*, measure: Measure, reason: str, expected_version: int, acting_user) -> Review:
    """Reopen a signed-off measure (回头看 / 整改反弹): back to work, with the reason."""
    _require(ReviewAction.REOPEN, acting_user, measure)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the measure is reopened.")})
    review = _decide(
        measure,
        action=ReviewAction.REOPEN,
        to_status=S.IN_PROGRESS,
        expected_version=expected_version,
        acting_user=acting_user,
        text=reason.strip(),
    )
    _tell_responsible(review, NotificationKind.REOPEN)
    return review


#: The reviewers' decisions, each taken by its service above.
DECISIONS = (ReviewAction.CONFIRM, ReviewAction.ACCEPT, ReviewAction.SEND_BACK, ReviewAction.REOPEN)


def measure_decide(
    *, measure: Measure, action: str, text: str, expected_version: int, acting_user
) -> Review:
    """Take one of the :data:`DECISIONS` on ``measure``, with its opinion or reason ``text``;
    the pages and the API call this with what the reviewer chose."""
    if action not in DECISIONS:
        raise ValidationError({"action": _("Unknown decision.")})
    common = {"measure": measure, "expected_version": expected_version, "acting_user": acting_user}
    if action == ReviewAction.CONFIRM:
        return measure_confirm(opinion=text, **common)
    if action == ReviewAction.ACCEPT:
        return measure_accept(opinion=text, **common)
    if action == ReviewAction.SEND_BACK:
        return measure_send_back(reason=text, **common)
    return measure_reopen(reason=text, **common)
