"""Urging (催办): a leader or the guidance group presses for progress on measures."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import guidance_supervises, guidance_view_paths
from rectify.notify.models import NotificationKind
from rectify.notify.services import notify, notify_each
from rectify.org.models import PATH_END, Role, Unit
from rectify.org.scoping import holds_role, is_system_admin, visible_to

from .. import pressure
from ..lights import Light, light_q
from ..models import Measure, Urge
from ..selectors import responsible_user_pairs, responsible_users_of
from . import answers_for


def can_urge(user, measure: Measure) -> bool:
    """Leaders of the measure's unit (or above) and the guidance group assigned it."""
    if measure.is_deleted or measure.is_done or answers_for(user, measure):
        return False
    return (
        is_system_admin(user)
        or holds_role(user, measure.unit, (Role.LEADER,))
        or guidance_supervises(user, measure.unit, measure.campaign)
    )


def can_urge_unit(user, unit: Unit) -> bool:
    """Who may urge all red measures of ``unit`` at once: its leaders (or above), system
    administrators, and guidance groups assigned it (or a unit above it) on some campaign."""
    if is_system_admin(user) or holds_role(user, unit, (Role.LEADER,)):
        return True
    return any(unit.path.startswith(path) for path, _campaign in guidance_view_paths(user))


def _clean_message(message: str) -> str:
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("Write what you urge them to do.")})
    return message


@transaction.atomic
def measure_urge(*, measure: Measure, message: str, acting_user) -> Urge:
    """Urge one open measure; its responsible persons see it on the measure."""
    if not can_urge(acting_user, measure):
        raise PermissionDenied(_("You may not urge this measure."))
    urge = Urge.objects.create(measure=measure, by=acting_user, message=_clean_message(message))
    pressure.urged([measure.pk])
    notify(
        responsible_users_of(measure).values_list("pk", flat=True),
        kind=NotificationKind.URGE,
        measure=measure,
        actor=acting_user,
        text=urge.message,
    )
    return urge


@transaction.atomic
def unit_urge_red(*, unit: Unit, message: str, acting_user) -> int:
    """Urge at once every red (overdue) measure of ``unit``'s subtree; returns how many.

    The user must lead ``unit`` (or a unit above it), or belong to the guidance
    group assigned it for the measures' campaign: the check is per campaign,
    not per measure, so a unit with a thousand red measures costs a few queries,
    and so does telling their responsible persons.
    """
    message = _clean_message(message)
    red = visible_to(Measure.objects.filter(light_q(Light.RED)), acting_user).filter(
        unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END
    )
    if not (is_system_admin(acting_user) or holds_role(acting_user, unit, (Role.LEADER,))):
        campaigns = Campaign.objects.filter(pk__in=red.values("campaign"))
        allowed = [c.pk for c in campaigns if guidance_supervises(acting_user, unit, c)]
        if not allowed:
            raise PermissionDenied(_("You may not urge the measures of this unit."))
        red = red.filter(campaign__in=allowed)
    # Nobody urges what they answer for themselves.
    red = red.exclude(responsible_persons__user=acting_user)
    ids = list(red.values_list("pk", flat=True))
    Urge.objects.bulk_create([Urge(measure_id=pk, by=acting_user, message=message) for pk in ids])
    pressure.urged(ids)
    # The same queries whatever the count: (measure, user) pairs through the m2m, one INSERT.
    notify_each(
        responsible_user_pairs(ids) if ids else [],
        kind=NotificationKind.URGE,
        actor=acting_user,
        text=message,
    )
    return len(ids)
