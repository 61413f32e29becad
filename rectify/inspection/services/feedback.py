"""Guidance-group feedback (巡回指导组反馈): a group's dated points to a unit, each a finding."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign, Target
from rectify.ledger.models import Source
from rectify.org.models import GuidanceGroup, Unit

from ..models import TEXT_MAX_LENGTH, GuidanceFeedback
from ..selectors.feedback import groups_supervising
from .findings import record_finding

#: The most points one feedback may hold (a page of them, not a dump).
MAX_POINTS = 50


@dataclass(frozen=True)
class FeedbackPoint:
    """One point of a feedback: its text, and the target and level it concerns if known."""

    text: str
    target: Target | None = None
    level: str = ""


def can_give_feedback(user, unit: Unit, campaign: Campaign) -> bool:
    """True when one of the user's guidance groups is assigned ``unit`` on ``campaign``.

    Membership is the right: a unit's administrators, or a system
    administrator, cannot speak for a group they are not in.
    """
    return groups_supervising(user, unit, campaign).exists()


@transaction.atomic
def feedback_record(
    *,
    campaign: Campaign,
    unit: Unit,
    group: GuidanceGroup,
    points: Sequence[FeedbackPoint],
    acting_user,
    given_on: dt.date | None = None,
    summary: str = "",
) -> GuidanceFeedback:
    """Record ``group``'s feedback to ``unit``; every point goes to the unit's triage queue.

    Only a member or leader of ``group``, assigned ``unit`` on ``campaign``,
    may record it. Nothing is saved unless every point is.
    """
    if not groups_supervising(acting_user, unit, campaign).filter(pk=group.pk).exists():
        raise PermissionDenied(
            _("Only a member of a guidance group assigned “%(unit)s” may record its feedback.")
            % {"unit": unit}
        )
    given_on = given_on or timezone.localdate()
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date cannot be in the future.")})
    summary = summary.strip()
    if len(summary) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"summary": _("At most %(max)s characters.") % {"max": TEXT_MAX_LENGTH}}
        )
    points = [point for point in points if point.text.strip()]
    if not points:
        raise ValidationError({"points": _("Give at least one point.")})
    if len(points) > MAX_POINTS:
        raise ValidationError(
            {"points": _("At most %(max)s points at a time.") % {"max": MAX_POINTS}}
        )
    feedback = GuidanceFeedback(
        campaign=campaign,
        unit=unit,
        group=group,
        given_on=given_on,
        summary=summary,
        recorded_by=acting_user,
    )
    feedback.full_clean()
    feedback.save()
    for point in points:
        record_finding(
            campaign=campaign,
            unit=unit,
            source=Source.GUIDANCE_GROUP,
            text=point.text,
            target=point.target,
            level=point.level,
            acting_user=acting_user,
            feedback=feedback,
        )
    return feedback
