"""Reads of campaigns, scoped to the user."""

from django.db.models import Q, QuerySet

from rectify.org.models import PATH_END, PATH_STEP, GuidanceGroup, Unit
from rectify.org.scoping import is_system_admin, person_of, scope_paths, units_in_paths

from .models import Campaign, GuidanceAssignment


def _guides(user) -> Q:
    """Assignments whose live group has ``user`` (through their person) as member or leader."""
    return Q(group__deleted_at__isnull=True) & (
        Q(group__members__user=user) | Q(group__leader__user=user)
    )


def guidance_supervises(user, unit: Unit, campaign: Campaign) -> bool:
    """True when ``user`` leads or belongs to a group assigned, on ``campaign``, a unit
    whose subtree contains ``unit``.

    Membership is the role: no grant is involved, and system administrators
    are not guidance groups.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        GuidanceAssignment.objects.filter(_guides(user), campaign=campaign)
        .filter(units__path__in=unit.ancestor_paths(), units__deleted_at__isnull=True)
        .exists()
    )


def guidance_view_paths(user) -> list[tuple[str, int]]:
    """``(unit path, campaign id)`` of the units assigned, on live campaigns, to groups
    ``user`` leads or belongs to.

    Registered with :func:`rectify.org.scoping.register_view_scope`: members
    read these subtrees, and of a campaign's rows only those of the campaign
    the unit was assigned for. One query.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    through = GuidanceAssignment.units.through.objects.filter(
        Q(guidanceassignment__group__members__user=user)
        | Q(guidanceassignment__group__leader__user=user),
        guidanceassignment__group__deleted_at__isnull=True,
        guidanceassignment__campaign__deleted_at__isnull=True,
        unit__deleted_at__isnull=True,
    )
    return sorted(set(through.values_list("unit__path", "guidanceassignment__campaign_id")))


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Campaigns the user takes part in, organizes, or answers for a measure of.

    Each way in is its own ``pk IN (subquery)``: OR-ing the joins in one query
    made SQLite walk every measure of every campaign (500 ms at a million).
    """
    campaigns = Campaign.objects.all()
    if is_system_admin(user):
        return campaigns
    q = Q(pk__in=[])
    paths = scope_paths(user)
    if paths:
        inside = units_in_paths(paths).values("pk")
        ancestors = {p[:i] for p in paths for i in range(PATH_STEP, len(p) + 1, PATH_STEP)}
        q |= Q(organizer__in=inside)
        q |= Q(
            pk__in=Campaign.participating_units.through.objects.filter(unit__in=inside).values(
                "campaign"
            )
        )
        q |= Q(
            pk__in=Campaign.participating_units.through.objects.filter(
                unit__path__in=ancestors
            ).values("campaign")
        )
    person = person_of(user)
    if person is not None:
        answered = Campaign.objects.filter(measures__responsible_persons=person).values("pk")
        q |= Q(pk__in=answered)
    return campaigns.filter(q)


def campaign_units(campaign: Campaign) -> QuerySet[Unit]:
    """Every unit that takes part in ``campaign`` (the participating subtrees)."""
    return Unit.objects.filter(pk__in=units_in_paths(campaign.participating_paths).values("pk"))


def assignments_of_campaign(campaign: Campaign) -> QuerySet[GuidanceAssignment]:
    """The live groups assigned on ``campaign``, with their units, leaders and home units."""
    return (
        GuidanceAssignment.objects.filter(campaign=campaign, group__deleted_at__isnull=True)
        .select_related("group", "group__home_unit", "group__leader")
        .prefetch_related("units")
        .order_by("group__name", "pk")
    )


def assignments_of_group(user, group: GuidanceGroup) -> QuerySet[GuidanceAssignment]:
    """The assignments of ``group`` on campaigns the user may see, with their units."""
    return (
        GuidanceAssignment.objects.filter(
            group=group, campaign__in=campaigns_visible_to(user).values("pk")
        )
        .select_related("campaign")
        .prefetch_related("units")
        .order_by("-campaign__start_date", "campaign__pk")
    )


def units_for_assignment(campaign: Campaign, *, levels: int = 2, cap: int = 500) -> QuerySet[Unit]:
    """Units of ``campaign``'s participating subtrees down to ``levels`` below each root (bounded).

    Deeper units stay choosable (the picker validates against every unit of
    the campaign); they are just not listed.
    """
    near = Q(pk__in=[])
    for root in campaign.participating_units.all():
        subtree = Q(path__gte=root.path, path__lt=root.path + PATH_END)
        near |= subtree & Q(depth__lte=root.depth + levels)
    return Unit.objects.filter(near).order_by("path")[:cap]


def chosen_campaign(campaigns: QuerySet[Campaign], slug: str | None) -> Campaign | None:
    """The campaign of ``campaigns`` named by ``slug``, else the only one; ``None``: ask."""
    if slug:
        return campaigns.filter(slug=slug).first()
    first_two = list(campaigns[:2])
    return first_two[0] if len(first_two) == 1 else None
