"""The news app: the association's public site for campaign news and typical cases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    """Articles written by staff, published on the public site under /news/."""

    name = "rectify.news"
    label = "news"
    verbose_name = _("News")

    def ready(self) -> None:
        from rectify.core import housekeeping

        from .services import view_records_prune

        # A browser's record only matters for VIEW_WINDOW after its last counted view.
        housekeeping.register("news view records", view_records_prune)
