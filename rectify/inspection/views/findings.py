"""Pages of the findings triage: the queue of a unit and campaign, a finding, its triage actions."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import add_service_error
from rectify.core.pagination import paginate
from rectify.ledger.models import Problem, Source
from rectify.ledger.views.common import filtered, narrow_filter
from rectify.org.scoping import can_change_unit

from ..filters.findings import FindingFilter
from ..forms.findings import (
    FindingAttachForm,
    FindingCreateForm,
    FindingDismissForm,
    FindingJoinForm,
    FindingPromoteForm,
)
from ..models import Finding, FindingStatus
from ..selectors.findings import (
    attach_candidates,
    default_queue,
    finding_history,
    findings_visible_to,
    join_candidates,
    joined_findings,
    problem_sources,
)
from ..services import findings as services


def queue_url(campaign, unit) -> str:
    """The triage queue of ``unit`` in ``campaign``."""
    query = urlencode({"campaign": campaign.slug, "unit": unit.pk})
    return f"{reverse('inspection:finding-list')}?{query}"


def _queue_query(request: HttpRequest):
    """The request's filters, with the user's only campaign and scope root filled in if absent."""
    data = request.GET.copy()
    if not data.get("campaign") or not data.get("unit"):
        campaign, unit = default_queue(request.user)
        if campaign is not None and not data.get("campaign"):
            data["campaign"] = campaign.slug
        if unit is not None and not data.get("unit"):
            data["unit"] = str(unit.pk)
    return data


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    """The triage queue (one per unit and campaign), filtered, counted per status, paginated."""
    user = request.user
    filterset = FindingFilter(_queue_query(request), queryset=findings_visible_to(user))
    narrow_filter(filterset, user)
    campaign, unit = filterset.queue
    if campaign is None or unit is None:
        findings, counts = Finding.objects.none(), None
    else:
        findings, counts = filtered(filterset), filterset.status_counts()
    context = {
        "filter": filterset,
        "campaign": campaign,
        "unit": unit,
        "page_obj": paginate(request, findings),
        "counts": counts and [(s.value, s.label, counts[s.value]) for s in FindingStatus],
        "total": counts and sum(counts.values()),
        "status": filterset.data.get("status"),
        "can_record": unit is not None and can_change_unit(user, unit),
    }
    return render(request, "inspection/findings_list.html", context)


def _finding_for(user, pk: int) -> Finding:
    """A finding the user may see; 404 for one that is missing or out of scope alike."""
    return get_object_or_404(findings_visible_to(user), pk=pk)


def _triageable(user, finding: Finding) -> bool:
    return finding.status == FindingStatus.NEW and can_change_unit(user, finding.unit)


def render_finding(request: HttpRequest, finding: Finding, **bound) -> HttpResponse:
    """The finding page, with whichever triage form was just posted bound to its errors."""
    user = request.user
    forms, refused = {}, []
    if _triageable(user, finding):
        forms = {
            "promote_form": FindingPromoteForm(finding=finding),
            "attach_form": FindingAttachForm(problems=attach_candidates(finding, user)),
            "join_form": FindingJoinForm(findings=join_candidates(finding, user)),
            "dismiss_form": FindingDismissForm(),
        } | bound
    else:
        # Someone triaged it first: no form to show, but say why nothing happened.
        refused = [error for form in bound.values() for error in form.non_field_errors()]
    label, url = finding.origin()
    context = {
        "finding": finding,
        "origin_label": label,
        "origin_url": url,
        "joined": joined_findings(finding, user),
        "history": finding_history(finding),
        "queue_url": queue_url(finding.campaign, finding.unit),
        "refused": refused,
        **forms,
    }
    return render(request, "inspection/findings_detail.html", context)


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding: its text, source, origin, what joined it, where it went, and its history."""
    return render_finding(request, _finding_for(request.user, pk))


def _triage_target(request: HttpRequest, pk: int) -> Finding:
    """The finding a triage action posts to: in scope (else 404), and the user may triage it."""
    finding = _finding_for(request.user, pk)
    if not can_change_unit(request.user, finding.unit):
        raise PermissionDenied(
            _("You may not triage the findings of “%(unit)s”.") % {"unit": finding.unit}
        )
    return finding


@require_POST
@login_required
def finding_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """Promote a finding into a new problem, then show that problem."""
    finding = _triage_target(request, pk)
    form = FindingPromoteForm(request.POST, finding=finding)
    if form.is_valid():
        try:
            problem = services.finding_promote(
                finding=finding, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Finding No. %(finding)s became problem No. %(problem)s.")
                % {"finding": finding.pk, "problem": problem.pk},
            )
            return redirect(problem)
    return render_finding(request, finding, promote_form=form)


@require_POST
@login_required
def finding_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a finding to an existing problem of its unit and campaign, then show that problem."""
    finding = _triage_target(request, pk)
    form = FindingAttachForm(request.POST, problems=attach_candidates(finding, request.user))
    if form.is_valid():
        problem: Problem = form.cleaned_data["problem"]
        try:
            services.finding_attach(finding=finding, problem=problem, acting_user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Finding No. %(finding)s attached to problem No. %(problem)s.")
                % {"finding": finding.pk, "problem": problem.pk},
            )
            return redirect(problem)
    return render_finding(request, finding, attach_form=form)


@require_POST
@login_required
def finding_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a finding into another of its queue (or mark it a duplicate); back to the queue."""
    finding = _triage_target(request, pk)
    form = FindingJoinForm(request.POST, findings=join_candidates(finding, request.user))
    if form.is_valid():
        into = form.cleaned_data["into"]
        try:
            services.finding_join(
                finding=finding,
                into=into,
                duplicate=form.cleaned_data["duplicate"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Finding No. %(finding)s joined finding No. %(into)s.")
                % {"finding": finding.pk, "into": into.pk},
            )
            return redirect(queue_url(finding.campaign, finding.unit))
    return render_finding(request, finding, join_form=form)


@require_POST
@login_required
def finding_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss a finding with a reason, then back to the queue."""
    finding = _triage_target(request, pk)
    form = FindingDismissForm(request.POST)
    if form.is_valid():
        try:
            services.finding_dismiss(
                finding=finding, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Finding No. %(pk)s dismissed.") % {"pk": finding.pk})
            return redirect(queue_url(finding.campaign, finding.unit))
    return render_finding(request, finding, dismiss_form=form)


@login_required
def finding_create(request: HttpRequest) -> HttpResponse:
    """Record by hand a finding that came from superiors or elsewhere, into a unit's queue."""
    campaigns = campaigns_visible_to(request.user)
    slug = request.POST.get("campaign") or request.GET.get("campaign")
    campaign = campaigns.filter(slug=slug).first() if slug else None
    initial = {"campaign": slug, "unit": request.GET.get("unit"), "source": Source.SUPERIOR}
    form = FindingCreateForm(
        request.POST or None,
        user=request.user,
        campaigns=campaigns,
        campaign=campaign,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.finding_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Finding No. %(pk)s recorded.") % {"pk": finding.pk})
            return redirect(queue_url(finding.campaign, finding.unit))
    return render(request, "inspection/findings_form.html", {"form": form})


def problem_sources_panel(problem: Problem, user) -> tuple[str, dict] | None:
    """The problem page's "sources" panel: the findings it came from (see ledger.panels)."""
    findings = problem_sources(problem, user)
    if not findings:
        return None
    context = {
        "findings": findings,
        "opinion_count": sum(finding.opinion_id is not None for finding in findings),
    }
    return "inspection/findings_problem_panel.html", context
