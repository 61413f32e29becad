"""Word documents of a unit in a campaign: the rectification plan and the progress report.

``rectification_plan`` (整改方案) and ``progress_report`` (整改情况报告) read
what the user may see (:mod:`.figures`), compose it (:mod:`.plan`,
:mod:`.report`) in the layout of Chinese official documents (:mod:`.layout`)
and return the file with the name a download gives it.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign
from rectify.core.xlsx import attachment_disposition
from rectify.org.models import Unit

from .figures import DOCUMENT_ROWS, TYPICAL_CASES, plan_data, report_data
from .layout import DOCX_CONTENT_TYPE
from .plan import build_plan
from .report import build_report


@dataclass(frozen=True)
class GeneratedDocument:
    """A finished ``.docx``: its bytes, its file name and an ASCII fallback name."""

    content: bytes
    filename: str
    fallback: str


def _filename(kind: str, fallback_kind: str, campaign: Campaign, unit: Unit, day: dt.date):
    name = f"{campaign.name}-{unit.name}-{kind}-{day:%Y%m%d}"
    # No path separators, quotes or spaces: some clients keep them, some cut the name there.
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", name)[:150]
    return f"{name}.docx", f"{fallback_kind}-{campaign.slug}-{unit.pk}-{day:%Y%m%d}.docx"


def rectification_plan(
    *, user, campaign: Campaign, unit: Unit, today: dt.date | None = None
) -> GeneratedDocument:
    """The 整改方案 of ``unit``'s subtree in ``campaign``, as far as ``user`` may see it."""
    today = today or timezone.localdate()
    content = build_plan(plan_data(user, campaign, unit, today)).to_bytes()
    filename, fallback = _filename(
        _("Rectification plan"), "rectification-plan", campaign, unit, today
    )
    return GeneratedDocument(content, filename, fallback)


def progress_report(
    *, user, campaign: Campaign, unit: Unit, today: dt.date | None = None
) -> GeneratedDocument:
    """The 整改情况报告 of ``unit``'s subtree in ``campaign``, as far as ``user`` may see it."""
    today = today or timezone.localdate()
    content = build_report(report_data(user, campaign, unit, today)).to_bytes()
    filename, fallback = _filename(
        _("Rectification progress report"), "progress-report", campaign, unit, today
    )
    return GeneratedDocument(content, filename, fallback)


def docx_response(document: GeneratedDocument) -> HttpResponse:
    """An HTTP response that downloads ``document`` under its name (RFC 5987 for Chinese)."""
    response = HttpResponse(document.content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(document.filename, document.fallback)
    return response


__all__ = [
    "DOCUMENT_ROWS",
    "TYPICAL_CASES",
    "GeneratedDocument",
    "docx_response",
    "progress_report",
    "rectification_plan",
]
