"""The news app: the association's public site for campaign news and typical cases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    """Articles written by staff, published on the public site under /news/."""

    name = "rectify.news"
    label = "news"
    verbose_name = _("News")
