"""Reads of the unit tree, people and role grants, scoped to the user.

The tree may hold tens of thousands of units: nothing here loads a whole
subtree. Pages show a user's scope roots and one level below, and every list
is a bounded query.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber

from rectify.core.search import text_match

from .models import PATH_END, PATH_STEP, GuidanceGroup, Person, RoleGrant, Unit
from .scoping import (
    CHANGE,
    VIEW,
    editable_by,
    is_system_admin,
    scope_paths,
    units_visible_to,
    visible_to,
)

#: How many children of each scope root the tree page shows before "more…".
CHILDREN_PER_ROOT = 30
#: The most units a unit picker offers; beyond it, units are entered by code.
CHOICE_CAP = 500


def with_child_count(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate ``child_count``: the unit's live children, one correlated count per row."""
    children = (
        Unit.objects.filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return units.annotate(child_count=Coalesce(Subquery(children), Value(0)))


def unit_roots(user) -> QuerySet[Unit]:
    """The roots of the subtrees the user may see: their grants, or the tree's roots."""
    units = units_visible_to(user)
    if is_system_admin(user):
        roots = units.filter(parent__isnull=True)
    else:
        roots = units.filter(path__in=scope_paths(user, VIEW))
    return with_child_count(roots).order_by("path")


def unit_children(user, unit: Unit) -> QuerySet[Unit]:
    """The visible children of ``unit``, in display order, with their own child counts."""
    children = units_visible_to(user).filter(parent=unit)
    return with_child_count(children).order_by("order", "path")


def attach_first_children(user, roots: list[Unit], limit: int = CHILDREN_PER_ROOT) -> None:
    """Set ``first_children`` (at most ``limit`` per root) on each of ``roots``, in one query."""
    by_parent: dict[int, list[Unit]] = {root.pk: [] for root in roots}
    if roots:
        ranked = (
            units_visible_to(user)
            .filter(parent__in=list(by_parent))
            .annotate(
                rank=Window(
                    RowNumber(), partition_by=[F("parent")], order_by=[F("order"), F("path")]
                )
            )
        )
        for child in with_child_count(ranked).filter(rank__lte=limit).order_by("order", "path"):
            by_parent[child.parent_id].append(child)
    for root in roots:
        root.first_children = by_parent[root.pk]
        root.more_children = root.child_count - len(root.first_children)


def unit_search(user, query: str) -> QuerySet[Unit]:
    """Visible units whose name, short name or code contains ``query``."""
    query = query.strip()
    units = units_visible_to(user).filter(text_match(query, "name", "short_name", "code"))
    return with_child_count(units.select_related("parent")).order_by("path")


def unit_breadcrumb(user, unit: Unit) -> list[Unit]:
    """The ancestors of ``unit`` the user may see, root first (``unit`` excluded)."""
    ancestors = unit.ancestor_paths()[:-1]
    if not ancestors:
        return []
    return list(units_visible_to(user).filter(path__in=ancestors).order_by("path"))


def _near_roots(user, levels: int, action: str) -> Q:
    """Units at most ``levels`` below one of the roots of the user's scope for ``action``."""
    if is_system_admin(user):
        return Q(depth__lte=levels)
    near = Q(pk__in=[])
    for path in scope_paths(user, action):
        root_depth = len(path) // PATH_STEP - 1
        near |= Q(path__gte=path, path__lt=path + PATH_END, depth__lte=root_depth + levels)
    return near


def units_for_choice(
    user,
    *,
    levels: int = 2,
    include: QuerySet | None = None,
    action: str = CHANGE,
    cap: int | None = None,
) -> QuerySet[Unit]:
    """Units of the user's scope for ``action``, down to ``levels`` below each scope root.

    When that is more than ``cap`` (default :data:`CHOICE_CAP`) units, fewer
    levels are offered, so that a picker stays complete and usable with tens
    of thousands of units; deeper units are entered by code or reached by
    drilling down. ``include`` adds
    units that must stay choosable (a campaign's current participants).
    """
    cap = cap or CHOICE_CAP
    scoped = units_visible_to(user, action)
    for depth in range(levels, -1, -1):
        candidates = scoped.filter(_near_roots(user, depth, action))
        fits = candidates.order_by()[: cap + 1].count() <= cap
        if fits or depth == 0:
            break
    # When all candidates fit, no LIMIT: an ordered, limited subquery makes SQLite walk
    # every unit in path order to find the few near the top (20 ms at 20,000 units).
    q = Q(pk__in=(candidates if fits else candidates.order_by("path")[:cap]).values("pk"))
    if include is not None:
        q |= Q(pk__in=include.values("pk"))
    return Unit.objects.filter(q).order_by("path")


def units_by_codes(user, codes: list[str]) -> QuerySet[Unit]:
    """The units the user administers whose code is among ``codes``."""
    return units_visible_to(user, CHANGE).filter(code__in=codes)


def people_of_unit(user, unit: Unit) -> QuerySet[Person]:
    """The visible people of ``unit`` (not its subtree), with their logins."""
    people = visible_to(Person.objects.filter(unit=unit), user)
    return people.select_related("user").order_by("name", "pk")


def person_visible(user) -> QuerySet[Person]:
    """People the user may see, with unit and login joined for a detail page."""
    return visible_to(Person.objects.select_related("unit", "user"), user)


def grants_on_unit(unit: Unit) -> QuerySet[RoleGrant]:
    """Role grants held directly on ``unit``, with the login and its person."""
    return (
        RoleGrant.objects.filter(unit=unit)
        .select_related("user", "user__person")
        .order_by("role", "user__username")
    )


def grants_visible_to(user) -> QuerySet[RoleGrant]:
    """Role grants on units the user may see."""
    return RoleGrant.objects.filter(unit__in=units_visible_to(user).values("pk")).select_related(
        "unit"
    )


def login_for_grant(user, username: str):
    """The login named ``username`` that ``user`` may grant a role to, or ``None``.

    A system administrator may pick any login; a unit administrator only the
    logins of people in the subtrees they administer.
    """
    if is_system_admin(user):
        return get_user_model().objects.filter(username=username).first()
    person = (
        editable_by(Person.objects.filter(user__username=username), user)
        .select_related("user")
        .first()
    )
    return person.user if person else None


def persons_near(user, unit: Unit, *, cap: int | None = None) -> QuerySet[Person]:
    """Visible people of ``unit``'s subtree and of its ancestors, for a picker.

    Who answers for a unit's measure usually works there or in a unit above it
    (the association's leaders); the list is bounded by ``cap`` (default
    :data:`CHOICE_CAP`) so that it stays a list at any size of tree.
    """
    near = Q(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    near |= Q(unit__path__in=unit.ancestor_paths()[:-1])
    people = visible_to(Person.objects.filter(near), user).select_related("unit")
    return people.order_by("unit__path", "name", "pk")[: cap or CHOICE_CAP]


def units_near(user, unit: Unit, *, cap: int | None = None) -> QuerySet[Unit]:
    """Visible units of ``unit``'s subtree and its ancestors, for a picker (bounded)."""
    near = Q(path__gte=unit.path, path__lt=unit.path + PATH_END) | Q(
        path__in=unit.ancestor_paths()[:-1]
    )
    return units_visible_to(user).filter(near).order_by("path")[: cap or CHOICE_CAP]


def persons_in_scope_roots(user, *, cap: int | None = None) -> QuerySet[Person]:
    """Visible people of the units near the user's scope roots, for a picker (bounded)."""
    units = units_for_choice(user, levels=1, action=VIEW, cap=cap)
    people = visible_to(Person.objects.filter(unit__in=units.values("pk")), user)
    return people.select_related("unit").order_by("unit__path", "name", "pk")[: cap or CHOICE_CAP]


def guidance_groups_visible_to(user) -> QuerySet[GuidanceGroup]:
    """Groups whose home unit the user administers, and the groups the user leads or belongs to."""
    groups = GuidanceGroup.objects.select_related("home_unit", "leader")
    if is_system_admin(user):
        return groups
    administered = editable_by(GuidanceGroup.objects.all(), user).values("pk")
    q = Q(pk__in=administered)
    if getattr(user, "is_authenticated", False):
        q |= Q(pk__in=GuidanceGroup.objects.filter(members__user=user).values("pk"))
        q |= Q(leader__user=user)
    return groups.filter(q)


def guidance_group_members(group: GuidanceGroup) -> QuerySet[Person]:
    """The group's live members, with unit and login, by name."""
    return group.members.select_related("unit", "user").order_by("name", "pk")


def people_for_group_choice(user, *, with_login: bool, cap: int | None = None) -> QuerySet[Person]:
    """Visible people of the units near the user's administered roots, for a group picker.

    ``with_login`` keeps only people who can sign in (members must). Bounded
    by ``cap`` (default :data:`CHOICE_CAP`); anyone else in scope stays
    choosable by id.
    """
    units = units_for_choice(user, levels=1, action=CHANGE, cap=cap)
    people = visible_to(Person.objects.filter(unit__in=units.values("pk")), user)
    if with_login:
        people = people.filter(user__isnull=False)
    return people.select_related("unit").order_by("unit__path", "name", "pk")[: cap or CHOICE_CAP]
