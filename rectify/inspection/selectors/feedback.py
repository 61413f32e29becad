"""Reads of guidance-group feedback (巡回指导组反馈): who may give it where, and what was given."""

from django.db.models import Count, Q, QuerySet

from rectify.campaigns.models import Campaign, GuidanceAssignment
from rectify.org.models import GuidanceGroup, Unit
from rectify.org.scoping import visible_to

from ..models import Finding, GuidanceFeedback


def _groups_of(user) -> QuerySet[GuidanceGroup]:
    """Ids of the live groups ``user`` (through their person) belongs to or leads."""
    groups = GuidanceGroup.objects.filter(Q(members__user=user) | Q(leader__user=user))
    return groups.values("pk")


def groups_supervising(user, unit: Unit, campaign: Campaign) -> QuerySet[GuidanceGroup]:
    """The groups through which ``user`` supervises ``unit`` on ``campaign``: live groups they
    lead or belong to, assigned on that campaign a live unit whose subtree holds ``unit``.

    The same rule as :func:`rectify.campaigns.selectors.guidance_supervises`, per group,
    because feedback is given in the name of one group.
    """
    if not getattr(user, "is_authenticated", False):
        return GuidanceGroup.objects.none()
    assigned = GuidanceAssignment.objects.filter(
        campaign=campaign,
        units__path__in=unit.ancestor_paths(),
        units__deleted_at__isnull=True,
    )
    return GuidanceGroup.objects.filter(
        pk__in=_groups_of(user), assignments__in=assigned.values("pk")
    ).order_by("name", "pk")


def supervised_assignments(user) -> QuerySet[GuidanceAssignment]:
    """Assignments on live campaigns of the groups ``user`` leads or belongs to, with units:
    where this user may give feedback."""
    if not getattr(user, "is_authenticated", False):
        return GuidanceAssignment.objects.none()
    return (
        GuidanceAssignment.objects.filter(
            group__in=_groups_of(user), campaign__deleted_at__isnull=True
        )
        .select_related("campaign", "group")
        .prefetch_related("units")
        .order_by("-campaign__start_date", "group__name", "pk")
    )


def campaigns_supervising(user, unit: Unit) -> QuerySet[Campaign]:
    """Live campaigns on which one of ``user``'s groups is assigned ``unit`` (or a unit above)."""
    assignments = supervised_assignments(user).filter(
        units__path__in=unit.ancestor_paths(), units__deleted_at__isnull=True
    )
    return Campaign.objects.filter(pk__in=assignments.values("campaign")).order_by(
        "-start_date", "pk"
    )


def feedback_visible_to(user) -> QuerySet[GuidanceFeedback]:
    """Feedback the user may see (the unit's staff, and groups assigned there on its campaign),
    with how many points each holds."""
    feedback = GuidanceFeedback.objects.select_related(
        "campaign", "unit", "group", "recorded_by__person"
    ).annotate(point_count=Count("points"))
    # An aggregate drops the model's default ordering: pages need a stable one.
    return visible_to(feedback, user).order_by("-given_on", "-id")


def points_of(feedback: GuidanceFeedback) -> QuerySet[Finding]:
    """The feedback's points, in the order given, with their triage outcome.

    Every point belongs to the feedback's unit and campaign: whoever may see
    the feedback may see its points.
    """
    return (
        Finding.objects.filter(feedback=feedback).select_related("target", "problem").order_by("id")
    )
