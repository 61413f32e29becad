"""The exchange app's pages: exports, imports, and the page of a background job."""

from .documents import document_plan, document_report
from .export import (
    export_department,
    export_measures,
    export_mine,
    export_person,
    export_problems,
)
from .import_ import import_errors, import_new, import_preview, import_run
from .jobs import job_detail, job_download

__all__ = [
    "document_plan",
    "document_report",
    "export_department",
    "export_measures",
    "export_mine",
    "export_person",
    "export_problems",
    "import_errors",
    "import_new",
    "import_preview",
    "import_run",
    "job_detail",
    "job_download",
]
