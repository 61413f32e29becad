"""Writes to the unit tree, people and role grants."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rectify.core.services import attribute_history

from .models import GuidanceGroup, Person, Rank, Role, RoleGrant, Unit, UnitKind, path_segment
from .scoping import can_change_unit, editable_by, is_system_admin, visible_to

# Permission checks below apply when ``acting_user`` is given. ``None`` means a
# trusted caller that already decided (a management command, the demo seeder,
# test factories); every view and API call passes the requesting user.


def _require_unit_admin(acting_user, unit: Unit) -> None:
    """Refuse unless ``acting_user`` administers ``unit`` (or is a trusted caller)."""
    if acting_user is not None and not can_change_unit(acting_user, unit):
        raise PermissionDenied(_("You do not administer the unit “%(unit)s”.") % {"unit": unit})


def _require_system_admin(acting_user) -> None:
    """Refuse unless ``acting_user`` is a system administrator (or a trusted caller)."""
    if acting_user is not None and not is_system_admin(acting_user):
        raise PermissionDenied(_("Only system administrators may do this."))


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
    """Create a unit under ``parent`` (a root when ``parent`` is None).

    Only administrators of ``parent``'s subtree may add a child; only system
    administrators may add a root.
    """
    if parent is None:
        _require_system_admin(acting_user)
    else:
        _require_unit_admin(acting_user, parent)
    unit = Unit(name=name, code=code, parent=parent, short_name=short_name, kind=kind, order=order)
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
    _require_unit_admin(acting_user, unit)
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
    language: str = "",
    user=None,
    acting_user=None,
) -> Person:
    """Add a person to a unit; only administrators of the unit may."""
    _require_unit_admin(acting_user, unit)
    person = Person(
        name=name,
        unit=unit,
        position=position,
        rank=rank,
        is_leadership_member=is_leadership_member,
        phone=phone,
        email=email,
        language=language or settings.LANGUAGE_CODE,
        user=user,
    )
    person.full_clean()
    attribute_history(person, acting_user=acting_user)
    person.save()
    return person


@transaction.atomic
def person_update(*, person: Person, acting_user=None, reason: str = "", **fields) -> Person:
    """Change a person's details; moving them needs administration of both units."""
    _require_unit_admin(acting_user, person.unit)
    if "unit" in fields and fields["unit"] != person.unit:
        _require_unit_admin(acting_user, fields["unit"])
    for field in (
        "name",
        "unit",
        "position",
        "rank",
        "is_leadership_member",
        "phone",
        "email",
        "language",
    ):
        if field in fields and not (field == "language" and not fields[field]):
            setattr(person, field, fields[field])
    person.full_clean()
    attribute_history(person, acting_user=acting_user, reason=reason)
    person.save()
    return person


@transaction.atomic
def person_set_language(*, acting_user, language: str) -> bool:
    """The acting user's own person will get reminders and emails in ``language``.

    Returns whether anything changed (no person, an unknown or the same
    language change nothing).
    """
    if language not in dict(settings.LANGUAGES) or not getattr(acting_user, "pk", None):
        return False
    person = Person.objects.filter(user=acting_user).first()
    if person is None or person.language == language:
        return False
    person.language = language
    attribute_history(person, acting_user=acting_user, reason=_("Language switched"))
    person.save(update_fields=["language", "updated_at"])
    return True


@transaction.atomic
def login_create(*, person: Person, username: str, password: str, acting_user=None):
    """Give a person a login; a login is tied to exactly one person.

    Only administrators of the person's unit may. The username must be free
    and valid; password strength is the caller's policy (the web form applies
    Django's password validators, as Django's own forms do).
    """
    _require_unit_admin(acting_user, person.unit)
    if person.user_id:
        raise ValidationError(_("This person already has a login."), code="has_login")
    user_model = get_user_model()
    user = user_model(username=user_model.normalize_username(username))
    user.set_password(password)
    # Checks uniqueness and the username validators, so a taken name is a
    # field error instead of an IntegrityError.
    user.full_clean(exclude=["password"])
    user.save()
    person.user = user
    attribute_history(person, acting_user=acting_user)
    person.save(update_fields=["user", "updated_at"])
    return user


@transaction.atomic
def role_grant(*, user, unit: Unit, role: str, acting_user=None) -> RoleGrant:
    """Grant ``role`` on ``unit`` (and its subtree) to ``user``; granting twice is a no-op.

    The granter must administer ``unit``; only system administrators grant the
    system administrator role; a unit administrator grants only to logins of
    people within the subtrees they administer.
    """
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    _require_unit_admin(acting_user, unit)
    if role == Role.SYSTEM_ADMIN:
        _require_system_admin(acting_user)
    if (
        acting_user is not None
        and not is_system_admin(acting_user)
        and not editable_by(Person.objects.filter(user=user), acting_user).exists()
    ):
        raise ValidationError(
            _("You may grant roles only to logins of people in the units you administer."),
            code="out_of_scope",
        )
    grant = RoleGrant.objects.filter(user=user, unit=unit, role=role).first()
    if grant is None:
        grant = RoleGrant(user=user, unit=unit, role=role)
        attribute_history(grant, acting_user=acting_user)
        grant.save()
    return grant


@transaction.atomic
def role_revoke(*, grant: RoleGrant, acting_user=None) -> None:
    """Take a role away; the same people who may grant it may revoke it."""
    _require_unit_admin(acting_user, grant.unit)
    if grant.role == Role.SYSTEM_ADMIN:
        _require_system_admin(acting_user)
    attribute_history(grant, acting_user=acting_user)
    grant.delete()


def _check_group_people(*, leader: Person | None, members, acting_user) -> None:
    """Refuse a leader or members the acting user cannot see (a trusted caller may name anyone)."""
    if acting_user is None or is_system_admin(acting_user):
        return
    wanted = {p.pk for p in members} | ({leader.pk} if leader else set())
    seen = set(
        visible_to(Person.objects.filter(pk__in=wanted), acting_user).values_list("pk", flat=True)
    )
    errors = {}
    if leader and leader.pk not in seen:
        errors["leader"] = _("Choose a leader among the people you can see.")
    if any(p.pk not in seen for p in members):
        errors["members"] = _("Choose members among the people you can see.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def guidance_group_create(
    *,
    name: str,
    home_unit: Unit,
    leader: Person | None = None,
    members=(),
    acting_user=None,
) -> GuidanceGroup:
    """Set up a guidance group (巡回指导组) at ``home_unit``; its administrators may.

    Members are meant to be people with logins (the pages offer only those);
    someone without a login yet may be named and given one later.
    """
    _require_unit_admin(acting_user, home_unit)
    members = list(members)
    _check_group_people(leader=leader, members=members, acting_user=acting_user)
    group = GuidanceGroup(name=name, home_unit=home_unit, leader=leader)
    group.full_clean()
    attribute_history(group, acting_user=acting_user)
    group.save()
    group.members.set(members)
    return group


@transaction.atomic
def guidance_group_update(
    *, group: GuidanceGroup, acting_user=None, reason: str = "", **fields
) -> GuidanceGroup:
    """Rename a group, change its leader or members; its home unit stays as set up."""
    _require_unit_admin(acting_user, group.home_unit)
    members = list(fields["members"]) if "members" in fields else None
    # Only what changes is checked: people already in the group stay, seen or not.
    current = set(group.members.values_list("pk", flat=True))
    new_leader = fields.get("leader")
    _check_group_people(
        leader=new_leader if new_leader and new_leader.pk != group.leader_id else None,
        members=[p for p in members or [] if p.pk not in current],
        acting_user=acting_user,
    )
    for field in ("name", "leader"):
        if field in fields:
            setattr(group, field, fields[field])
    group.full_clean()
    attribute_history(group, acting_user=acting_user, reason=reason)
    group.save()
    if members is not None:
        group.members.set(members)
    return group
