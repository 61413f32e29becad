"""Deadline changes (延期申请): a responsible person asks, the approver decides.

Per campaign the approver is the unit's leader or the guidance group. The
original deadline is kept on the measure; lights use the current one.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.selectors import guidance_supervises
from rectify.core.services import attribute_history, claim_version
from rectify.notify.models import NotificationKind
from rectify.notify.services import notify
from rectify.org.models import Role
from rectify.org.scoping import holds_role, is_system_admin

from .. import pressure, tallies
from ..models import ExtensionRequest, ExtensionStatus, Measure
from ..selectors import guidance_members_of, leaders_of
from . import answers_for


def can_request_extension(user, measure: Measure) -> bool:
    """Responsible persons of an open measure with a deadline and no pending request."""
    return (
        not measure.is_deleted
        and not measure.is_done
        and measure.deadline is not None
        and answers_for(user, measure)
        and not measure.extensions.filter(status=ExtensionStatus.PENDING).exists()
    )


def can_decide_extension(user, measure: Measure) -> bool:
    """The campaign's approver (leader or guidance group), never a responsible person."""
    if answers_for(user, measure):
        return False
    if is_system_admin(user):
        return True
    if measure.campaign.extension_approver == "guidance":
        return guidance_supervises(user, measure.unit, measure.campaign)
    return holds_role(user, measure.unit, (Role.LEADER,))


@transaction.atomic
def extension_request(
    *, measure: Measure, new_deadline: dt.date, reason: str, acting_user
) -> ExtensionRequest:
    """Ask to move the deadline of a measure one answers for."""
    if not can_request_extension(acting_user, measure):
        raise PermissionDenied(_("You may not ask to change this measure's deadline now."))
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say why the deadline must change.")
    if new_deadline <= measure.deadline:
        errors["new_deadline"] = _("The new deadline must be later than the current one.")
    if errors:
        raise ValidationError(errors)
    request = ExtensionRequest.objects.create(
        measure=measure,
        requested_by=acting_user,
        old_deadline=measure.deadline,
        new_deadline=new_deadline,
        reason=reason.strip(),
    )
    if measure.campaign.extension_approver == "guidance":
        approvers = guidance_members_of(measure.unit, measure.campaign)
    else:
        approvers = leaders_of(measure.unit)
    notify(
        approvers.exclude(person__measures=measure).values_list("pk", flat=True),
        kind=NotificationKind.EXTENSION_REQUESTED,
        measure=measure,
        actor=acting_user,
        text=request.reason,
        data={
            "old_deadline": request.old_deadline.isoformat(),
            "new_deadline": request.new_deadline.isoformat(),
        },
    )
    return request


@transaction.atomic
def extension_decide(
    *,
    request: ExtensionRequest,
    approve: bool,
    expected_version: int,
    acting_user,
    note: str = "",
) -> ExtensionRequest:
    """Approve (the deadline moves) or refuse a pending request; stale decisions are refused."""
    measure = request.measure
    if request.status != ExtensionStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not can_decide_extension(acting_user, measure):
        raise PermissionDenied(_("You may not decide on this request."))
    claim_version(measure, expected_version=expected_version)
    if approve:
        measure.original_deadline = measure.original_deadline or measure.deadline
        measure.deadline = request.new_deadline
    reason = _("Deadline change approved") if approve else _("Deadline change refused")
    attribute_history(measure, acting_user=acting_user, reason=f"{reason}: {request.reason}"[:100])
    # A new date takes a long-term measure out of grey: the tallies count that.
    with tallies.following([measure.problem_id]):
        measure.save()
    if approve:
        pressure.extended(measure.pk)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
    notify(
        [request.requested_by_id],
        kind=NotificationKind.EXTENSION_DECIDED,
        measure=measure,
        actor=acting_user,
        text=request.decision_note,
        data={"approved": approve, "new_deadline": request.new_deadline.isoformat()},
    )
    return request
