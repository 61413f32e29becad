"""The one place that answers "which units may this user see / change".

Every queryset that reaches a user passes through :func:`visible_to` or
:func:`editable_by`. A model opts in by naming, as class attributes,

- ``scope_unit_field``: the lookup from the model to the :class:`Unit` it
  belongs to (``"unit"``, ``"measure__unit"``), and optionally
- ``scope_person_field``: the lookup to the :class:`Person` rows who answer
  for it; a login tied to one of them sees (and may report on) the row
  wherever it lives;
- ``scope_campaign_field``: the lookup to the campaign a row belongs to, for
  rows that reading scopes granted per campaign (a guidance group's
  assignment) must confine to that campaign.

Scope is always expressed in SQL (a subquery on unit path ranges), never as a
list of ids pulled into Python, so it stays one query at any size.
"""

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from .models import EDITING_ROLES, PATH_END, Role, RoleGrant, Unit

VIEW = "view"
CHANGE = "change"

#: ``provider(user) -> [(unit path, campaign id or None)]``: subtrees the user may also
#: read (not change), each for one campaign only, or for all when the id is None.
ViewScopeProvider = Callable[[object], Iterable[tuple[str, int | None]]]
_view_scope_providers: list[ViewScopeProvider] = []


def register_view_scope(provider: ViewScopeProvider) -> None:
    """Let ``provider(user)`` add subtree roots the user may VIEW; registering twice is a no-op.

    This is how apps that know more than the org app widen reading scope
    without the org app importing them: the campaigns app registers the units
    assigned to a user's guidance groups, each for the campaign of its
    assignment. ``CHANGE`` scope never comes from here.
    """
    if provider not in _view_scope_providers:
        _view_scope_providers.append(provider)


def _provided_view_scope(user) -> list[tuple[str, int | None]]:
    """The registered providers' ``(path, campaign id)`` pairs, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_rectify_view_scope", None)
    if cached is None:
        cached = sorted(
            {pair for provider in _view_scope_providers for pair in provider(user)},
            key=lambda pair: (pair[0], pair[1] or 0),
        )
        user._rectify_view_scope = cached
    return cached


def _provided_view_paths(user) -> list[str]:
    """The paths of :func:`_provided_view_scope`, whatever their campaign."""
    return sorted({path for path, _campaign in _provided_view_scope(user)})


def subtree_roots(paths) -> list[str]:
    """``paths`` less those already inside another one: fewer ranges, same scope."""
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def _grants(user) -> list[tuple[str, str]]:
    """``(role, unit path)`` of every grant the user holds, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_rectify_grants", None)
    if cached is None:
        cached = list(
            RoleGrant.objects.filter(user=user, unit__deleted_at__isnull=True).values_list(
                "role", "unit__path"
            )
        )
        user._rectify_grants = cached
    return cached


def is_system_admin(user) -> bool:
    """Superusers and holders of the system administrator role see and change everything."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(role == Role.SYSTEM_ADMIN for role, _ in _grants(user))


def scope_paths(user, action: str = VIEW) -> list[str]:
    """The roots of the subtrees the user may see (``VIEW``) or change (``CHANGE``).

    ``VIEW`` adds the paths of the registered view-scope providers (guidance
    groups' assigned units); ``CHANGE`` comes from editing role grants alone.
    """
    roles = EDITING_ROLES if action == CHANGE else tuple(Role)
    paths = {path for role, path in _grants(user) if role in roles}
    if action != CHANGE:
        paths.update(_provided_view_paths(user))
    return subtree_roots(paths)


def units_in_paths(paths: list[str]) -> QuerySet:
    """Units within any of the subtrees rooted at ``paths`` (including deleted ones)."""
    if not paths:
        return Unit.all_objects.none()
    ranges = [Q(path__gte=p, path__lt=p + PATH_END) for p in paths]
    return Unit.all_objects.filter(reduce(or_, ranges))


def units_visible_to(user, action: str = VIEW) -> QuerySet:
    """Units the user may see or change."""
    if is_system_admin(user):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=units_in_paths(scope_paths(user, action)).values("pk"))


def scope_q(model, user, action: str = VIEW) -> Q | None:
    """A ``Q`` restricting ``model`` to what the user may see or change; ``None`` means all."""
    if is_system_admin(user):
        return None
    unit_field = model.scope_unit_field
    clauses = []
    paths = scope_paths(user, action)
    campaign_field = getattr(model, "scope_campaign_field", None)
    if paths and campaign_field and action == VIEW:
        clauses.extend(_per_campaign_clauses(user, unit_field, campaign_field))
    elif paths:
        clauses.append(Q(**{f"{unit_field}__in": units_in_paths(paths).values("pk")}))
    person_field = getattr(model, "scope_person_field", None)
    person = _person_id(user)
    if person_field and person is not None:
        # Responsible persons see and report on what they answer for, wherever it is.
        # Only rows outside their unit scope need the extra clause; when there are
        # none (the usual case for an administrator) the OR is left out, because it
        # keeps PostgreSQL from using the unit index.
        answered = model._base_manager.filter(**{f"{person_field}__pk": person})
        if paths:
            answered = answered.exclude(**{f"{unit_field}__in": units_in_paths(paths).values("pk")})
        if answered.exists():
            clauses.append(Q(pk__in=answered.values("pk")))
    if not clauses:
        return Q(pk__in=[])
    return reduce(or_, clauses)


def _per_campaign_clauses(user, unit_field: str, campaign_field: str) -> list[Q]:
    """Reading scope of a campaign's rows: grants cover every campaign, a provided
    subtree only its own campaign (a guidance group assigned a unit for one
    campaign sees nothing of that unit in another)."""
    granted = subtree_roots(path for _role, path in _grants(user))
    clauses = []
    if granted:
        clauses.append(Q(**{f"{unit_field}__in": units_in_paths(granted).values("pk")}))
    by_campaign: dict[int | None, list[str]] = {}
    for path, campaign in _provided_view_scope(user):
        if not any(path.startswith(root) for root in granted):
            by_campaign.setdefault(campaign, []).append(path)
    for campaign, provided in by_campaign.items():
        clause = Q(**{f"{unit_field}__in": units_in_paths(subtree_roots(provided)).values("pk")})
        if campaign is not None:
            clause &= Q(**{f"{campaign_field}_id": campaign})
        clauses.append(clause)
    return clauses


def _person(user):
    """The :class:`Person` tied to this login (with its unit), fetched once per user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_rectify_person"):
        from .models import Person

        person = Person.objects.filter(user=user).select_related("unit").first()
        user._rectify_person = person
        # ``user.person`` (the layout names the person) then costs no second query.
        Person.user.field.remote_field.set_cached_value(user, person)
    return user._rectify_person


def _person_id(user) -> int | None:
    person = _person(user)
    return person.pk if person else None


def visible_to(queryset: QuerySet, user) -> QuerySet:
    """Restrict ``queryset`` to the rows ``user`` may see."""
    q = scope_q(queryset.model, user, VIEW)
    return queryset if q is None else queryset.filter(q)


def editable_by(queryset: QuerySet, user) -> QuerySet:
    """Restrict ``queryset`` to the rows ``user`` may change as an administrator of their unit.

    Responsible persons are not editors here: they may report progress on what
    they answer for (see :func:`visible_to`), not rewrite it.
    """
    if is_system_admin(user):
        return queryset
    paths = scope_paths(user, CHANGE)
    if not paths:
        return queryset.none()
    field = queryset.model.scope_unit_field
    return queryset.filter(**{f"{field}__in": units_in_paths(paths).values("pk")})


def can_change_unit(user, unit: Unit) -> bool:
    """True when ``unit`` lies in a subtree the user administers."""
    if is_system_admin(user):
        return True
    return any(unit.path.startswith(p) for p in scope_paths(user, CHANGE))


def holds_role(user, unit: Unit, roles) -> bool:
    """True when the user holds one of ``roles`` on ``unit`` or a unit above it."""
    return any(role in roles and unit.path.startswith(path) for role, path in _grants(user))


def can_see_unit_for_campaign(user, unit: Unit, campaign_id: int) -> bool:
    """True when the user may read ``unit``'s subtree in campaign ``campaign_id``: a grant
    covers every campaign, a guidance assignment only its own."""
    if is_system_admin(user):
        return True
    if any(unit.path.startswith(path) for _role, path in _grants(user)):
        return True
    return any(
        unit.path.startswith(path) and campaign in (None, campaign_id)
        for path, campaign in _provided_view_scope(user)
    )


def campaign_view_paths(user, campaign_id: int) -> list[str]:
    """The roots of the subtrees the user may read in campaign ``campaign_id``: their role
    grants' units (every campaign) and the units provided for this campaign (guidance
    assignments). Cached like the grants: no query after the first."""
    paths = {path for _role, path in _grants(user)}
    paths.update(
        path for path, campaign in _provided_view_scope(user) if campaign in (None, campaign_id)
    )
    return subtree_roots(paths)


def person_of(user):
    """The :class:`Person` tied to this login, or ``None``."""
    return _person(user)
