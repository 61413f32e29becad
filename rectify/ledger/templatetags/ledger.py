"""Template filters of the ledger pages."""

from django import template

from rectify.ledger.models import ProblemStatus

register = template.Library()


@register.filter
def problem_status(value: str) -> str:
    """The label of a derived problem status (an annotation has no ``get_..._display``)."""
    try:
        return ProblemStatus(value).label
    except ValueError:
        return value
