"""Staff pages: set up a survey and its rounds, issue tokens, read results, promote comments.

Everyone in scope reads (leaders, guidance groups); the organizing unit's
administrators change. Missing and out-of-scope ids both answer 404.
"""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import add_service_error
from rectify.core.pagination import paginate
from rectify.ledger.views.common import edits_anything
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit

from .. import services
from ..forms import OpenLinkForm, RoundCreateForm, ScaleForm, SurveyCreateForm, TokenBatchForm
from ..models import Round, Survey
from ..selectors import (
    answers_visible_to,
    comments_of,
    round_results,
    scale_of,
    surveys_visible_to,
    token_counts,
    trend_of,
)


def _survey_for(user, pk: int) -> Survey:
    """A survey the user may see; 404 otherwise (missing and out of scope look alike)."""
    return get_object_or_404(surveys_visible_to(user), pk=pk)


def _round_of(request: HttpRequest, survey: Survey) -> Round:
    """The round named by ``?round=``, else the latest; 404 for another survey's round."""
    rounds = survey.rounds.order_by("-order")
    wanted = request.GET.get("round", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        return get_object_or_404(rounds, pk=wanted)
    return rounds.first()


def _absolute(request: HttpRequest, path: str) -> str:
    """``path`` at ``RECTIFY_SITE_URL`` if set, else as requested (as opinion forms' links)."""
    if settings.RECTIFY_SITE_URL:
        return settings.RECTIFY_SITE_URL + path
    return request.build_absolute_uri(path)


def _qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI, made the way opinion forms make theirs."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=3, border=2)


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """The surveys in scope."""
    context = {
        "page_obj": paginate(request, surveys_visible_to(request.user)),
        "can_create": edits_anything(request.user),
    }
    return render(request, "evaluation/survey_list.html", context)


@login_required
def survey_create(request: HttpRequest) -> HttpResponse:
    """Create a survey with the default scale, its questions and its first round."""
    form = SurveyCreateForm(
        request.POST or None,
        campaigns=campaigns_visible_to(request.user),
        user=request.user,
        initial={"campaign": request.GET.get("campaign"), "unit": request.GET.get("unit")},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["units"] = list(data["units"])
        try:
            survey = services.survey_create(acting_user=request.user, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Survey created. Issue tokens for each unit."))
            return redirect("evaluation:survey-detail", pk=survey.pk)
    return render(request, "evaluation/survey_create.html", {"form": form})


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey's rounds and units, the tokens issued, and the forms to act on them."""
    survey = _survey_for(request.user, pk)
    current = survey.rounds.order_by("-order").first()
    counts = token_counts(current)
    units = [(unit, counts.get(unit.pk, {})) for unit in survey.units.order_by("path")]
    context = {
        "survey": survey,
        "rounds": survey.rounds.all(),
        "current": current,
        "units": units,
        "questions": survey.questions.select_related("target"),
        "choices": scale_of(survey),
        "can_edit": can_change_unit(request.user, survey.unit),
        "accepting": services.accepts_responses(current),
        "round_form": RoundCreateForm(),
        "token_form": TokenBatchForm(survey=survey),
        "link_form": OpenLinkForm(survey=survey),
        "open_links": [
            (link, _absolute(request, reverse("survey:open", kwargs={"key": link.key})))
            for link in current.open_links.select_related("unit")
        ],
    }
    return render(request, "evaluation/survey_detail.html", context)


@require_POST
@login_required
def survey_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open survey, or open a closed one."""
    survey = _survey_for(request.user, pk)
    survey = services.survey_set_open(
        survey=survey, is_open=not survey.is_open, acting_user=request.user
    )
    if survey.is_open:
        messages.success(request, _("The survey is open: tokens and links may answer."))
    else:
        messages.success(request, _("The survey is closed: it accepts no more answers."))
    return redirect("evaluation:survey-detail", pk=survey.pk)


@require_POST
@login_required
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a new round; the earlier ones stop taking answers."""
    survey = _survey_for(request.user, pk)
    form = RoundCreateForm(request.POST)
    if form.is_valid():
        try:
            services.round_create(survey=survey, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("New round started. Issue new tokens for it."))
    else:
        messages.error(request, _("Name the round."))
    return redirect("evaluation:survey-detail", pk=survey.pk)


@login_required
def survey_scale(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the labels and weights of the survey's answer scale."""
    survey = _survey_for(request.user, pk)
    services.require_survey_admin(request.user, survey.unit)
    form = ScaleForm(request.POST or None, choices=scale_of(survey))
    if request.method == "POST" and form.is_valid():
        try:
            services.scale_update(survey=survey, choices=form.changes(), acting_user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Answer scale saved."))
            return redirect("evaluation:survey-detail", pk=survey.pk)
    return render(request, "evaluation/survey_scale.html", {"survey": survey, "form": form})


@never_cache
@login_required
def token_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a batch of tokens for a unit and show their sheet to print, this once."""
    survey = _survey_for(request.user, pk)
    services.require_survey_admin(request.user, survey.unit)
    current = survey.rounds.order_by("-order").first()
    form = TokenBatchForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            issued = services.tokens_generate(
                round_=current,
                unit=unit,
                count=form.cleaned_data["count"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _sheet(request, survey, current, unit, issued)
    context = {"survey": survey, "current": current, "form": form}
    return render(request, "evaluation/token_form.html", context)


def _sheet(request: HttpRequest, survey: Survey, round_: Round, unit: Unit, issued) -> HttpResponse:
    """The printable sheet: per token its number, QR code, link and code in groups of four."""
    slips = []
    for token, code in issued:
        url = _absolute(request, reverse("survey:token", kwargs={"code": code}))
        grouped = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
        slips.append({"serial": token.serial, "qr": _qr_data_uri(url), "code": grouped, "url": url})
    context = {
        "survey": survey,
        "round": round_,
        "unit": unit,
        "slips": slips,
        "enter_url": _absolute(request, reverse("survey:enter")),
    }
    return render(request, "evaluation/token_sheet.html", context)


@require_POST
@login_required
def open_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Make (or find) the open link of the current round for a unit."""
    survey = _survey_for(request.user, pk)
    form = OpenLinkForm(request.POST, survey=survey)
    if form.is_valid():
        current = survey.rounds.order_by("-order").first()
        services.open_link_create(
            round_=current, unit=form.cleaned_data["unit"], acting_user=request.user
        )
        messages.success(request, _("Open link ready: anyone with it may answer."))
    else:
        messages.error(request, _("Choose a unit of the survey."))
    return redirect("evaluation:survey-detail", pk=survey.pk)


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Every unit's results in a round, flagged below the threshold, and the trend across rounds."""
    survey = _survey_for(request.user, pk)
    round_ = _round_of(request, survey)
    rows, total = round_results(survey, round_)
    rounds, trend = trend_of(survey)
    context = {
        "survey": survey,
        "round": round_,
        "rounds": rounds,
        "rows": rows,
        "total": total,
        "trend": trend,
        "choices": scale_of(survey),
    }
    return render(request, "evaluation/results.html", context)


@login_required
def unit_results(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """One unit's results question by question, and its comments (to promote into opinions)."""
    survey = _survey_for(request.user, pk)
    unit = get_object_or_404(survey.units.all(), pk=unit_pk)
    round_ = _round_of(request, survey)
    rows, _total = round_results(survey, round_)
    result = next(row for row in rows if row.unit.pk == unit.pk)
    context = {
        "survey": survey,
        "round": round_,
        "rounds": survey.rounds.all(),
        "unit": unit,
        "result": result,
        "choices": scale_of(survey),
        "comments": comments_of(survey, round_, unit),
        "can_edit": can_change_unit(request.user, unit),
    }
    return render(request, "evaluation/unit_results.html", context)


@require_POST
@login_required
def comment_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """Promote a comment into an opinion in the unit's triage queue."""
    answer = get_object_or_404(answers_visible_to(request.user), pk=pk)
    response = answer.response
    target = reverse("evaluation:unit-results", args=[response.round.survey_id, response.unit_id])
    try:
        opinion = services.comment_promote(answer=answer, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Comment promoted to opinion No. %(pk)s, waiting for triage.") % {"pk": opinion.pk},
        )
    return redirect(f"{target}?round={response.round_id}")
