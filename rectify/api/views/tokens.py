"""The API tokens page: create (the key is shown once), list and revoke one's own tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.core.forms import add_service_error

from .. import services
from ..forms import TokenForm
from ..selectors import tokens_of


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens and the form for a new one; a new key is shown on this answer only."""
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.token_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            form = TokenForm()
    context = {"form": form, "issued": issued, "tokens": tokens_of(request.user)}
    response = render(request, "api/tokens.html", context)
    if issued:
        # The key is in this page only: no cache may keep it.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's tokens (another user's answers 404)."""
    token = get_object_or_404(tokens_of(request.user), pk=pk)
    services.token_revoke(token=token, acting_user=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api:tokens")
