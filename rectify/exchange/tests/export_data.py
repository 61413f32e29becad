"""A small ledger that shows every kind of row an export writes, and helpers to read files back."""

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import openpyxl
from django.utils import timezone

from rectify.core.testing import make_measure, make_person, make_problem
from rectify.ledger import pressure
from rectify.ledger.models import (
    ExtensionRequest,
    ExtensionStatus,
    Level,
    MeasureKind,
    MeasureStatus,
    Source,
    Urge,
)
from rectify.ledger.services import progress_record
from rectify.ledger.tests.conftest import build_city

#: Text a spreadsheet would run as a formula if it were written as one.
FORMULA_DESCRIPTION = '=HYPERLINK("http://evil.example/","点我")'
FORMULA_CAUSE = "@SUM(1+1)"
FORMULA_CONTENT = "+cmd|' /C calc'!A0"
FORMULA_OUTCOME = "-2+3"
FORMULA_PROGRESS = "\t=1+1"


def build_ledger() -> SimpleNamespace:
    """The city of the ledger tests with problems of both counties.

    County A: ``p1`` with three measures (red with urges and an approved
    extension, green, yellow), ``p2`` without measures, ``p3`` whose texts look
    like formulas, with one long-term (grey) measure. County B: ``p4`` with one
    red measure.
    """
    c = build_city()
    admin = c.sysadmin
    today = timezone.localdate()
    c.today = today
    c.leader = make_person(c.a, "李领导")
    c.helper = make_person(c.a, "赵协助")
    c.p1 = make_problem(
        c.campaign,
        c.a,
        description="理论学习不够深入",
        source=Source.SELF_EXAMINATION,
        level=Level.LEADERSHIP_GROUP,
        root_cause="重视程度不够",
        acting_user=admin,
    )
    c.m_red = make_measure(
        c.p1,
        content="制定年度学习计划",
        expected_outcome="计划印发执行",
        deadline=today - dt.timedelta(days=3),
        persons=[c.zeren_person, c.helper],
        responsible_leader=c.leader,
        responsible_department=c.a,
        status=MeasureStatus.IN_PROGRESS,
        acting_user=admin,
    )
    c.m_green = make_measure(
        c.p1,
        content="开展专题研讨",
        deadline=today + dt.timedelta(days=30),
        status=MeasureStatus.COMPLETED,
        acting_user=admin,
    )
    c.m_yellow = make_measure(
        c.p1, content="建立学习台账", deadline=today + dt.timedelta(days=3), acting_user=admin
    )
    c.p2 = make_problem(c.campaign, c.a, description="尚未制定措施的问题", acting_user=admin)
    c.p3 = make_problem(
        c.campaign,
        c.a,
        description=FORMULA_DESCRIPTION,
        root_cause=FORMULA_CAUSE,
        acting_user=admin,
    )
    c.m_grey = make_measure(
        c.p3,
        content=FORMULA_CONTENT,
        expected_outcome=FORMULA_OUTCOME,
        kind=MeasureKind.LONG_TERM,
        deadline=None,
        acting_user=admin,
    )
    c.p4 = make_problem(c.campaign, c.b, description="临清市的问题", acting_user=admin)
    c.m_b = make_measure(
        c.p4, content="临清市的措施", deadline=today - dt.timedelta(days=1), acting_user=admin
    )
    # Progress: the latest note is the one exported.
    progress_record(
        measure=c.m_red, text="已起草", reported_on=today - dt.timedelta(days=5), acting_user=admin
    )
    progress_record(measure=c.m_red, text="已提交党组审议", reported_on=today, acting_user=admin)
    progress_record(measure=c.m_grey, text=FORMULA_PROGRESS, acting_user=admin)
    Urge.objects.create(measure=c.m_red, by=admin, message="请加快")
    Urge.objects.create(measure=c.m_red, by=admin, message="再次督办")
    for status in (ExtensionStatus.APPROVED, ExtensionStatus.REFUSED):
        ExtensionRequest.objects.create(
            measure=c.m_red,
            old_deadline=today,
            new_deadline=today + dt.timedelta(days=10),
            reason="需要时间",
            status=status,
        )
    pressure.recount()  # the urges and extensions were written around their services
    return c


# Reading files back


def read_xlsx(data: bytes):
    """The first sheet of an .xlsx, with styles and merged cells (not read-only)."""
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def sheet_rows(sheet, first: int = 4) -> list[list]:
    """The values of the data rows (below the title rows and the header)."""
    return [list(row) for row in sheet.iter_rows(min_row=first, values_only=True)]


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of a CSV export (BOM checked and stripped by the caller's decoding)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def soffice() -> str | None:
    """LibreOffice's command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_csv(xlsx: bytes, folder: Path) -> list[list[str]]:
    """``xlsx`` as LibreOffice Calc reads it, converted headless to UTF-8 CSV."""
    source = folder / "export.xlsx"
    source.write_bytes(xlsx)
    profile = (folder / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (folder / "export.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))
