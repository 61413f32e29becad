"""Messy ledgers built in code (openpyxl; LibreOffice headless for .xls and .ods), and a world.

Test modules import the fixtures they use from here: ``from .builders import world``.
"""

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from rectify.core.testing import make_admin, make_campaign, make_person, make_unit, make_user
from rectify.exchange.importer import Options, import_plan, import_reason, plan_file
from rectify.org.models import Role, UnitKind

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is needed: make browser installs it"
)


def workbook(path: Path, rows: list[list], *, merges=(), sheet_title: str | None = None) -> Path:
    """Write ``rows`` (from A1; ``None`` leaves a cell empty) with ``merges`` ("B5:B7")."""
    book = openpyxl.Workbook()
    sheet = book.active
    if sheet_title:
        sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def convert(path: Path, fmt: str) -> Path:
    """``path`` converted by LibreOffice headless to ``fmt`` (xls, ods, csv) beside it."""
    profile = path.parent / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(path.parent),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    converted = path.with_suffix(f".{fmt}")
    assert converted.exists(), f"LibreOffice did not write {converted}"
    return converted


def zip_bomb(path: Path, megabytes: int = 300) -> Path:
    """A valid-looking .xlsx whose sheet XML inflates to ``megabytes`` MB (the file stays small)."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def plan(path: Path, *, campaign, unit, user, name: str | None = None, **options):
    """The import plan of the file at ``path``."""
    return plan_file(
        path,
        name or path.name,
        campaign=campaign,
        unit=unit,
        user=user,
        options=Options(**options),
    )


def run(path: Path, *, campaign, unit, user, name: str | None = None, **options):
    """Plan and import the file at ``path``; returns ``(plan, outcome)``."""
    found = plan(path, campaign=campaign, unit=unit, user=user, name=name, **options)
    outcome = import_plan(
        found, campaign=campaign, acting_user=user, reason=import_reason(name or path.name)
    )
    return found, outcome


def build_world() -> SimpleNamespace:
    """市科协 → 东昌府区科协 (DCF) and 临清市科协 (LQ), each with an 办公室; people in both."""
    city = make_unit("市科协", code="SKX", kind=UnitKind.CITY)
    county_a = make_unit("东昌府区科协", code="DCF", parent=city, kind=UnitKind.COUNTY)
    county_b = make_unit("临清市科协", code="LQ", parent=city, kind=UnitKind.COUNTY)
    office_a = make_unit("办公室", code="DCF-BGS", parent=county_a, kind=UnitKind.OFFICE)
    office_b = make_unit("办公室", code="LQ-BGS", parent=county_b, kind=UnitKind.OFFICE)
    campaign = make_campaign(city, start_date=dt.date(2019, 9, 1), slug="zhuti-2019")
    people = {name: make_person(county_a, name) for name in ("王责任", "李明", "张强", "赵领导")}
    people["刘芳"] = make_person(county_b, "刘芳")
    return SimpleNamespace(
        city=city,
        a=county_a,
        b=county_b,
        office_a=office_a,
        office_b=office_b,
        campaign=campaign,
        targets={t.code: t for t in campaign.targets.all()},
        people=people,
        admin_a=make_user(county_a, Role.UNIT_ADMIN, username="admin_a"),
        admin_b=make_user(county_b, Role.UNIT_ADMIN, username="admin_b"),
        admin_city=make_user(city, Role.UNIT_ADMIN, username="admin_city"),
        sysadmin=make_admin(),
    )


@pytest.fixture
def world(db) -> SimpleNamespace:
    """See :func:`build_world`."""
    return build_world()


@pytest.fixture
def english():
    """Messages in English, so that tests read them whatever the default language."""
    from django.utils import translation

    with translation.override("en"):
        yield
