"""The allow-list an article's HTML is cleaned against, on save and again on render."""

import re
from functools import lru_cache

import nh3

TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "b", "em", "i", "u", "s",
    "sub", "sup", "blockquote", "ul", "ol", "li", "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "pre", "code", "span",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
#: Images come only from the site's own article files (no tracking pixels, no other hosts);
#: a full or protocol-relative address of one (as editors write them) is kept as its path.
OWN_IMAGE = re.compile(r"(?:(?:https?:)?//[^/?#\s]+)?/?(/news/files/\d+/)")
NUMBER = re.compile(r"\d{1,4}")
#: Editors leave it around the caret; it only gets in the way of search.
ZERO_WIDTH_SPACE = "\u200b"


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        own = OWN_IMAGE.fullmatch(value)
        return own.group(1) if own else None
    if attribute in {"width", "height", "colspan", "rowspan", "start"}:
        return value if NUMBER.fullmatch(value) else None
    return value


@lru_cache(maxsize=256)
def clean_html(html: str) -> str:
    """``html`` with everything off the allow-list removed (scripts with their content), and
    zero-width spaces.

    Pages clean a body again each time they show it; the result depends on the
    text alone, so the most recent ones are remembered by their text.
    """
    return nh3.clean(
        (html or "").replace(ZERO_WIDTH_SPACE, ""),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """The text of ``html`` with every tag removed (for feeds and search snippets)."""
    return nh3.clean(html or "", tags=set())
