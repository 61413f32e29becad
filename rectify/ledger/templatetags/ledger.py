"""Template filters of the ledger pages."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from rectify.ledger.lights import Light
from rectify.ledger.models import ProblemStatus

register = template.Library()


@register.filter
def problem_status(value: str) -> str:
    """The label of a derived problem status (an annotation has no ``get_..._display``)."""
    try:
        return ProblemStatus(value).label
    except ValueError:
        return value


@register.simple_tag
def light_badge(light: str) -> str:
    """A deadline light as a coloured badge that also carries its word (for print and grey-scale).

    A tag rather than an included template: list pages render one per row.
    """
    try:
        label = Light(light).label
    except ValueError:
        return ""
    return format_html(
        '<span class="light light-{}" title="{}">{}</span>', light, _("Deadline light"), label
    )
