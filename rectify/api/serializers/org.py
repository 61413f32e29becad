"""Units, people, campaigns and targets as the API shows them."""

from rest_framework import serializers

from rectify.campaigns.models import Campaign, Target
from rectify.org.models import Person, Unit


class UnitSerializer(serializers.ModelSerializer):
    """A unit of the tree; ``path`` orders a subtree and ``depth`` counts from the root."""

    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "code", "kind", "parent", "path", "depth", "order"]


class PersonSerializer(serializers.ModelSerializer):
    """A person of a unit (contact details stay on the person's page)."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "unit", "unit_name", "position", "rank", "is_leadership_member"]


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign (整改活动) and its settings."""

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "name",
            "general_requirement",
            "root_task",
            "start_date",
            "end_date",
            "warning_days",
            "progress_stale_days",
            "sign_off_levels",
            "organizer",
        ]


class TargetSerializer(serializers.ModelSerializer):
    """A campaign target problems are found against (对照目标)."""

    class Meta:
        model = Target
        fields = ["id", "campaign", "code", "title", "description", "order"]
