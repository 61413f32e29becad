"""A corpus of script payloads, and a check that a page carries none of them live."""

from html.parser import HTMLParser

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=javascript:alert(1)></object>",
    '<img src="/news/files/1/" onerror="alert(1)">',
    "'';!--\"<XSS>=&{()}",
    "<details open ontoggle=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "</title><script>alert(1)</script>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<img src=x onerror="window.__ran=1;alert(1)">',
    '<a href="#" onclick="window.__ran=1">x</a><input autofocus onfocus="window.__ran=1">',
)

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "meta", "base",
                  "form", "details", "body", "xss"}  # fmt: skip


class _Live(HTMLParser):
    def __init__(self, allowed_tags):
        super().__init__()
        self.allowed_tags = allowed_tags
        self.found: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
            return
        if tag in DANGEROUS_TAGS and tag not in self.allowed_tags:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in {"href", "src", "action", "data", "formaction"} and value.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag} {name}={value}")
            if name == "style" and "javascript" in value:
                self.found.append(f"{tag} style")


def live_markup(html: str, allowed_tags=frozenset({"meta", "form"})) -> list[str]:
    """Elements or attributes of ``html`` that could run script (the page's own markup aside:
    its head has meta tags, its search box is a form)."""
    parser = _Live(allowed_tags)
    parser.feed(html)
    return parser.found
