"""Deadline change requests (延期申请): ask on a measure, decide on a request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.core.forms import add_service_error
from rectify.org.scoping import visible_to

from .. import services
from ..forms import ExtensionDecisionForm, ExtensionRequestForm
from ..models import ExtensionRequest
from ..selectors import measures_visible_to
from .measures import render_detail


@require_POST
@login_required
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A responsible person asks for a later deadline."""
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.extension_request(
                measure=measure, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Deadline change requested."))
            return redirect(measure)
    return render_detail(request, measure, extension_form=form)


@require_POST
@login_required
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The approver approves or refuses a pending request."""
    extension = get_object_or_404(
        visible_to(ExtensionRequest.objects.select_related("measure"), request.user), pk=pk
    )
    measure = get_object_or_404(measures_visible_to(request.user), pk=extension.measure_id)
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_decide(
                request=extension,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("Decision recorded."))
    return redirect(measure)
