"""Pages of the measure list (整改清单): list, detail, create, edit, status, progress, evidence."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.core.forms import ReasonForm, add_service_error
from rectify.core.pagination import paginate
from rectify.core.uploads import stored_file_response
from rectify.org.scoping import can_change_unit, is_system_admin

from .. import services
from ..filters import MeasureFilter
from ..forms import (
    DecisionForm,
    ExtensionRequestForm,
    MeasureEditForm,
    MeasureForm,
    MeasureStatusForm,
    ProgressForm,
    SubmitForm,
    UrgeForm,
    measure_initial,
)
from ..models import ExtensionStatus, Measure, ReviewAction
from ..rows import measure_rows
from ..selectors import measures_visible_to, problems_visible_to, progress_of, reviews_of
from .common import (
    describe_history,
    evidence_visible_to,
    filtered,
    light_summary,
    measure_for,
    narrow_filter,
    require_editor,
    save_versioned,
    soft_delete_or_restore,
)


@login_required
def measure_list(request: HttpRequest) -> HttpResponse:
    """The measure list (整改清单) with the lights of the filtered set counted above it."""
    filterset = MeasureFilter(request.GET, queryset=measures_visible_to(request.user))
    narrow_filter(filterset, request.user)
    measures = filtered(filterset)
    unit = filterset.form.cleaned_data.get("unit") if filterset.is_valid() else None
    page_obj = paginate(request, measures)
    page_obj.object_list = measure_rows(page_obj.object_list)
    lights, stalled = light_summary(measures, page_obj, stalled=True)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "lights": lights,
        "stalled": stalled,
        "unit": unit,
        "can_urge_unit": unit is not None and services.can_urge_unit(request.user, unit),
    }
    return render(request, "ledger/measure_list.html", context)


def render_detail(
    request: HttpRequest,
    measure: Measure,
    *,
    progress_form: ProgressForm | None = None,
    status_form: MeasureStatusForm | None = None,
    submit_form: SubmitForm | None = None,
    decision_form: DecisionForm | None = None,
    urge_form: UrgeForm | None = None,
    extension_form: ExtensionRequestForm | None = None,
) -> HttpResponse:
    """The measure page, with whichever form was just posted bound to its errors."""
    user = request.user
    allowed = services.available_actions(user, measure)
    actions = [action for action in ReviewAction if action in allowed]
    can_edit = can_change_unit(user, measure.unit)
    can_report = not measure.is_deleted and services.can_report_progress(user, measure)
    urges = list(measure.urges.select_related("by__person"))
    extensions = list(measure.extensions.select_related("requested_by", "decided_by"))
    if status_form is None and can_edit:
        status_form = MeasureStatusForm(
            initial={"status": measure.status, "version": measure.version},
            past_acceptance=is_system_admin(user),
        )
    context = {
        "measure": measure,
        "persons": measure.responsible_persons.all(),
        "notes": progress_of(measure),
        "can_edit": can_edit,
        "can_report": can_report,
        "progress_form": progress_form or (ProgressForm() if can_report else None),
        "status_form": status_form,
        "reason_form": ReasonForm(),
        "history": describe_history(measure),
        "actions": actions,
        "submit_form": submit_form
        or (SubmitForm(initial={"version": measure.version}) if "submit" in actions else None),
        "decision_form": decision_form,
        "reviews": reviews_of(measure),
        "urges": urges,
        "urge_form": urge_form or (UrgeForm() if services.can_urge(user, measure) else None),
        "extensions": extensions,
        "extension_count": sum(e.status == ExtensionStatus.APPROVED for e in extensions),
        "extension_form": extension_form
        or (ExtensionRequestForm() if services.can_request_extension(user, measure) else None),
        "can_decide_extension": services.can_decide_extension(user, measure),
    }
    return render(request, "ledger/measure_detail.html", context)


@login_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure's facts, light, responsible persons, progress with evidence, and history."""
    return render_detail(request, measure_for(request.user, pk))


@login_required
def measure_create(request: HttpRequest, problem_pk: int) -> HttpResponse:
    """Add a measure to a problem, naming who answers for it."""
    problem = get_object_or_404(problems_visible_to(request.user), pk=problem_pk)
    require_editor(request.user, problem.unit)
    form = MeasureForm(request.POST or None, user=request.user, problem=problem)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_create(
                problem=problem, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Measure No. %(pk)s added.") % {"pk": measure.pk})
            return redirect(measure)
    return render(request, "ledger/measure_form.html", {"form": form, "problem": problem})


@login_required
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a measure; a save over someone else's newer save is refused."""
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    require_editor(request.user, measure.unit)
    form = MeasureEditForm(
        request.POST or None,
        user=request.user,
        problem=measure.problem,
        measure=measure,
        initial=measure_initial(measure),
    )
    saved = save_versioned(
        request,
        form,
        measure,
        partial(services.measure_update, measure=measure),
        success=_("Measure No. %(pk)s saved.") % {"pk": measure.pk},
    )
    if saved:
        return saved
    context = {"form": form, "measure": measure, "problem": measure.problem}
    return render(request, "ledger/measure_form.html", context)


@require_POST
@login_required
def measure_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a measure's status (administrators of its unit)."""
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    require_editor(request.user, measure.unit)
    form = MeasureStatusForm(request.POST)
    if form.is_valid():
        try:
            services.measure_set_status(
                measure=measure,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Status set to “%(status)s”.") % {"status": measure.get_status_display()}
            )
            return redirect(measure)
    return render_detail(request, measure, status_form=form)


@require_POST
@login_required
def measure_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Record progress with evidence (responsible persons and administrators)."""
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    if not services.can_report_progress(request.user, measure):
        raise PermissionDenied(_("You do not answer for this measure."))
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.progress_record(measure=measure, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect(measure)
    return render_detail(request, measure, progress_form=form)


@require_POST
@login_required
def measure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Soft-delete a measure (an administrator can restore it)."""
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    require_editor(request.user, measure.unit)
    return soft_delete_or_restore(
        request, measure, services.measure_delete, success=_("Measure deleted. It can be restored.")
    )


@require_POST
@login_required
def measure_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a measure's soft delete."""
    measure = measure_for(request.user, pk)
    require_editor(request.user, measure.unit)
    if not measure.is_deleted:
        return redirect(measure)
    return soft_delete_or_restore(
        request, measure, services.measure_restore, success=_("Measure restored.")
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, as an attachment under its original name, if its measure is in scope."""
    return stored_file_response(get_object_or_404(evidence_visible_to(request.user), pk=pk))
