"""Urging (催办) pages: urge one measure, or every red measure of a unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rectify.core.forms import add_service_error
from rectify.org.scoping import units_visible_to

from .. import services
from ..forms import UrgeForm
from ..selectors import measures_visible_to
from .measures import render_detail


@require_POST
@login_required
def measure_urge(request: HttpRequest, pk: int) -> HttpResponse:
    """Urge one measure (leaders and the guidance group)."""
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    form = UrgeForm(request.POST)
    if form.is_valid():
        try:
            services.measure_urge(
                measure=measure, message=form.cleaned_data["message"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Urged."))
            return redirect(measure)
    return render_detail(request, measure, urge_form=form)


@require_POST
@login_required
def unit_urge_red(request: HttpRequest, pk: int) -> HttpResponse:
    """Urge every red measure of a unit's subtree at once."""
    unit = get_object_or_404(units_visible_to(request.user), pk=pk)
    form = UrgeForm(request.POST)
    back = f"{reverse('ledger:measure-list')}?unit={unit.pk}&light=red"
    if not form.is_valid():
        messages.error(request, _("Write what you urge them to do."))
        return redirect(back)
    count = services.unit_urge_red(
        unit=unit, message=form.cleaned_data["message"], acting_user=request.user
    )
    messages.success(
        request,
        ngettext("%(n)d red measure urged.", "%(n)d red measures urged.", count) % {"n": count},
    )
    return redirect(back)
