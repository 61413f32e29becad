"""Template filters of the ledger pages."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from rectify.ledger.lights import Light
from rectify.ledger.models import MeasureKind, MeasureStatus, ProblemStatus

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


#: Label lookups for list rows. ``get_FOO_display`` rebuilds a dict of the
#: field's choices on every call, which a 50-row list pays 100 times.
_LABELS = {"kind": MeasureKind, "status": MeasureStatus}


@register.filter
def label(value: str, choices: str) -> str:
    """The label of a measure's ``kind`` or ``status`` value: ``{{ m.kind|label:"kind" }}``."""
    try:
        return _LABELS[choices](value).label
    except ValueError:
        return value


@register.filter
def names(persons) -> str:
    """The names of related persons, comma-separated (one call, not a template loop)."""
    return ", ".join(person.name for person in persons.all())
