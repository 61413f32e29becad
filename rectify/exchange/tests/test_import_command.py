"""``rectify import_ledger``: exit 0 imported, 1 data errors (with the report), 2 usage."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rectify.exchange.importer import import_reason
from rectify.ledger.models import Measure, Problem

from .builders import workbook

pytestmark = pytest.mark.usefixtures("english")

GOOD = [
    ["整改台账"],
    ["问题类别", "问题描述", "整改措施", "责任人", "完成时限"],
    ["T1", "问题一", "措施一", "李明、新同志", "2019年12月31日"],
    ["T2", "问题二", "措施二", "张强", "长期坚持"],
]
BAD = [GOOD[1], ["T1", "问题一", "措施一", "李明", "尽快"]]


def _call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ledger", *args, "--language", "en", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_and_reports(world, tmp_path):
    path = workbook(tmp_path / "台账.xlsx", GOOD)
    out, _err = _call(str(path), "--campaign", "zhuti-2019", "--unit", "DCF", "--user", "admin_a")
    assert "2 problems and 2 measures created" in out
    assert "New person: 新同志 (东昌府区科协)." in out
    assert Problem.objects.count() == 2
    record = Measure.objects.first().history.get()
    assert (record.history_user, record.history_change_reason) == (
        world.admin_a,
        import_reason("台账.xlsx"),
    )


def test_dry_run_writes_nothing(world, tmp_path):
    path = workbook(tmp_path / "台账.xlsx", GOOD)
    out, _err = _call(str(path), "--campaign", "zhuti-2019", "--unit", "DCF", "--dry-run")
    assert out.startswith("New person: 新同志")
    assert "Dry run, nothing written. Would create 2 problems and 2 measures" in out
    assert Problem.objects.count() == 0


def test_data_errors_exit_1_with_the_report(world, tmp_path):
    path = workbook(tmp_path / "台账.xlsx", BAD)
    with pytest.raises(CommandError) as caught:
        _call(str(path), "--campaign", "zhuti-2019", "--unit", "DCF")
    assert caught.value.returncode == 1
    assert str(caught.value) == "Nothing was imported: 1 problems need attention."
    assert Problem.objects.count() == 0


def test_error_lines_name_row_column_and_value(world, tmp_path):
    path = workbook(tmp_path / "台账.xlsx", BAD)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_ledger",
            str(path),
            "--campaign=zhuti-2019",
            "--unit=DCF",
            "--language=en",
            stderr=err,
        )
    assert err.getvalue().startswith("error: row 2, column E · 完成时限 “尽快”: Not a date")


def test_refused_file_exits_1(world, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError) as caught:
        _call(str(path), "--campaign", "zhuti-2019", "--unit", "DCF")
    assert caught.value.returncode == 1
    assert "is not a .xlsx file" in str(caught.value)


@pytest.mark.parametrize(
    "args",
    [
        ["missing.xlsx", "--campaign", "zhuti-2019", "--unit", "DCF"],
        ["{file}", "--campaign", "nope", "--unit", "DCF"],
        ["{file}", "--campaign", "zhuti-2019", "--unit", "NOPE"],
        ["{file}", "--campaign", "zhuti-2019", "--unit", "DCF", "--user", "nobody"],
        ["{file}", "--campaign", "zhuti-2019", "--unit", "LQ", "--user", "admin_a"],
    ],
)
def test_usage_errors_exit_2(world, tmp_path, args):
    path = workbook(tmp_path / "台账.xlsx", GOOD)
    args = [a.replace("{file}", str(path)) for a in args]
    if args[0] == "missing.xlsx":
        args[0] = str(tmp_path / "missing.xlsx")
    with pytest.raises(CommandError) as caught:
        _call(*args)
    assert caught.value.returncode == 2
    assert Problem.objects.count() == 0


def test_missing_arguments_exit_2(world):
    """argparse's own usage errors end the process with 2."""
    with pytest.raises(SystemExit) as caught:
        from django.core.management import ManagementUtility

        ManagementUtility(["rectify", "import_ledger"]).execute()
    assert caught.value.code == 2
