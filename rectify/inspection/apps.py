from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "rectify.inspection"
    label = "inspection"
    verbose_name = _("Inspection")

    def ready(self) -> None:
        # The problem page lists the findings a problem came from; the ledger cannot
        # import this app, so the panel is registered with it.
        from rectify.ledger.panels import register_problem_panel

        from .views.findings import problem_sources_panel

        register_problem_panel(problem_sources_panel)
