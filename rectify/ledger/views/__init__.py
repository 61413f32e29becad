"""The ledger's pages. Each view parses input, calls one service or selector, and renders."""

from .extensions import extension_decide, extension_request
from .measures import (
    evidence_download,
    measure_create,
    measure_delete,
    measure_detail,
    measure_edit,
    measure_list,
    measure_progress,
    measure_restore,
    measure_status,
)
from .problems import (
    problem_create,
    problem_delete,
    problem_detail,
    problem_edit,
    problem_list,
    problem_restore,
)
from .report import standing_report
from .responsibilities import (
    department_responsibilities,
    my_responsibilities,
    person_responsibilities,
    unit_lists,
)
from .signoff import measure_decide, measure_submit
from .urging import measure_urge, unit_urge_red

__all__ = [
    "department_responsibilities",
    "evidence_download",
    "extension_decide",
    "extension_request",
    "measure_create",
    "measure_decide",
    "measure_delete",
    "measure_detail",
    "measure_edit",
    "measure_list",
    "measure_progress",
    "measure_restore",
    "measure_status",
    "measure_submit",
    "measure_urge",
    "my_responsibilities",
    "person_responsibilities",
    "problem_create",
    "problem_delete",
    "problem_detail",
    "problem_edit",
    "problem_list",
    "problem_restore",
    "standing_report",
    "unit_lists",
    "unit_urge_red",
]
