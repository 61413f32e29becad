"""Pages of the problem list (问题清单): list, detail, create, edit, delete and restore."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.campaigns.selectors import campaigns_visible_to, chosen_campaign
from rectify.core.forms import ReasonForm, add_service_error
from rectify.core.pagination import paginate
from rectify.org.scoping import can_change_unit, editable_by

from .. import services
from ..filters import ProblemFilter
from ..forms import ProblemCreateForm, ProblemEditForm, problem_initial
from ..models import Measure
from ..panels import problem_panels
from ..rows import measure_rows
from ..selectors import measures_visible_to, problems_visible_to, with_light
from .common import (
    describe_history,
    edits_anything,
    filtered,
    narrow_filter,
    problem_for,
    require_editor,
    save_versioned,
    soft_delete_or_restore,
)


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    """The problem list (问题清单), filtered, sorted and paginated."""
    filterset = ProblemFilter(request.GET, queryset=problems_visible_to(request.user))
    narrow_filter(filterset, request.user)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "can_create": edits_anything(request.user),
    }
    return render(request, "ledger/problem_list.html", context)


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A problem's facts, its measures with their lights, and its history."""
    problem = problem_for(request.user, pk)
    can_edit = can_change_unit(request.user, problem.unit)
    measures = measure_rows(measures_visible_to(request.user).filter(problem=problem))
    deleted_measures = []
    if can_edit and not problem.is_deleted:
        deleted = editable_by(Measure.all_objects.deleted().filter(problem=problem), request.user)
        deleted_measures = with_light(deleted)
    context = {
        "problem": problem,
        "measures": measures,
        "deleted_measures": deleted_measures,
        "can_edit": can_edit,
        "reason_form": ReasonForm(),
        "history": describe_history(problem),
        "panels": problem_panels(problem, request.user),
    }
    return render(request, "ledger/problem_detail.html", context)


@login_required
def problem_create(request: HttpRequest) -> HttpResponse:
    """Record a new problem: choose the campaign, then the unit, target and facts."""
    campaigns = campaigns_visible_to(request.user)
    slug = request.POST.get("campaign") or request.GET.get("campaign")
    campaign = chosen_campaign(campaigns, slug)
    if campaign is None:
        return render(request, "ledger/problem_form.html", {"campaigns": campaigns})
    form = ProblemCreateForm(request.POST or None, user=request.user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Problem No. %(pk)s recorded.") % {"pk": problem.pk})
            return redirect(problem)
    context = {"form": form, "campaign": campaign, "campaigns": campaigns}
    return render(request, "ledger/problem_form.html", context)


@login_required
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a problem; a save over someone else's newer save is refused."""
    problem = get_object_or_404(problems_visible_to(request.user), pk=pk)
    require_editor(request.user, problem.unit)
    form = ProblemEditForm(
        request.POST or None,
        user=request.user,
        campaign=problem.campaign,
        problem=problem,
        initial=problem_initial(problem),
    )
    saved = save_versioned(
        request,
        form,
        problem,
        partial(services.problem_update, problem=problem),
        success=_("Problem No. %(pk)s saved.") % {"pk": problem.pk},
    )
    if saved:
        return saved
    context = {"form": form, "problem": problem, "campaign": problem.campaign}
    return render(request, "ledger/problem_form.html", context)


@require_POST
@login_required
def problem_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Soft-delete a problem with its measures (an administrator can restore them)."""
    problem = get_object_or_404(problems_visible_to(request.user), pk=pk)
    require_editor(request.user, problem.unit)
    return soft_delete_or_restore(
        request, problem, services.problem_delete, success=_("Problem deleted. It can be restored.")
    )


@require_POST
@login_required
def problem_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring back a deleted problem and the measures deleted with it."""
    problem = problem_for(request.user, pk)
    require_editor(request.user, problem.unit)
    if not problem.is_deleted:
        return redirect(problem)
    return soft_delete_or_restore(
        request, problem, services.problem_restore, success=_("Problem restored.")
    )
