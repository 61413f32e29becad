"""Pages of the study stage: meetings, their attendance and sign-in sheets, and coverage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import ReasonForm, add_service_error
from rectify.core.pagination import paginate
from rectify.core.uploads import stored_file_response
from rectify.org.models import PATH_END, Unit
from rectify.org.scoping import CHANGE, VIEW, can_change_unit, is_system_admin, scope_paths
from rectify.org.scoping import units_visible_to as units_in_scope
from rectify.org.selectors import unit_breadcrumb, unit_roots, units_for_choice

from . import services
from .forms import (
    InvitePeopleForm,
    InviteRuleForm,
    MarkFormSet,
    MeetingCreateForm,
    MeetingEditForm,
    RequirementForm,
    SigninFormSet,
    SigninUploadForm,
    meeting_initial,
)
from .models import REASON_MAX_LENGTH, AttendanceStatus, InviteRule, Meeting, MeetingKind
from .selectors import (
    attach_attendance_counts,
    attendance_counts,
    attendance_of,
    coverage_of,
    deleted_meetings_editable_by,
    files_visible_to,
    meeting_history,
    meetings_visible_to,
    requirement_of,
    uncovered_people,
)
from .signin import (
    PlannedLine,
    SheetLine,
    clean_name,
    plan_signin,
    read_signin_sheet,
    unmarked_invitees,
)

#: Invited people marked on one page of a meeting.
ATTENDANCE_PAGE = 100
#: People listed on one page of the uncovered list.
UNCOVERED_PAGE = 50
#: Units offered in the coverage page's unit picker (others are reached by drilling down).
UNIT_CHOICES = 200


def _meeting_for(user, pk: int) -> Meeting:
    """A meeting the user may see, or a deleted one they may restore; 404 otherwise."""
    meeting = meetings_visible_to(user).filter(pk=pk).first()
    if meeting is None:
        meeting = deleted_meetings_editable_by(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


def _require_editor(user, meeting: Meeting) -> None:
    if not can_change_unit(user, meeting.unit):
        raise PermissionDenied(
            _("You may not change the meetings of “%(unit)s”.") % {"unit": meeting.unit}
        )


def _visible_unit(user, value: str) -> Unit | None:
    """The unit ``value`` names (404 unless visible), else the top of the user's scope."""
    if not value:
        return unit_roots(user).first()
    if not value.isdigit():
        raise Http404(_("No such unit."))
    return get_object_or_404(units_in_scope(user), pk=value)


def _campaign(user, slug: str) -> Campaign | None:
    """The campaign named by ``slug`` (404 unless visible), else the user's latest one."""
    campaigns = campaigns_visible_to(user)
    return get_object_or_404(campaigns, slug=slug) if slug else campaigns.first()


def _errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# Meetings ------------------------------------------------------------------------


@require_GET
@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Meetings and study sessions in scope, newest first, by campaign, unit and kind."""
    user = request.user
    deleted = request.GET.get("deleted") == "1"
    meetings = deleted_meetings_editable_by(user) if deleted else meetings_visible_to(user)
    campaign = unit = None
    if slug := request.GET.get("campaign", ""):
        campaign = get_object_or_404(campaigns_visible_to(user), slug=slug)
        meetings = meetings.filter(campaign=campaign)
    if value := request.GET.get("unit", ""):
        unit = _visible_unit(user, value)
        meetings = meetings.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    kind = request.GET.get("kind", "")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    page_obj = paginate(request, meetings.order_by("-starts_at", "-pk"))
    attach_attendance_counts(page_obj.object_list)
    context = {
        "page_obj": page_obj,
        "campaigns": campaigns_visible_to(user),
        "campaign": campaign,
        "unit": unit,
        "kind": kind,
        "kinds": MeetingKind.choices,
        "deleted": deleted,
        "can_create": is_system_admin(user) or bool(scope_paths(user, CHANGE)),
    }
    return render(request, "study/meeting_list.html", context)


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    """Record a meeting: choose the campaign, then the unit and the facts."""
    campaigns = campaigns_visible_to(request.user)
    slug = request.POST.get("campaign") or request.GET.get("campaign")
    campaign = campaigns.filter(slug=slug).first() if slug else None
    if campaign is None:
        return render(request, "study/meeting_form.html", {"campaigns": campaigns})
    form = MeetingCreateForm(
        request.POST or None, request.FILES or None, user=request.user, campaign=campaign
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                campaign=campaign, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Meeting recorded. Now invite its attendees."))
            return redirect(meeting)
    return render(request, "study/meeting_form.html", {"form": form, "campaign": campaign})


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a meeting's facts or add files; a save over someone else's newer save is refused."""
    meeting = get_object_or_404(meetings_visible_to(request.user), pk=pk)
    _require_editor(request.user, meeting)
    form = MeetingEditForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        campaign=meeting.campaign,
        meeting=meeting,
        initial=meeting_initial(meeting),
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            services.meeting_update(
                meeting=meeting,
                expected_version=fields.pop("version"),
                reason=fields.pop("reason"),
                acting_user=request.user,
                **fields,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect(meeting)
    context = {"form": form, "meeting": meeting, "campaign": meeting.campaign}
    return render(request, "study/meeting_form.html", context)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting's facts, files and attendance; editors mark attendance and invite here."""
    meeting = _meeting_for(request.user, pk)
    can_edit = can_change_unit(request.user, meeting.unit) and not meeting.is_deleted
    page_obj = Paginator(attendance_of(meeting), ATTENDANCE_PAGE).get_page(request.GET.get("page"))
    context = {
        "meeting": meeting,
        "speakers": meeting.speakers.select_related("unit"),
        "files": meeting.files.all(),
        "counts": attendance_counts(meeting),
        "page_obj": page_obj,
        "can_edit": can_edit,
        "can_restore": meeting.is_deleted and can_change_unit(request.user, meeting.unit),
        "history": meeting_history(meeting),
        "reason_form": ReasonForm(),
    }
    if can_edit:
        context |= {
            "mark_formset": _mark_formset(page_obj.object_list),
            "statuses": AttendanceStatus.choices,
            "reason_max": REASON_MAX_LENGTH,
            "rule_form": InviteRuleForm(user=request.user, meeting=meeting),
            "hand_form": InvitePeopleForm(user=request.user, meeting=meeting),
            "rules": InviteRule,
        }
    return render(request, "study/meeting_detail.html", context)


def _mark_formset(rows, data=None) -> MarkFormSet:
    """The marking forms of a page of attendance rows, each with its row attached."""
    initial = [
        {"attendance": r.pk, "version": r.version, "status": r.status, "reason": r.reason}
        for r in rows
    ]
    formset = MarkFormSet(data, initial=initial, prefix="mark")
    for form, row in zip(formset.forms, rows, strict=False):
        form.row = row
    return formset


@require_POST
@login_required
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Soft-delete a meeting (an administrator can restore it)."""
    meeting = get_object_or_404(meetings_visible_to(request.user), pk=pk)
    return _delete_or_restore(request, meeting, services.meeting_delete, _("Meeting deleted."))


@require_POST
@login_required
def meeting_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring back a deleted meeting."""
    meeting = get_object_or_404(deleted_meetings_editable_by(request.user), pk=pk)
    return _delete_or_restore(request, meeting, services.meeting_restore, _("Meeting restored."))


def _delete_or_restore(request: HttpRequest, meeting: Meeting, service, success: str):
    _require_editor(request.user, meeting)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(meeting)
    try:
        service(meeting=meeting, acting_user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, success)
    return redirect(meeting)


@require_POST
@login_required
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite people by a rule (a subtree, its key group, …) or chosen by hand."""
    meeting = get_object_or_404(meetings_visible_to(request.user), pk=pk)
    _require_editor(request.user, meeting)
    user = request.user
    if "rule-rule" in request.POST:
        form = InviteRuleForm(request.POST, user=user, meeting=meeting)
        service = services.attendance_invite_by_rule
    else:
        form = InvitePeopleForm(request.POST, user=user, meeting=meeting)
        service = services.attendance_invite
    if form.is_valid():
        try:
            added = service(meeting=meeting, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(
                request,
                _("%(n)s people invited (those already invited are left as they were).")
                % {"n": added},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(meeting)


@require_POST
@login_required
def meeting_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the attendance marked on one page of the meeting; all or nothing."""
    meeting = get_object_or_404(meetings_visible_to(request.user), pk=pk)
    _require_editor(request.user, meeting)
    formset = MarkFormSet(request.POST, prefix="mark")
    page = request.POST.get("page", "")
    back = reverse("study:meeting-detail", kwargs={"pk": meeting.pk})
    back += f"?page={page}" if page.isdigit() else ""
    if not formset.is_valid():
        for form in formset.forms:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        for message in formset.non_form_errors():
            messages.error(request, message)
        return redirect(back)
    marks = [
        services.Mark(
            attendance_id=data["attendance"],
            status=data["status"],
            reason=data.get("reason", ""),
            version=data["version"],
        )
        for data in formset.cleaned_data
        if data
    ]
    try:
        changed = services.attendance_mark(meeting=meeting, marks=marks, acting_user=request.user)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Attendance saved (%(n)s changed).") % {"n": changed})
    return redirect(back)


@require_POST
@login_required
def meeting_mark_rest(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark everyone not marked yet as absent."""
    meeting = get_object_or_404(meetings_visible_to(request.user), pk=pk)
    _require_editor(request.user, meeting)
    try:
        n = services.attendance_mark_rest_absent(meeting=meeting, acting_user=request.user)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("%(n)s people marked absent.") % {"n": n})
    return redirect(meeting)


@login_required
def meeting_signin(request: HttpRequest, pk: int) -> HttpResponse:
    """Take attendance from a sign-in sheet: upload, resolve unmatched names, confirm."""
    meeting = get_object_or_404(meetings_visible_to(request.user), pk=pk)
    _require_editor(request.user, meeting)
    context = {"meeting": meeting}
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _signin_confirm(request, meeting, context)
    form = SigninUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lines = read_signin_sheet(upload)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            planned = plan_signin(meeting, lines)
            formset = SigninFormSet(
                initial=[_line_initial(item) for item in planned], prefix="line"
            )
            _offer_people(meeting, formset, planned)
            context |= {"formset": formset, "source": upload.name}
            return render(request, "study/signin_preview.html", context)
    context["form"] = form
    return render(request, "study/signin_upload.html", context)


def _signin_confirm(request: HttpRequest, meeting: Meeting, context: dict) -> HttpResponse:
    """Record the confirmed lines; on a refusal show them again with the reasons."""
    formset = SigninFormSet(request.POST, prefix="line")
    if formset.is_valid():
        choices = [
            services.SigninChoice(
                row=data["row"],
                name=data["name"],
                person_id=data.get("person"),
                status=data["status"],
                reason=data.get("reason", ""),
            )
            for data in formset.cleaned_data
            if data
        ]
        try:
            outcome = services.attendance_record_signin(
                meeting=meeting,
                choices=choices,
                acting_user=request.user,
                source=request.POST.get("source", "")[:100],
            )
        except ValidationError as exc:
            context["errors"] = exc.messages
        else:
            messages.success(
                request,
                _(
                    "Sign-in sheet recorded: %(marked)s marked, %(invited)s of them newly "
                    "invited, %(ignored)s names ignored."
                )
                % vars(outcome),
            )
            return redirect(meeting)
    _offer_people(meeting, formset, plan_signin(meeting, _posted_lines(formset)))
    context |= {"formset": formset, "source": request.POST.get("source", "")}
    return render(request, "study/signin_preview.html", context)


def _line_initial(item: PlannedLine) -> dict:
    return {
        "row": item.line.row,
        "name": item.line.name,
        "person": item.person.pk if item.matched else None,
        "status": item.line.status,
        "reason": item.line.reason,
    }


def _posted_lines(formset) -> list[SheetLine]:
    """The sheet lines a confirm form carried back (to show its matches again)."""
    lines = []
    for form in formset.forms:
        row = form.data.get(form.add_prefix("row"), "")
        name = form.data.get(form.add_prefix("name"), "")
        lines.append(SheetLine(int(row) if row.isdigit() else 0, clean_name(name)))
    return lines


def _offer_people(meeting: Meeting, formset, planned: list[PlannedLine]) -> None:
    """Attach each line's match to its form; a line without one offers its candidates and the
    invited people not marked yet, to choose from or ignore."""
    invitees = unmarked_invitees(meeting)
    for form, item in zip(formset.forms, planned, strict=False):
        form.planned = item
        if item.matched or item.duplicate_of:
            continue
        form.offer([*item.candidates, *(p for p in invitees if p not in item.candidates)])


@login_required
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    """A meeting's file, as an attachment under its original name, if the meeting is in scope."""
    return stored_file_response(get_object_or_404(files_visible_to(request.user), pk=pk))


# Coverage ------------------------------------------------------------------------


def _known_count_page(request: HttpRequest, queryset: QuerySet, count: int):
    """A page of ``queryset`` whose length is already known (no COUNT query)."""
    paginator = Paginator(queryset, UNCOVERED_PAGE)
    paginator.count = count
    return paginator.get_page(request.GET.get("page"))


@require_GET
@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Who has attended the required sessions, per child unit, with the people still short."""
    user = request.user
    campaign = _campaign(user, request.GET.get("campaign", ""))
    unit = _visible_unit(user, request.GET.get("unit", ""))
    context = {"campaign": campaign, "unit": unit, "campaigns": campaigns_visible_to(user)}
    if campaign is None or unit is None:
        return render(request, "study/coverage.html", context)
    try:
        figures = coverage_of(user, campaign, unit)
    except PermissionDenied:
        raise Http404(_("No such unit.")) from None
    key_only = request.GET.get("group") == "key"
    total = figures.total
    short = total.key_total - total.key_covered if key_only else total.uncovered
    units = list(units_for_choice(user, levels=2, action=VIEW, cap=UNIT_CHOICES))
    if unit.pk not in {choice.pk for choice in units}:
        units.insert(0, unit)
    context |= {
        "coverage": figures,
        "units": units,
        "breadcrumb": unit_breadcrumb(user, unit),
        "key_only": key_only,
        "page_obj": _known_count_page(request, uncovered_people(figures, key_only=key_only), short),
        "can_set_requirement": can_change_unit(user, campaign.organizer),
    }
    return render(request, "study/coverage.html", context)


@login_required
def requirement_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Set how many sessions each person must attend in a campaign (by rank if it differs)."""
    campaign = get_object_or_404(campaigns_visible_to(request.user), slug=slug)
    if not can_change_unit(request.user, campaign.organizer):
        raise PermissionDenied
    requirement = requirement_of(campaign)
    initial = {
        "default_sessions": requirement.default_sessions,
        "version": requirement.version if requirement.pk else None,
        **{f"rank_{rank}": n for rank, n in requirement.sessions_by_rank.items()},
    }
    form = RequirementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_set(
                campaign=campaign,
                default_sessions=form.cleaned_data["default_sessions"],
                sessions_by_rank=form.sessions_by_rank(),
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Study requirement saved."))
            return redirect(f"{reverse('study:coverage')}?campaign={campaign.slug}")
    return render(request, "study/requirement_form.html", {"form": form, "campaign": campaign})
