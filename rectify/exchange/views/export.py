"""Export downloads: the list a page shows, as .xlsx or .csv, filtered as the page is.

A small export (up to ``RECTIFY_EXPORT_DIRECT_ROWS`` rows) is answered at
once; a larger one is confirmed by a POST and then written by a background
job whose page shows its progress. Nothing is written on a GET.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from rectify.ledger.views.common import persons_listed_for
from rectify.org.scoping import units_visible_to

from ..export import (
    CONTENT_TYPES,
    FORMATS,
    SOURCES,
    ExportRequest,
    build_source,
    csv_chunks,
    direct_limit,
    export_filename,
    export_job_create,
    write_xlsx,
)
from ..rows import LIST_TITLES

#: Query parameters that choose the export, not the rows.
_OWN_PARAMETERS = ("list", "format", "page")


@login_required
def export_problems(request: HttpRequest) -> HttpResponse:
    """Export from the problem list (问题清单, or the 整改台账 of the listed problems)."""
    return _export(request, "problems")


@login_required
def export_measures(request: HttpRequest) -> HttpResponse:
    """Export from the measure list (整改清单, 责任清单 or 整改台账)."""
    return _export(request, "measures")


@login_required
def export_mine(request: HttpRequest) -> HttpResponse:
    """Export the logged-in user's responsibility list."""
    return _export(request, "mine")


@login_required
def export_person(request: HttpRequest, pk: int) -> HttpResponse:
    """Export the responsibility list of a person the user may see."""
    get_object_or_404(persons_listed_for(request.user), pk=pk)
    return _export(request, "person", pk)


@login_required
def export_department(request: HttpRequest, pk: int) -> HttpResponse:
    """Export the measures a department the user may see answers for."""
    get_object_or_404(units_visible_to(request.user), pk=pk)
    return _export(request, "department", pk)


def _export(request: HttpRequest, source: str, pk: int | None = None) -> HttpResponse:
    list_name = request.GET.get("list", "")
    fmt = request.GET.get("format", "xlsx")
    if list_name not in SOURCES[source] or fmt not in FORMATS:
        raise Http404(_("No such export."))
    query = request.GET.copy()
    for name in _OWN_PARAMETERS:
        query.pop(name, None)
    export = ExportRequest(list_name=list_name, source=source, query=query.urlencode(), pk=pk)
    if request.method == "POST":
        job = export_job_create(request=export, fmt=fmt, acting_user=request.user)
        return redirect("exchange:job", pk=job.pk)
    rows = build_source(export, request.user)
    limit = direct_limit()
    if rows.count(cap=limit) > limit:
        context = {"title": LIST_TITLES[list_name], "format": fmt, "limit": limit}
        return render(request, "exchange/export_confirm.html", context)
    filename = export_filename(rows, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    # FileResponse closes the file (and so deletes it) once the response is sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(rows, handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )
