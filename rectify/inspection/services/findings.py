"""Findings: recorded by every source, then triaged (promoted, joined, dismissed)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign, Target
from rectify.core.services import attribute_history
from rectify.ledger import services as ledger_services
from rectify.ledger.models import Level, Problem, Source
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit

from ..models import TEXT_MAX_LENGTH, Finding, FindingStatus


def record_finding(
    *,
    campaign: Campaign,
    unit: Unit,
    source: str,
    text: str,
    target: Target | None = None,
    level: str = "",
    acting_user=None,
    **origin,
) -> Finding:
    """Put a finding in ``unit``'s triage queue for ``campaign``; the caller holds the transaction.

    ``origin`` names the one source row it came from (``answer=``,
    ``opinion=``, ``research_topic=``, ``feedback=``); the sources call this,
    having checked their own permissions.
    """
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    if target is not None and target.campaign_id != campaign.pk:
        raise ValidationError({"target": _("This target does not belong to the campaign.")})
    if not campaign.includes_unit(unit):
        raise ValidationError({"unit": _("This unit does not take part in the campaign.")})
    if len(text.strip()) > TEXT_MAX_LENGTH:
        # A TextField's max_length is not a model validator: full_clean would let it through.
        raise ValidationError({"text": _("At most %(max)s characters.") % {"max": TEXT_MAX_LENGTH}})
    finding = Finding(
        campaign=campaign,
        unit=unit,
        source=source,
        target=target,
        level=level,
        text=text.strip(),
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        **origin,
    )
    finding.full_clean()
    attribute_history(finding, acting_user=acting_user)
    finding.save()
    return finding


#: The sources a finding may be recorded by hand with; the others come from their own pages.
HAND_SOURCES = (Source.SUPERIOR, Source.OTHER)


@transaction.atomic
def finding_create(
    *,
    campaign: Campaign,
    unit: Unit,
    source: str,
    text: str,
    target: Target | None = None,
    level: str = "",
    acting_user,
) -> Finding:
    """Record by hand a finding that came in on paper or by word (上级反馈, 其他) into the queue."""
    if not can_change_unit(acting_user, unit):
        raise PermissionDenied(_("You may not record findings for “%(unit)s”.") % {"unit": unit})
    if source not in HAND_SOURCES:
        raise ValidationError(
            {"source": _("Findings of this source are recorded from their own pages.")}
        )
    return record_finding(
        campaign=campaign,
        unit=unit,
        source=source,
        text=text,
        target=target,
        level=level,
        acting_user=acting_user,
    )


def _require_triager(user, finding: Finding) -> None:
    """Only those who keep the unit's ledger triage its findings."""
    if not can_change_unit(user, finding.unit):
        raise PermissionDenied(
            _("You may not triage the findings of “%(unit)s”.") % {"unit": finding.unit}
        )


def _require_new(finding: Finding) -> None:
    if finding.status != FindingStatus.NEW:
        raise ValidationError(
            _("This finding has already been triaged (%(status)s).")
            % {"status": finding.get_status_display()}
        )


def _settle(finding: Finding, *, status: str, acting_user, reason: str, **fields) -> None:
    """Save ``finding``'s triage outcome with who, when and why in its history."""
    finding.status = status
    for name, value in fields.items():
        setattr(finding, name, value)
    finding.triaged_by = acting_user if getattr(acting_user, "pk", None) else None
    finding.triaged_at = timezone.now()
    attribute_history(finding, acting_user=acting_user, reason=reason)
    finding.save()


def _link_joined(finding: Finding, problem: Problem, *, acting_user, reason: str) -> None:
    """Findings merged into or marked duplicate of ``finding`` follow it to ``problem``."""
    for joined in Finding.objects.filter(merged_into=finding).exclude(problem=problem):
        joined.problem = problem
        attribute_history(joined, acting_user=acting_user, reason=reason)
        joined.save(update_fields=["problem", "updated_at"])


@transaction.atomic
def finding_promote(
    *,
    finding: Finding,
    acting_user,
    target: Target | None = None,
    description: str = "",
    level: str = "",
    root_cause: str = "",
) -> Problem:
    """Turn ``finding`` into a new problem of its unit, through the ledger's service.

    The problem keeps the finding's source; the finding (and every finding
    joined to it) keeps the link to the problem.
    """
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_triager(acting_user, finding)
    _require_new(finding)
    target = target or finding.target
    if target is None:
        raise ValidationError({"target": _("Choose the target this problem falls short of.")})
    reason = _("Promoted from finding %(pk)s") % {"pk": finding.pk}
    problem = ledger_services.problem_create(
        campaign=finding.campaign,
        unit=finding.unit,
        target=target,
        description=(description or finding.text).strip(),
        source=finding.source,
        level=level or finding.level or Level.UNIT,
        found_on=timezone.localtime(finding.created_at).date(),
        root_cause=root_cause,
        acting_user=acting_user,
        reason=reason,
    )
    _settle(
        finding,
        status=FindingStatus.PROMOTED,
        acting_user=acting_user,
        reason=reason,
        problem=problem,
        target=target,
    )
    _link_joined(finding, problem, acting_user=acting_user, reason=reason)
    return problem


@transaction.atomic
def finding_attach(*, finding: Finding, problem: Problem, acting_user) -> Finding:
    """Count ``finding`` as one more source of an existing problem of the same unit and campaign."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_triager(acting_user, finding)
    _require_new(finding)
    # Read the problem afresh: one deleted since the caller loaded it is no home.
    problem = Problem.all_objects.get(pk=problem.pk)
    if (
        problem.campaign_id != finding.campaign_id
        or problem.unit_id != finding.unit_id
        or problem.is_deleted
    ):
        raise ValidationError(
            {"problem": _("Choose a problem of this finding's own unit and campaign.")}
        )
    reason = _("Attached to problem %(pk)s") % {"pk": problem.pk}
    _settle(
        finding,
        status=FindingStatus.PROMOTED,
        acting_user=acting_user,
        reason=reason,
        problem=problem,
    )
    _link_joined(finding, problem, acting_user=acting_user, reason=reason)
    return finding


@transaction.atomic
def finding_join(
    *, finding: Finding, into: Finding, acting_user, duplicate: bool = False
) -> Finding:
    """Merge ``finding`` into ``into`` (or mark it a duplicate of it); the original is kept.

    A joined finding follows the one it joined: when that one is promoted or
    attached, the joined one links to the same problem. Joining a finding
    that others joined moves them along, so chains never form.
    """
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_triager(acting_user, finding)
    _require_new(finding)
    # Lock the finding joined too, so that it cannot be promoted between our read of
    # its problem and our save (the joiner would miss the link).
    into = Finding.objects.select_for_update().get(pk=into.pk)
    while into.merged_into_id is not None:
        into = Finding.objects.select_for_update().get(pk=into.merged_into_id)
    if into.pk == finding.pk:
        raise ValidationError({"into": _("A finding cannot join itself.")})
    if into.campaign_id != finding.campaign_id or into.unit_id != finding.unit_id:
        raise ValidationError({"into": _("Choose a finding of the same unit and campaign.")})
    if into.status == FindingStatus.DISMISSED:
        raise ValidationError({"into": _("That finding was dismissed.")})
    status = FindingStatus.DUPLICATE if duplicate else FindingStatus.MERGED
    reason = _("Joined finding %(pk)s") % {"pk": into.pk}
    _settle(
        finding,
        status=status,
        acting_user=acting_user,
        reason=reason,
        merged_into=into,
        problem=into.problem,
    )
    for joined in Finding.objects.filter(merged_into=finding):
        joined.merged_into = into
        joined.problem = into.problem
        attribute_history(joined, acting_user=acting_user, reason=reason)
        joined.save(update_fields=["merged_into", "problem", "updated_at"])
    return finding


@transaction.atomic
def finding_dismiss(*, finding: Finding, reason: str, acting_user) -> Finding:
    """Dismiss ``finding`` with a reason; it stays in the queue's history, with the reason."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_triager(acting_user, finding)
    _require_new(finding)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this finding is dismissed.")})
    _settle(
        finding,
        status=FindingStatus.DISMISSED,
        acting_user=acting_user,
        reason=reason,
        dismissed_reason=reason,
    )
    return finding
