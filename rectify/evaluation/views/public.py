"""Respondent pages: a ballot reached by a one-time token or an open link, and nothing else.

Abuse is refused as on the public opinion form (whose guards these reuse): an
oversize body before it is read (413), then a bad CSRF token (403), then on
open links a client over its rate (429); a filled honeypot is thanked and
dropped. A used or unknown token, or a closed survey, gets a page that says
so and records nothing.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rectify.core.forms import add_service_error
from rectify.core.http import client_address
from rectify.inspection.selectors.opinions import submission_throttled
from rectify.inspection.services.opinions import client_key, throttle_record
from rectify.inspection.views.public import public_post

from .. import services
from ..forms import BallotForm, TokenEntryForm
from ..models import OpenLink, Round
from ..selectors import briefing_of, token_of

#: Why a ballot cannot be taken, as the respondent reads it.
REFUSALS = {
    "unknown": (
        gettext_lazy("Code not recognized"),
        gettext_lazy("This code is not valid. Check the code on your slip; nothing was recorded."),
    ),
    "used": (
        gettext_lazy("Code already used"),
        gettext_lazy(
            "This code has already been used to answer. Each code answers once; "
            "nothing was recorded."
        ),
    ),
    "closed": (
        gettext_lazy("Survey closed"),
        gettext_lazy("This survey is closed and accepts no more answers. Nothing was recorded."),
    ),
}


def _message(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    """A short page that says why nothing was taken."""
    title, text = REFUSALS[reason]
    context = {"title": title, "text": text, "reason": reason}
    return render(request, "evaluation/public_message.html", context, status=status)


def _refusal_of(round_: Round, *, used: bool = False) -> str | None:
    if used:
        return "used"
    if not services.accepts_responses(round_):
        return "closed"
    return None


def _ballot(request, round_: Round, unit, form: BallotForm) -> HttpResponse:
    survey = round_.survey
    context = {
        "survey": survey,
        "round": round_,
        "unit": unit,
        "form": form,
        "briefing": briefing_of(survey, unit) if survey.show_briefing else None,
    }
    return render(request, "evaluation/public_ballot.html", context)


def _thanks(request: HttpRequest, round_: Round, unit) -> HttpResponse:
    context = {"survey": round_.survey, "unit": unit}
    return render(request, "evaluation/public_thanks.html", context)


@public_post
def enter(request: HttpRequest) -> HttpResponse:
    """Type the code printed on a slip; it leads to the same page as its QR code."""
    form = TokenEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("survey:token", code=form.cleaned_data["code"])
    return render(request, "evaluation/public_enter.html", {"form": form})


@public_post
def token_ballot(request: HttpRequest, code: str) -> HttpResponse:
    """The ballot of a one-time token: answered once, then refused."""
    token = token_of(code)
    if token is None:
        return _message(request, "unknown", status=404)
    refusal = _refusal_of(token.round, used=token.used)
    if refusal:
        return _message(request, refusal, status=200 if request.method == "GET" else 409)
    survey = token.round.survey
    form = BallotForm(request.POST or None, survey=survey)
    if request.method != "POST":
        return _ballot(request, token.round, token.unit, form)
    if form.is_honeypot_filled():
        return _thanks(request, token.round, token.unit)
    if form.is_valid():
        try:
            services.response_submit_with_token(code=code, answers=form.answers())
        except services.ResponseRefused as exc:
            return _message(request, exc.code, status=409)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _thanks(request, token.round, token.unit)
    return _ballot(request, token.round, token.unit, form)


@public_post
def open_ballot(request: HttpRequest, key: str) -> HttpResponse:
    """The ballot of an open link (public polls), rate-limited per client."""
    link = get_object_or_404(
        OpenLink.objects.select_related("round__survey__campaign", "unit"), key=key
    )
    refusal = _refusal_of(link.round)
    if refusal:
        return _message(request, refusal, status=200 if request.method == "GET" else 403)
    form = BallotForm(request.POST or None, survey=link.round.survey)
    if request.method != "POST":
        return _ballot(request, link.round, link.unit, form)
    client = client_key(client_address(request))
    if submission_throttled(client):
        context = {
            "title": _("Please wait a while"),
            "text": _("Many answers came from your network just now. Please try again later."),
        }
        return render(request, "evaluation/public_message.html", context, status=429)
    if form.is_honeypot_filled():
        throttle_record(client=client)
        return _thanks(request, link.round, link.unit)
    if form.is_valid():
        try:
            services.response_submit_open(link=link, answers=form.answers(), client=client)
        except services.ResponseRefused as exc:
            return _message(request, exc.code, status=403)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _thanks(request, link.round, link.unit)
    return _ballot(request, link.round, link.unit, form)
