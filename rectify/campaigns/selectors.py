"""Reads of campaigns, scoped to the user."""

from django.db.models import Q, QuerySet

from rectify.org.models import Unit
from rectify.org.scoping import is_system_admin, person_of, scope_paths, units_in_paths

from .models import Campaign


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Campaigns the user takes part in, organizes, or answers for a measure of."""
    campaigns = Campaign.objects.all()
    if is_system_admin(user):
        return campaigns
    paths = scope_paths(user)
    ancestors = {p[:i] for p in paths for i in range(8, len(p) + 1, 8)}
    q = Q(pk__in=[])
    if paths:
        inside = units_in_paths(paths).values("pk")
        q |= Q(organizer__in=inside) | Q(participating_units__in=inside)
        q |= Q(participating_units__path__in=ancestors)
    person = person_of(user)
    if person is not None:
        q |= Q(measures__responsible_persons=person)
    return campaigns.filter(pk__in=Campaign.objects.filter(q).values("pk"))


def campaign_units(campaign: Campaign) -> QuerySet[Unit]:
    """Every unit that takes part in ``campaign`` (the participating subtrees)."""
    roots = list(campaign.participating_units.values_list("path", flat=True))
    return Unit.objects.filter(pk__in=units_in_paths(roots).values("pk"))
