"""Atom feeds of the public site, one per section."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .models import Article, Category
from .sanitize import plain_text
from .selectors import public_articles

FEED_ITEMS = 20


class CategoryFeed(Feed):
    """The latest published articles of one section, as Atom."""

    feed_type = Atom1Feed

    def get_object(self, request, category: str) -> Category:
        try:
            return Category(category)
        except ValueError:
            raise Http404(_("No such section.")) from None

    def title(self, obj: Category) -> str:
        return str(obj.label)

    def link(self, obj: Category) -> str:
        return reverse("newssite:category", kwargs={"category": obj.value})

    def subtitle(self, obj: Category) -> str:
        return _("Latest articles: %(section)s") % {"section": obj.label}

    def items(self, obj: Category):
        return public_articles().filter(category=obj)[:FEED_ITEMS]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.subtitle or plain_text(item.body)[:200]

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.author or item.source.name
