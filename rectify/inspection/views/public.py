"""The only pages open to anyone: a public opinion form, and the receipt page.

Abuse is refused in this order: an oversize body before it is read (413),
then a bad CSRF token (403), then a client over its rate (429); a filled
honeypot is thanked like a person and dropped. Nothing here is cached.
"""

import secrets
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from rectify.core.forms import add_service_error
from rectify.core.http import client_address

from ..forms.opinions import PublicOpinionForm, ReceiptLookupForm
from ..models import OpinionForm
from ..selectors.opinions import receipt_of, submission_throttled
from ..services import opinions as services


def _message(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    """A short page that says why nothing was taken."""
    context = {"title": title, "text": text}
    return render(request, "inspection/opinions_public_message.html", context, status=status)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def public_post(view: Callable) -> Callable:
    """Refuse a POST body over ``RECTIFY_OPINION_MAX_BODY`` before anything reads it, then CSRF.

    The CSRF middleware reads the body of every POST it checks, so the view is
    exempted from it and checks the token itself (``csrf_protect``) only once
    the declared size has passed; a body without a declared length is read as
    empty by Django.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if (
            request.method == "POST"
            and _declared_length(request) > settings.RECTIFY_OPINION_MAX_BODY
        ):
            return _message(
                request,
                _("Too much text"),
                _("What you sent is too large to be accepted. Shorten it and send it again."),
                status=413,
            )
        return protected(request, *args, **kwargs)

    return csrf_exempt(never_cache(wrapper))


def _client(request: HttpRequest) -> str:
    return services.client_key(client_address(request))


@public_post
def opinion_form(request: HttpRequest, token: str) -> HttpResponse:
    """The public form; after a submission, the receipt code, shown this once."""
    form_obj = get_object_or_404(
        OpinionForm.objects.select_related("campaign", "unit"), token=token
    )
    if not services.accepts_submissions(form_obj):
        return _message(
            request,
            form_obj.title,
            _("This opinion form is closed and accepts no more opinions."),
            status=200 if request.method == "GET" else 403,
        )
    if request.method != "POST":
        form = PublicOpinionForm(opinion_form=form_obj)
        return render(request, "inspection/opinions_public_form.html", _ctx(form_obj, form))
    client = _client(request)
    if submission_throttled(client):
        return _message(
            request,
            _("Please wait a while"),
            _("Many opinions came from your network just now. Please try again in a few minutes."),
            status=429,
        )
    form = PublicOpinionForm(request.POST, opinion_form=form_obj)
    if form.is_honeypot_filled():
        services.throttle_record(client=client)
        return _thanks(request, form_obj, secrets.token_urlsafe(services.RECEIPT_BYTES))
    if form.is_valid():
        fields = {key: value for key, value in form.cleaned_data.items() if key != "website"}
        try:
            _opinion, code = services.opinion_submit(form=form_obj, client=client, **fields)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _thanks(request, form_obj, code)
    return render(request, "inspection/opinions_public_form.html", _ctx(form_obj, form))


def _ctx(form_obj: OpinionForm, form: PublicOpinionForm) -> dict:
    return {"opinion_form": form_obj, "form": form, "max_length": form.fields["text"].max_length}


def _thanks(request: HttpRequest, form_obj: OpinionForm, code: str) -> HttpResponse:
    """The thank-you page with the receipt code (a made-up one for a bot: it finds nothing)."""
    context = {"opinion_form": form_obj, "code": code}
    return render(request, "inspection/opinions_public_thanks.html", context)


@public_post
def receipt(request: HttpRequest) -> HttpResponse:
    """Enter a receipt code and see where the opinion stands; unknown codes learn nothing."""
    form = ReceiptLookupForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = receipt_of(form.cleaned_data["code"])
        if found is None:
            form.add_error("code", _("No opinion has this receipt code. Check it and try again."))
    return render(
        request, "inspection/opinions_public_receipt.html", {"form": form, "receipt": found}
    )
