from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "rectify.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from rectify.org.scoping import register_view_scope
        from rectify.org.views import register_guidance_section

        from .selectors import guidance_view_paths
        from .views import guidance_group_section

        # Guidance-group members read their assigned units' subtrees (never change them).
        register_view_scope(guidance_view_paths)
        # A group's page lists what it supervises in each campaign.
        register_guidance_section(guidance_group_section)
