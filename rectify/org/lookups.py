"""Find a unit from what a person types on a command line: its code or its exact name."""

from django.db.models import Q

from .models import Unit


def resolve_unit(value: str) -> Unit:
    """The live unit whose code, exact name or exact short name is ``value``.

    The code wins when it matches; a name shared by several units is refused
    rather than guessed. Raises ``Unit.DoesNotExist`` or
    ``Unit.MultipleObjectsReturned`` with a message naming ``value``.
    """
    value = (value or "").strip()
    by_code = Unit.objects.filter(code=value).first()
    if by_code is not None:
        return by_code
    matches = list(Unit.objects.filter(Q(name=value) | Q(short_name=value))[:2])
    if not matches:
        raise Unit.DoesNotExist(f"No unit has the code or name “{value}”.")
    if len(matches) > 1:
        raise Unit.MultipleObjectsReturned(
            f"Several units are named “{value}”; give the unit's code instead."
        )
    return matches[0]
