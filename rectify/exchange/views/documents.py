"""Downloads of the Word documents of a unit in a campaign: the plan and the progress report."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.org.scoping import units_visible_to

from ..documents import docx_response, progress_report, rectification_plan


def _download(request: HttpRequest, slug: str, pk: int, build) -> HttpResponse:
    # Scope first: a campaign or unit out of reach is 404 whatever the method.
    campaign = get_object_or_404(campaigns_visible_to(request.user), slug=slug)
    unit = get_object_or_404(units_visible_to(request.user), pk=pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return docx_response(build(user=request.user, campaign=campaign, unit=unit))


@login_required
def document_plan(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The rectification plan (整改方案) of a unit in a campaign, as .docx."""
    return _download(request, slug, pk, rectification_plan)


@login_required
def document_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The progress report (整改情况报告) of a unit in a campaign, as .docx."""
    return _download(request, slug, pk, progress_report)
