"""Reads of opinion solicitation: forms and inboxes in scope, the throttle, and receipts."""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectify.ledger.models import Problem, ProblemStatus
from rectify.ledger.selectors import with_problem_status
from rectify.org.scoping import visible_to

from ..models import Finding, FindingStatus, Opinion, OpinionForm, SubmissionThrottle
from ..services.opinions import rate_window, receipt_hash


def opinion_forms_visible_to(user) -> QuerySet[OpinionForm]:
    """Opinion forms the user may see, with their number of opinions and of those to triage."""
    return (
        visible_to(OpinionForm.objects.all(), user)
        .select_related("campaign", "unit")
        .annotate(
            opinion_count=Count("opinions"),
            new_count=Count("opinions", filter=Q(opinions__finding__status=FindingStatus.NEW)),
        )
        # Meta.ordering is dropped from queries that aggregate: say it again.
        .order_by("-created_at", "-id")
    )


def opinions_visible_to(user) -> QuerySet[Opinion]:
    """Opinions the user may see, with what a list row shows (no per-row queries)."""
    return visible_to(Opinion.objects.all(), user).select_related(
        "form__campaign", "form__unit", "target", "finding__problem", "finding__merged_into"
    )


def submission_throttled(client: str) -> bool:
    """True when ``client`` has used up its submissions within the rate window."""
    count, window = rate_window()
    since = timezone.now() - window
    recent = SubmissionThrottle.objects.filter(client_hash=client, submitted_at__gte=since)
    return recent[:count].count() >= count


class ReceiptState(models.TextChoices):
    """Where an opinion stands, as its submitter sees it on the receipt page."""

    RECEIVED = "received", _("Received, waiting to be handled")
    REPLIED = "replied", _("Replied")
    TAKEN_UP = "taken_up", _("Taken up as a problem to rectify")
    SIGNED_OFF = "signed_off", _("Rectified and signed off")
    REJECTED = "rejected", _("Not taken up")


@dataclass(frozen=True)
class Receipt:
    """What a receipt code shows: the opinion, its state, and why (reply or reason)."""

    opinion: Opinion
    state: ReceiptState
    #: Merged into, or marked a duplicate of, a similar opinion: it shares that one's fate.
    joined: bool
    reason: str = ""


def receipt_of(code: str) -> Receipt | None:
    """The receipt of the opinion whose code is ``code``; ``None`` for any unknown code."""
    opinion = (
        Opinion.objects.select_related("form", "target", "finding__merged_into")
        .filter(receipt_hash=receipt_hash(code))
        .first()
    )
    if opinion is None:
        return None
    finding = opinion.finding
    joined = finding.merged_into_id is not None
    leading = finding.merged_into if joined else finding
    state, reason = _state_of(leading, finding.problem_id)
    if state == ReceiptState.RECEIVED and opinion.reply:
        state = ReceiptState.REPLIED
    return Receipt(opinion=opinion, state=state, joined=joined, reason=reason)


def _state_of(leading: Finding, problem_id: int | None) -> tuple[ReceiptState, str]:
    """The state of the finding an opinion follows (its own, or the one it joined)."""
    if leading.status == FindingStatus.DISMISSED:
        return ReceiptState.REJECTED, leading.dismissed_reason
    if problem_id is None:
        return ReceiptState.RECEIVED, ""
    problem = with_problem_status(Problem.objects.filter(pk=problem_id)).first()
    if problem is None:  # the problem was deleted from the ledger
        return ReceiptState.RECEIVED, ""
    if problem.derived_status == ProblemStatus.SIGNED_OFF:
        return ReceiptState.SIGNED_OFF, ""
    return ReceiptState.TAKEN_UP, ""
