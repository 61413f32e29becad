"""Template filters of the ledger pages."""

from django import template

from rectify.ledger import rows
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
    """A deadline light as a coloured badge that also carries its word."""
    return rows.light_badge(light)


@register.simple_tag
def measure_table_rows(measures, in_problem=False, show_campaign=False, supervision=False) -> str:
    """The rows of a measure table: ``measures`` are :class:`~rectify.ledger.rows.MeasureRow`."""
    return rows.render_rows(
        measures, in_problem=in_problem, show_campaign=show_campaign, supervision=supervision
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
