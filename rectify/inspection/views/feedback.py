"""Pages of guidance-group feedback (巡回指导组反馈): list, record one, one with its points."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rectify.core.forms import add_service_error
from rectify.core.pagination import paginate
from rectify.ledger.views.common import filtered
from rectify.org.scoping import units_visible_to

from ..filters.feedback import FeedbackFilter
from ..forms.feedback import FeedbackForm, PointFormSet, point_rows
from ..selectors.feedback import (
    campaigns_supervising,
    feedback_visible_to,
    groups_supervising,
    points_of,
    supervised_assignments,
)
from ..services import feedback as services


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    """Feedback the user may see; guidance-group members also see where they may give it."""
    user = request.user
    filterset = FeedbackFilter(request.GET, queryset=feedback_visible_to(user), user=user)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "assignments": supervised_assignments(user),
    }
    return render(request, "inspection/feedback_list.html", context)


@login_required
def feedback_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a guidance group's feedback to a unit: date, summary and points.

    Only members of a group assigned the unit reach the form: anyone else
    (the unit's own administrators included) is refused.
    """
    user = request.user
    unit = get_object_or_404(units_visible_to(user), pk=pk)
    campaigns = campaigns_supervising(user, unit)
    if not campaigns.exists():
        raise PermissionDenied(
            _("Only a member of a guidance group assigned “%(unit)s” may record its feedback.")
            % {"unit": unit}
        )
    slug = request.POST.get("campaign") or request.GET.get("campaign")
    choices = list(campaigns)
    campaign = next((c for c in choices if c.slug == slug), None)
    if campaign is None and not slug and len(choices) == 1:
        campaign = choices[0]
    if campaign is None:
        context = {"unit": unit, "campaigns": choices}
        return render(request, "inspection/feedback_form.html", context)
    groups = groups_supervising(user, unit, campaign)
    data = request.POST if request.method == "POST" else None
    form = FeedbackForm(data, groups=groups)
    points = PointFormSet(
        data,
        prefix="points",
        form_kwargs={"campaign": campaign},
        initial=None if data else [{}] * point_rows(request.GET.get("rows")),
    )
    if data is not None and form.is_valid() and points.is_valid():
        try:
            feedback = services.feedback_record(
                campaign=campaign,
                unit=unit,
                points=[p for p in (f.point() for f in points) if p is not None],
                acting_user=user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            n = feedback.points.count()
            message = ngettext(
                "Feedback recorded: %(n)s point is waiting for triage.",
                "Feedback recorded: %(n)s points are waiting for triage.",
                n,
            )
            messages.success(request, message % {"n": n})
            return redirect(feedback)
    context = {"unit": unit, "campaign": campaign, "form": form, "points": points}
    return render(request, "inspection/feedback_form.html", context)


@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A feedback: who gave it, when, its summary, and each point with its triage outcome."""
    feedback = get_object_or_404(feedback_visible_to(request.user), pk=pk)
    context = {"feedback": feedback, "points": points_of(feedback)}
    return render(request, "inspection/feedback_detail.html", context)
