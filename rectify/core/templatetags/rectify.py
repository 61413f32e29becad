"""Template helpers shared by every app."""

from django import template
from django.forms.renderers import get_default_renderer
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes) -> str:
    """The current query string with ``changes`` applied (for pagination and sort links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


#: The option template of Django's select widgets, which :func:`select_options` writes itself.
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """`` name="value"`` of each attribute, as Django's ``attrs.html`` writes them."""
    return "".join(
        (f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def select_options(widget: dict) -> str:
    """The options (and option groups) of a select widget, exactly as Django's
    ``select.html`` writes them, without two template includes per option — on a list
    page with a few hundred options the includes cost more than the rows."""
    parts = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] == OPTION_TEMPLATE:
                parts.append(
                    f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{escape(option['label'])}</option>\n"
                )
            else:
                renderer = get_default_renderer()
                parts.append("\n  " + renderer.render(option["template_name"], {"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # every value above is escaped
