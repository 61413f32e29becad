"""The inspection stage's front page: where problems are found, and what waits for triage."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..selectors.findings import to_triage_count


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Links to every source of findings, with the number of findings waiting in scope."""
    return render(request, "inspection/home.html", {"to_triage": to_triage_count(request.user)})
