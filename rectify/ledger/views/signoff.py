"""The sign-off workflow's two doors: submit a measure, and decide on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.core.forms import add_service_error

from .. import services
from ..forms import DecisionForm, SubmitForm
from ..selectors import measures_visible_to
from .measures import render_detail


@require_POST
@login_required
def measure_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """A responsible person submits a completed measure for acceptance."""
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    form = SubmitForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_submit(
                measure=measure,
                statement=data["statement"],
                files=data["files"],
                no_evidence_reason=data["no_evidence_reason"],
                mechanism=data["mechanism"],
                expected_version=data["version"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Submitted for acceptance."))
            return redirect(measure)
    return render_detail(request, measure, submit_form=form)


@require_POST
@login_required
def measure_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer confirms, accepts, sends back or reopens a measure."""
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid() and form.cleaned_data["action"] in services.DECISIONS:
        data = form.cleaned_data
        try:
            review = services.measure_decide(
                measure=measure,
                action=data["action"],
                text=data["text"],
                expected_version=data["version"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, review.get_action_display())
            return redirect(measure)
    elif form.is_valid():
        form.add_error(None, _("Unknown decision."))
    return render_detail(request, measure, decision_form=form)
