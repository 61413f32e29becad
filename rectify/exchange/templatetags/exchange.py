"""The export menu of the list pages: one link per list and format, with the page's filters."""

from django import template
from django.urls import reverse

from ..export import FORMATS, SOURCES
from ..rows import LIST_TITLES

register = template.Library()

#: Query parameters of the page that do not choose rows.
_NOT_FILTERS = ("page", "list", "format")


@register.simple_tag(takes_context=True)
def export_links(context, page: str) -> list[dict]:
    """``{title, format, href}`` of each export the page offers (none when it lists nothing).

    ``page`` is ``problems``, ``measures`` or ``responsibilities``; a
    responsibility page is told apart by its context (``department``,
    ``person``, ``is_own``), as its view sets it.
    """
    request = context["request"]
    if page == "responsibilities":
        if context.get("department"):
            url = reverse("exchange:export-department", args=[context["department"].pk])
            source = "department"
        elif context.get("is_own"):
            if not context.get("person"):
                return []
            url, source = reverse("exchange:export-mine"), "mine"
        elif context.get("person"):
            url = reverse("exchange:export-person", args=[context["person"].pk])
            source = "person"
        else:
            return []
    else:
        url, source = reverse(f"exchange:export-{page}"), page
    query = request.GET.copy()
    for name in _NOT_FILTERS:
        query.pop(name, None)
    links = []
    for list_name in SOURCES[source]:
        for fmt in FORMATS:
            query["list"], query["format"] = list_name, fmt
            href = f"{url}?{query.urlencode()}"
            links.append({"title": LIST_TITLES[list_name], "format": fmt, "href": href})
    return links
