"""Import of real-world ledgers (台账): .xlsx, .xls, .ods and .csv into problems and measures.

``read`` opens a file safely (limits, magic bytes, zip bombs) and yields its
rows with merged cells expanded; ``header`` finds the header row and maps
columns; ``parse`` reads cell values; ``plan`` turns rows into what would
land and every row-level issue; ``commit`` writes a plan in one transaction;
``stored`` keeps the plan made at "Import" for the background job that writes
it. Views, the background task and the ``import_ledger`` command all go through
:func:`plan_file` (or :func:`~.jobs.import_job_plan`) and
:func:`~.commit.import_plan`.
"""

from rectify.core.spreadsheets import ImportRefused, Spreadsheet, check_file

from .commit import ImportFailed, Outcome, import_plan, import_reason
from .plan import Issue, Options, Plan, build_plan


def open_checked(path, name: str) -> Spreadsheet:
    """Check the file at ``path`` (uploaded as ``name``) and open it; raises ImportRefused."""
    with open(path, "rb") as stream:
        fmt = check_file(name, stream)
    return Spreadsheet(path, fmt, name)


def plan_file(path, name: str, *, campaign, unit, user, options=None, progress=None) -> Plan:
    """Check, open and plan the file at ``path``; raises ImportRefused for an unusable file."""
    with open_checked(path, name) as book:
        return build_plan(
            book, campaign=campaign, unit=unit, user=user, options=options, progress=progress
        )


__all__ = [
    "ImportFailed",
    "ImportRefused",
    "Issue",
    "Options",
    "Outcome",
    "Plan",
    "Spreadsheet",
    "build_plan",
    "check_file",
    "import_plan",
    "import_reason",
    "open_checked",
    "plan_file",
]
