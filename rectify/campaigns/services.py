"""Writes to campaigns, their phases and targets."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rectify.core.services import attribute_history
from rectify.org.models import GuidanceGroup, Unit
from rectify.org.scoping import can_change_unit

from .models import Campaign, GuidanceAssignment, Phase, Target
from .templates_data import TEMPLATES

#: The phases a campaign made from scratch starts with (editable afterwards).
DEFAULT_PHASES = ("学习教育", "调查研究", "检视问题", "整改落实")


@transaction.atomic
def campaign_create(
    *,
    name: str,
    slug: str,
    organizer: Unit,
    participating_units: list[Unit],
    start_date: dt.date,
    end_date: dt.date | None = None,
    general_requirement: str = "",
    root_task: str = "",
    warning_days: int | None = None,
    sign_off_levels: int | None = None,
    progress_stale_days: int | None = None,
    extension_approver: str | None = None,
    template: str | None = None,
    acting_user,
) -> Campaign:
    """Create a campaign, from the named built-in template or from scratch."""
    for unit in [organizer, *participating_units]:
        if not can_change_unit(acting_user, unit):
            raise PermissionDenied(_("You do not administer the unit “%(unit)s”.") % {"unit": unit})
    if not participating_units:
        raise ValidationError({"participating_units": _("Choose at least one participating unit.")})
    spec = None
    if template:
        try:
            spec = TEMPLATES[template]
        except KeyError:
            raise ValidationError({"template": _("Unknown template.")}) from None
    campaign = Campaign(
        name=name,
        slug=slug,
        organizer=organizer,
        start_date=start_date,
        end_date=end_date,
        general_requirement=general_requirement or (spec["general_requirement"] if spec else ""),
        root_task=root_task or (spec["root_task"] if spec else ""),
    )
    if warning_days is not None:
        campaign.warning_days = warning_days
    if sign_off_levels is not None:
        campaign.sign_off_levels = sign_off_levels
    if progress_stale_days is not None:
        campaign.progress_stale_days = progress_stale_days
    if extension_approver is not None:
        campaign.extension_approver = extension_approver
    campaign.full_clean()
    attribute_history(campaign, acting_user=acting_user)
    campaign.save()
    campaign.participating_units.set(participating_units)
    if spec:
        for order, (code, title, description) in enumerate(spec["targets"], start=1):
            Target.objects.create(
                campaign=campaign, code=code, title=title, description=description, order=order
            )
        for order, (phase_name, offset, length) in enumerate(spec["phases"], start=1):
            begin = start_date + dt.timedelta(days=offset)
            Phase.objects.create(
                campaign=campaign,
                name=phase_name,
                order=order,
                start_date=begin,
                end_date=begin + dt.timedelta(days=length),
            )
    else:
        for order, phase_name in enumerate(DEFAULT_PHASES, start=1):
            Phase.objects.create(campaign=campaign, name=phase_name, order=order)
    return campaign


def _require_admin(campaign: Campaign, acting_user) -> None:
    if not can_change_unit(acting_user, campaign.organizer):
        raise PermissionDenied(_("Only administrators of the organizing unit may change this."))


@transaction.atomic
def campaign_update(*, campaign: Campaign, acting_user, reason: str = "", **fields) -> Campaign:
    """Change a campaign's own fields (not its slug)."""
    _require_admin(campaign, acting_user)
    participating = fields.pop("participating_units", None)
    for field in (
        "name",
        "general_requirement",
        "root_task",
        "start_date",
        "end_date",
        "warning_days",
        "progress_stale_days",
        "sign_off_levels",
        "extension_approver",
    ):
        if field in fields:
            setattr(campaign, field, fields[field])
    campaign.full_clean()
    attribute_history(campaign, acting_user=acting_user, reason=reason)
    campaign.save()
    if participating is not None:
        if not participating:
            raise ValidationError(
                {"participating_units": _("Choose at least one participating unit.")}
            )
        campaign.participating_units.set(participating)
        campaign.__dict__.pop("participating_paths", None)
    return campaign


@transaction.atomic
def target_save(
    *,
    campaign: Campaign,
    code: str,
    title: str,
    description: str = "",
    order: int = 0,
    target: Target | None = None,
    acting_user,
) -> Target:
    """Create a target of ``campaign``, or change ``target``."""
    _require_admin(campaign, acting_user)
    target = target or Target(campaign=campaign)
    target.code, target.title, target.description, target.order = code, title, description, order
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def phase_save(
    *,
    campaign: Campaign,
    name: str,
    order: int = 0,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    phase: Phase | None = None,
    acting_user,
) -> Phase:
    """Create a phase of ``campaign``, or change ``phase``."""
    _require_admin(campaign, acting_user)
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    phase = phase or Phase(campaign=campaign)
    phase.name, phase.order, phase.start_date, phase.end_date = name, order, start_date, end_date
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def guidance_assign(
    *, campaign: Campaign, group: GuidanceGroup, units: list[Unit], acting_user, reason: str = ""
) -> GuidanceAssignment:
    """Assign ``group`` the ``units`` (each with its subtree) on ``campaign``.

    Administrators of the campaign's organizer may. Assigning a group again
    replaces its units. Every unit must take part in the campaign.
    """
    _require_admin(campaign, acting_user)
    units = list(units)
    if group.is_deleted:
        raise ValidationError({"group": _("This guidance group has been deleted.")})
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    roots = list(campaign.participating_units.all())
    outside = [u for u in units if not any(u.is_within(root) for root in roots)]
    if outside:
        raise ValidationError(
            {
                "units": _("These units do not take part in the campaign: %(units)s")
                % {"units": "、".join(str(u) for u in outside)}
            }
        )
    assignment = GuidanceAssignment.objects.filter(campaign=campaign, group=group).first()
    if assignment is None:
        assignment = GuidanceAssignment(campaign=campaign, group=group)
        assignment.full_clean()
    attribute_history(assignment, acting_user=acting_user, reason=reason)
    assignment.save()
    assignment.units.set(units)
    return assignment
