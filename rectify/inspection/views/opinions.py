"""Staff pages of opinion solicitation: forms, their link and QR code, the inbox and triage.

Everyone in scope reads (leaders, guidance groups); the unit's administrators
change. Triage goes through the findings services on ``opinion.finding``.
"""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import add_service_error
from rectify.core.pagination import paginate
from rectify.ledger.views.common import edits_anything
from rectify.org.scoping import can_change_unit

from ..forms.opinions import (
    OpinionFormCreateForm,
    OpinionJoinForm,
    OpinionRejectForm,
    OpinionReplyForm,
)
from ..models import FindingStatus, Opinion, OpinionForm
from ..selectors.opinions import opinion_forms_visible_to, opinions_visible_to
from ..services import findings as finding_services
from ..services import opinions as services


def _form_for(user, pk: int) -> OpinionForm:
    """An opinion form the user may see; 404 otherwise (missing and out of scope look alike)."""
    return get_object_or_404(opinion_forms_visible_to(user), pk=pk)


def _opinion_for(user, pk: int) -> Opinion:
    """An opinion the user may see; 404 otherwise."""
    return get_object_or_404(opinions_visible_to(user), pk=pk)


def public_url(request: HttpRequest, form: OpinionForm) -> str:
    """The absolute public link of ``form``: at ``RECTIFY_SITE_URL`` if set, else as requested."""
    path = reverse("public:opinion-form", kwargs={"token": form.token})
    if settings.RECTIFY_SITE_URL:
        return settings.RECTIFY_SITE_URL + path
    return request.build_absolute_uri(path)


@login_required
def opinion_form_list(request: HttpRequest) -> HttpResponse:
    """The opinion forms in scope; ``?unit=`` narrows to one unit's forms."""
    forms = opinion_forms_visible_to(request.user)
    unit = request.GET.get("unit", "")
    if unit:
        forms = forms.filter(unit=unit) if unit.isdigit() else forms.none()
    context = {
        "page_obj": paginate(request, forms),
        "can_create": edits_anything(request.user),
        "unit": unit,
    }
    return render(request, "inspection/opinions_form_list.html", context)


@login_required
def opinion_form_create(request: HttpRequest) -> HttpResponse:
    """Open a new public opinion form for a unit in a campaign."""
    form = OpinionFormCreateForm(
        request.POST or None,
        campaigns=campaigns_visible_to(request.user),
        user=request.user,
        initial={"campaign": request.GET.get("campaign"), "unit": request.GET.get("unit")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.opinion_form_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Opinion form opened. Share its link or QR code."))
            return redirect("inspection:opinion-form-detail", pk=created.pk)
    return render(request, "inspection/opinions_form_create.html", {"form": form})


@login_required
def opinion_form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A form's public link, its QR code to print, and whether it is open."""
    form = _form_for(request.user, pk)
    context = {
        "opinion_form": form,
        "public_url": public_url(request, form),
        "can_edit": can_change_unit(request.user, form.unit),
        "accepting": services.accepts_submissions(form),
    }
    return render(request, "inspection/opinions_form_detail.html", context)


@require_POST
@login_required
def opinion_form_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open form, or open a closed one."""
    form = _form_for(request.user, pk)
    services.require_unit_admin(request.user, form.unit)
    form = services.opinion_form_set_open(
        form=form, is_open=not form.is_open, acting_user=request.user
    )
    if form.is_open:
        messages.success(request, _("The form is open: anyone with the link may send opinions."))
    else:
        messages.success(request, _("The form is closed: it accepts no more opinions."))
    return redirect("inspection:opinion-form-detail", pk=form.pk)


def _qr(request: HttpRequest, form: OpinionForm) -> segno.QRCode:
    return segno.make(public_url(request, form), error="m", micro=False)


@login_required
def opinion_form_qr_png(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of the public link as a PNG, large enough to print."""
    form = _form_for(request.user, pk)
    content = io.BytesIO()
    _qr(request, form).save(content, kind="png", scale=12, border=4)
    return _download(content.getvalue(), "image/png", f"opinion-form-{form.pk}.png", request)


@login_required
def opinion_form_qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of the public link as an SVG, sharp at any print size."""
    form = _form_for(request.user, pk)
    content = io.BytesIO()
    _qr(request, form).save(content, kind="svg", scale=10, border=4, xmldecl=False)
    return _download(content.getvalue(), "image/svg+xml", f"opinion-form-{form.pk}.svg", request)


def _download(content: bytes, content_type: str, filename: str, request) -> HttpResponse:
    """An image shown in the page, or saved as a file with ``?download=1``."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def opinion_form_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A page to print and put up: title, introduction, QR code and link."""
    form = _form_for(request.user, pk)
    context = {"opinion_form": form, "public_url": public_url(request, form)}
    return render(request, "inspection/opinions_poster.html", context)


@login_required
def opinion_inbox(request: HttpRequest, pk: int) -> HttpResponse:
    """The opinions a form received, newest first; ``?status=`` filters by triage state."""
    form = _form_for(request.user, pk)
    opinions = opinions_visible_to(request.user).filter(form=form)
    status = request.GET.get("status", "")
    if status in FindingStatus.values:
        opinions = opinions.filter(finding__status=status)
    context = {
        "opinion_form": form,
        "page_obj": paginate(request, opinions),
        "status": status,
        "statuses": FindingStatus.choices,
    }
    return render(request, "inspection/opinions_inbox.html", context)


def _detail(request: HttpRequest, opinion: Opinion, **forms) -> HttpResponse:
    """The opinion page with its triage forms; ``forms`` are bound forms that were refused."""
    can_edit = can_change_unit(request.user, opinion.form.unit)
    finding = opinion.finding
    context = {
        "opinion": opinion,
        "finding": finding,
        "can_edit": can_edit,
        "can_triage": can_edit and finding.status == FindingStatus.NEW,
        "joined": opinions_visible_to(request.user).filter(finding__merged_into=finding),
    }
    if can_edit:
        context["reply_form"] = forms.get("reply_form") or OpinionReplyForm(
            initial={"reply": opinion.reply}
        )
        context["reject_form"] = forms.get("reject_form") or OpinionRejectForm()
        context["join_form"] = forms.get("join_form") or OpinionJoinForm(
            opinion=opinion, candidates=opinions_visible_to(request.user)
        )
    return render(request, "inspection/opinions_detail.html", context)


@login_required
def opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One opinion: its text, who sent it (unless anonymous), its finding, reply and triage."""
    return _detail(request, _opinion_for(request.user, pk))


@require_POST
@login_required
def opinion_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Reply to an opinion; the submitter reads it with the receipt code."""
    opinion = _opinion_for(request.user, pk)
    services.require_unit_admin(request.user, opinion.form.unit)
    form = OpinionReplyForm(request.POST)
    if form.is_valid():
        try:
            services.opinion_reply(opinion=opinion, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Reply saved. The submitter sees it with the receipt code.")
            )
            return redirect("inspection:opinion-detail", pk=opinion.pk)
    return _detail(request, opinion, reply_form=form)


@require_POST
@login_required
def opinion_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an opinion a duplicate of another, or merge it into another: it follows that one."""
    opinion = _opinion_for(request.user, pk)
    services.require_unit_admin(request.user, opinion.form.unit)
    form = OpinionJoinForm(
        request.POST, opinion=opinion, candidates=opinions_visible_to(request.user)
    )
    if form.is_valid():
        try:
            finding_services.finding_join(
                finding=opinion.finding,
                into=form.cleaned_data["into"].finding,
                duplicate=form.cleaned_data["duplicate"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The opinion now follows the one it joined."))
            return redirect("inspection:opinion-detail", pk=opinion.pk)
    return _detail(request, opinion, join_form=form)


@require_POST
@login_required
def opinion_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Decline an opinion with a reason; it stays in the inbox, and its submitter reads why."""
    opinion = _opinion_for(request.user, pk)
    services.require_unit_admin(request.user, opinion.form.unit)
    form = OpinionRejectForm(request.POST)
    if form.is_valid():
        try:
            finding_services.finding_dismiss(
                finding=opinion.finding,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The opinion was not taken up; the reason is kept."))
            return redirect("inspection:opinion-detail", pk=opinion.pk)
    return _detail(request, opinion, reject_form=form)
