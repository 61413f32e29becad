"""Files refused before anything is parsed or written (issue 4 item 10): exact messages."""

import io
import zipfile

import pytest

from rectify.exchange.importer import ImportRefused
from rectify.ledger.models import Measure, Problem

from .builders import convert, needs_soffice, run, workbook, zip_bomb

pytestmark = pytest.mark.usefixtures("english")

ROWS = [
    ["问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
    ["T1", "问题一", "措施一", "李明", "2019-12-31"],
    ["T1", "问题二", "措施二", "李明", "2019-12-31"],
]


def _refused(path, world, name=None) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        run(path, campaign=world.campaign, unit=world.a, user=world.admin_a, name=name)
    assert (Problem.all_objects.count(), Measure.all_objects.count()) == (0, 0)
    return caught.value


def test_macro_enabled_extension_is_refused(world, tmp_path):
    path = workbook(tmp_path / "台账.xlsm", ROWS)
    error = _refused(path, world)
    assert error.code == "macro"
    assert error.messages == [
        "“台账.xlsm” is a macro-enabled workbook. Macros are never imported: "
        "save it as .xlsx (Excel workbook) and upload that."
    ]


def test_macro_workbook_renamed_xlsx_is_refused(world, tmp_path):
    source = workbook(tmp_path / "plain.xlsx", ROWS)
    path = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as renamed:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            renamed.writestr(item, data)
        renamed.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really vba")
    error = _refused(path, world)
    assert error.code == "macro"
    assert error.messages[0].startswith("“台账.xlsx” contains macros.")


def test_png_renamed_xlsx_is_refused(world, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    error = _refused(path, world)
    assert error.code == "mismatch"
    assert error.messages == [
        "The content of “台账.xlsx” is not a .xlsx file. Open it in Excel or WPS "
        "and save it again as .xlsx."
    ]


def test_xlsx_renamed_xls_is_refused(world, tmp_path):
    path = tmp_path / "台账.xls"
    path.write_bytes(workbook(tmp_path / "a.xlsx", ROWS).read_bytes())
    assert _refused(path, world).code == "mismatch"


def test_zip_that_is_not_a_spreadsheet_is_refused(world, tmp_path):
    path = tmp_path / "台账.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/zip")
        archive.writestr("content.xml", "<x/>")
    assert _refused(path, world).code == "mismatch"


def test_binary_csv_is_refused(world, tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    assert _refused(path, world).code == "mismatch"


def test_unknown_extension_is_refused(world, tmp_path):
    path = tmp_path / "台账.docx"
    path.write_bytes(b"PK\x03\x04")
    error = _refused(path, world)
    assert error.code == "file_type"
    assert error.messages == [
        "“台账.docx” is not a spreadsheet we read. Upload .xlsx, .xls, .ods or .csv."
    ]


def test_truncated_zip_is_refused(world, tmp_path):
    whole = workbook(tmp_path / "whole.xlsx", ROWS).read_bytes()
    path = tmp_path / "台账.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    error = _refused(path, world)
    assert error.code == "corrupt"
    assert error.messages == [
        "“台账.xlsx” is damaged and cannot be read. Save it again and upload the new copy."
    ]


def test_zip_with_a_damaged_member_is_refused(world, tmp_path):
    """The central directory is intact, a member's data is not: the CRC check catches it."""
    buffer = io.BytesIO()
    source = workbook(tmp_path / "whole.xlsx", ROWS)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w") as copy:
        for item in original.infolist():
            copy.writestr(item.filename, original.read(item), zipfile.ZIP_STORED)
    data = bytearray(buffer.getvalue())
    at = data.index(b"<sheetData>")
    data[at + 20 : at + 40] = b"X" * 20
    path = tmp_path / "台账.xlsx"
    path.write_bytes(bytes(data))
    assert _refused(path, world).code == "corrupt"


def test_zip_bomb_is_refused_before_it_is_inflated(world, tmp_path):
    path = zip_bomb(tmp_path / "台账.xlsx", megabytes=300)
    assert path.stat().st_size < 1024 * 1024
    error = _refused(path, world)
    assert error.code == "zip_bomb"
    assert error.messages == [
        "“台账.xlsx” unpacks to far more data than a spreadsheet of its size holds "
        "(a “zip bomb”), so it was not opened."
    ]


def test_zip_bomb_under_the_size_limit_is_caught_by_its_ratio(world, tmp_path, settings):
    settings.RECTIFY_IMPORT_MAX_UNZIPPED_BYTES = 10**12
    path = zip_bomb(tmp_path / "台账.xlsx", megabytes=20)
    assert _refused(path, world).code == "zip_bomb"


def test_file_over_the_size_limit_is_refused(world, tmp_path, settings):
    settings.RECTIFY_IMPORT_MAX_BYTES = 1000
    path = workbook(tmp_path / "台账.xlsx", ROWS)
    error = _refused(path, world)
    assert error.code == "too_large"
    assert error.messages[0].startswith("“台账.xlsx” is ")
    assert error.messages[0].endswith("; the limit is 1000\xa0bytes.")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", pytest.param("ods", marks=needs_soffice)])
def test_sheet_over_the_row_limit_is_refused(world, tmp_path, settings, fmt):
    settings.RECTIFY_IMPORT_MAX_ROWS = 10
    rows = ROWS + [["T1", f"问题{n}", "措施", "李明", "2019-12-31"] for n in range(10)]
    path = workbook(tmp_path / "台账.xlsx", rows)
    if fmt == "csv":
        path = tmp_path / "台账.csv"
        path.write_text("\n".join(",".join(map(str, r)) for r in rows), encoding="utf-8")
    elif fmt != "xlsx":
        path = convert(path, fmt)
    error = _refused(path, world)
    assert error.code == "too_many_rows"
    assert error.messages[0].endswith(
        "the limit is 10. Split the file and import the parts one after another."
    )


def test_cell_over_the_text_limit_is_refused(world, tmp_path, settings):
    settings.RECTIFY_IMPORT_MAX_CELL_CHARS = 50
    rows = [*ROWS, ["T1", "长" * 51, "措施", "李明", "2019-12-31"]]
    error = _refused(workbook(tmp_path / "台账.xlsx", rows), world)
    assert error.code == "cell_too_long"
    assert error.messages == ["Cell B4 holds 51 characters; the limit is 50."]


def test_empty_file_is_refused(world, tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes(b"")
    assert _refused(path, world).code == "empty"
