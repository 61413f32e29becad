"""The guidance-feedback list's filters: campaign and unit with its subtree."""

from ..models import GuidanceFeedback
from .research import CampaignUnitFilter


class FeedbackFilter(CampaignUnitFilter):
    """Filters of the guidance-feedback list."""

    class Meta:
        model = GuidanceFeedback
        fields = ["campaign", "unit"]
