"""Writes to the unit tree, people and role grants."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rectify.core.services import attribute_history

from .models import Person, Rank, Role, RoleGrant, Unit, UnitKind, path_segment


@transaction.atomic
def unit_create(
    *,
    name: str,
    code: str,
    parent: Unit | None = None,
    short_name: str = "",
    kind: str = UnitKind.OTHER,
    order: int = 0,
    acting_user=None,
) -> Unit:
    """Create a unit under ``parent`` (a root when ``parent`` is None)."""
    unit = Unit(
        name=name, code=code, parent=parent, short_name=short_name, kind=kind, order=order
    )
    unit.path = "0" * 8  # placeholder until the id is known
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.depth = parent.depth + 1 if parent else 0
    Unit.all_objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, acting_user=None, **fields) -> Unit:
    """Rename or recode a unit. Moving a unit is not offered (its path would change)."""
    for field in ("name", "short_name", "code", "kind", "order"):
        if field in fields:
            setattr(unit, field, fields[field])
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def person_create(
    *,
    name: str,
    unit: Unit,
    position: str = "",
    rank: str = Rank.GENERAL,
    is_leadership_member: bool = False,
    phone: str = "",
    email: str = "",
    user=None,
    acting_user=None,
) -> Person:
    """Add a person to a unit."""
    person = Person(
        name=name,
        unit=unit,
        position=position,
        rank=rank,
        is_leadership_member=is_leadership_member,
        phone=phone,
        email=email,
        user=user,
    )
    person.full_clean()
    attribute_history(person, acting_user=acting_user)
    person.save()
    return person


@transaction.atomic
def person_update(*, person: Person, acting_user=None, reason: str = "", **fields) -> Person:
    """Change a person's details."""
    for field in ("name", "unit", "position", "rank", "is_leadership_member", "phone", "email"):
        if field in fields:
            setattr(person, field, fields[field])
    person.full_clean()
    attribute_history(person, acting_user=acting_user, reason=reason)
    person.save()
    return person


@transaction.atomic
def login_create(*, person: Person, username: str, password: str, acting_user=None):
    """Give a person a login; a login is tied to exactly one person."""
    if person.user_id:
        raise ValidationError(_("This person already has a login."), code="has_login")
    user = get_user_model().objects.create_user(username=username, password=password)
    person.user = user
    attribute_history(person, acting_user=acting_user)
    person.save(update_fields=["user", "updated_at"])
    return user


@transaction.atomic
def role_grant(*, user, unit: Unit, role: str, acting_user=None) -> RoleGrant:
    """Grant ``role`` on ``unit`` (and its subtree) to ``user``; granting twice is a no-op."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    grant, _created = RoleGrant.objects.get_or_create(user=user, unit=unit, role=role)
    return grant


@transaction.atomic
def role_revoke(*, grant: RoleGrant, acting_user=None) -> None:
    """Take a role away."""
    grant.delete()
