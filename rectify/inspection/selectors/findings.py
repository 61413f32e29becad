"""Reads of the findings triage: the queue in scope, its counts, candidates, a problem's sources."""

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.ledger.models import Problem
from rectify.org.models import Person, Unit
from rectify.org.scoping import editable_by, scope_paths, visible_to

from ..models import Finding, FindingStatus

#: Statuses a finding may join (a dismissed one is no home; joined ones lead to their root).
JOINABLE_STATUSES = (FindingStatus.NEW, FindingStatus.PROMOTED)


def findings_visible_to(user) -> QuerySet[Finding]:
    """Findings the user may see, with what a queue row and the finding page show."""
    return visible_to(Finding.objects.all(), user).select_related(
        "campaign", "unit", "target", "problem", "merged_into"
    )


def to_triage_count(user) -> int:
    """Findings in the user's scope still waiting for triage."""
    return visible_to(Finding.objects.filter(status=FindingStatus.NEW), user).count()


def finding_status_counts(findings: QuerySet[Finding]) -> dict[str, int]:
    """How many of ``findings`` are in each status (every status present, zero or not)."""
    counted = dict(findings.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counted.get(status, 0) for status in FindingStatus.values}


def default_queue(user) -> tuple[Campaign | None, Unit | None]:
    """The queue to open when none is named: the user's only campaign and only scope root."""
    campaigns = list(campaigns_visible_to(user)[:2])
    roots = scope_paths(user)
    unit = Unit.objects.filter(path=roots[0]).first() if len(roots) == 1 else None
    return (campaigns[0] if len(campaigns) == 1 else None), unit


def joined_findings(finding: Finding, user) -> QuerySet[Finding]:
    """The findings merged into or marked duplicate of ``finding`` that the user may see."""
    return visible_to(finding.joined.all(), user).order_by("created_at", "id")


def attach_candidates(finding: Finding, user) -> QuerySet[Problem]:
    """Live problems of the finding's unit and campaign the user may attach it to."""
    problems = Problem.objects.filter(campaign=finding.campaign_id, unit=finding.unit_id)
    return editable_by(problems, user).order_by("-id")


def join_candidates(finding: Finding, user) -> QuerySet[Finding]:
    """Findings of the same queue that ``finding`` may be merged into or marked duplicate of."""
    findings = Finding.objects.filter(
        campaign=finding.campaign_id, unit=finding.unit_id, status__in=JOINABLE_STATUSES
    ).exclude(pk=finding.pk)
    return visible_to(findings, user).order_by("-created_at", "-id")


def problem_sources(problem: Problem, user) -> list[Finding]:
    """The findings that became ``problem`` (promoted, attached or joined) the user may see."""
    findings = visible_to(Finding.objects.filter(problem=problem), user)
    return list(findings.order_by("created_at", "id"))


def finding_history(finding: Finding) -> list[dict]:
    """The finding's history, newest first, shaped for ``ledger/partials/history.html``.

    A finding changes only by triage, and each triage names itself in the
    reason, so an entry shows who, when, why, and the status it moved to.
    """
    records = list(finding.history.select_related("history_user").order_by("-history_id"))
    users = {record.history_user_id for record in records} - {None}
    names = dict(Person.all_objects.filter(user_id__in=users).values_list("user_id", "name"))
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        if previous is None:
            action = _("created")
        elif previous.status != record.status:
            action = record.get_status_display()
        else:
            action = ""
        user = record.history_user
        entries.append(
            {
                "when": record.history_date,
                "who": names.get(record.history_user_id) or (user.get_username() if user else ""),
                "reason": record.history_change_reason or "",
                "action": action,
                "changes": [],
            }
        )
    return entries
