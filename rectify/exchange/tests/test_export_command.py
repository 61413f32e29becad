"""``rectify export_ledger``: the file it writes, and exit code 2 for every usage error."""

import pytest
from django.core.management import get_commands, load_command_class

from .export_data import build_ledger, read_csv, read_xlsx, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    return build_ledger()


@pytest.fixture
def run(monkeypatch, capsys):
    """Run the command as the terminal does; return ``(exit code, stdout, stderr)``."""
    # run_from_argv closes every connection when it ends, the test's own included.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def run(*args: str) -> tuple[int, str, str]:
        command = load_command_class(get_commands()["export_ledger"], "export_ledger")
        try:
            command.run_from_argv(["rectify", "export_ledger", *args])
            code = 0
        except SystemExit as exit:
            code = exit.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_exports_a_campaign_ledger_to_xlsx(ledger, run, tmp_path):
    target = tmp_path / "台账.xlsx"
    code, out, _err = run("--campaign", ledger.campaign.slug, "--list", "ledger", "-o", str(target))
    assert code == 0
    assert "6 rows" in out  # county A's five and county B's one: the whole campaign
    sheet = read_xlsx(target.read_bytes())
    ids = [row[-1] for row in sheet_rows(sheet)]
    assert f"P{ledger.p2.pk}" in ids and f"P{ledger.p4.pk}-M{ledger.m_b.pk}" in ids
    assert sheet["A1"].value == f"{ledger.campaign.name} 整改台账"


def test_unit_narrows_to_its_subtree_and_csv_follows_the_file_name(ledger, run, tmp_path):
    target = tmp_path / "out.csv"
    code, _out, _err = run(
        "--campaign",
        ledger.campaign.slug,
        "--unit",
        ledger.b.code,
        "--list",
        "measures",
        "-o",
        str(target),
    )
    assert code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_csv(data)
    assert rows[0][0] == "序号"
    assert [row[-1] for row in rows[1:]] == [f"P{ledger.p4.pk}-M{ledger.m_b.pk}"]


def test_english_headers_on_request(ledger, run, tmp_path):
    target = tmp_path / "problems.xlsx"
    args = ("--campaign", ledger.campaign.slug, "--list", "problems", "--language", "en")
    code, _out, _err = run(*args, "-o", str(target))
    assert code == 0
    assert read_xlsx(target.read_bytes())["A3"].value == "No."


@pytest.mark.parametrize(
    "args, message",
    [
        (("--campaign", "no-such-campaign", "--list", "ledger"), "No campaign"),
        (("--campaign", "{slug}", "--unit", "NO-SUCH-UNIT", "--list", "ledger"), "No unit"),
        (("--campaign", "{slug}", "--list", "everything"), "invalid choice"),
        (("--campaign", "{slug}", "--list", "ledger", "--format", "pdf"), "invalid choice"),
        (("--list", "ledger"), "--campaign"),
    ],
)
def test_usage_errors_exit_with_2_and_say_why(ledger, run, tmp_path, args, message):
    target = tmp_path / "never.xlsx"
    args = [arg.format(slug=ledger.campaign.slug) for arg in args]
    code, _out, err = run(*args, "-o", str(target))
    assert code == 2
    assert message in err
    assert not target.exists()
