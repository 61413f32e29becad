"""Units, people, campaigns and targets in the user's scope."""

from rectify.campaigns.models import Target
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.org.scoping import units_visible_to
from rectify.org.selectors import person_visible

from ..filters import PersonFilter, TargetFilter, UnitFilter
from ..serializers.org import (
    CampaignSerializer,
    PersonSerializer,
    TargetSerializer,
    UnitSerializer,
)
from .base import ScopedReadViewSet


class UnitViewSet(ScopedReadViewSet):
    """Units of the tree the user may see."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["id", "path", "name", "code"]
    ordering = ["path"]

    def scoped_queryset(self, user):
        return units_visible_to(user)


class PersonViewSet(ScopedReadViewSet):
    """People of the units the user may see."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["id", "name", "unit__path"]

    def scoped_queryset(self, user):
        return person_visible(user)


class CampaignViewSet(ScopedReadViewSet):
    """Campaigns the user takes part in, organizes, or answers for a measure of."""

    serializer_class = CampaignSerializer
    lookup_field = "slug"
    ordering_fields = ["id", "start_date", "name"]

    def scoped_queryset(self, user):
        return campaigns_visible_to(user)


class TargetViewSet(ScopedReadViewSet):
    """Targets of the campaigns the user sees."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = ["id", "order", "code"]
    ordering = ["campaign_id", "order", "id"]

    def scoped_queryset(self, user):
        return Target.objects.filter(campaign__in=campaigns_visible_to(user))
