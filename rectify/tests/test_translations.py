"""zh-hans is the default language and its catalog is complete and compiled."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[1]
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _po_entries(path: Path) -> dict[str, list[str]]:
    """msgid (with ``\\x00msgid_plural`` for plurals) → its msgstr values, fuzzy ones marked."""
    entries: dict[str, list[str]] = {}
    current: dict[str, str] = {}
    key = None
    fuzzy = False

    def flush():
        nonlocal current, fuzzy
        if current.get("msgid"):
            msgid = current["msgid"]
            if "msgctxt" in current:
                # gettext keys a msgid with a context as "context\x04msgid".
                msgid = current["msgctxt"] + "\x04" + msgid
            if "msgid_plural" in current:
                msgid += "\x00" + current["msgid_plural"]
            values = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
            entries[msgid] = ["<fuzzy>"] if fuzzy else values
        current, fuzzy = {}, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += line[1:-1]
        else:
            key, _, rest = line.partition(" ")
            current[key] = rest[1:-1]
    flush()
    return entries


def test_every_string_has_a_chinese_translation():
    entries = _po_entries(PO)
    assert len(entries) > 300
    missing = [msgid for msgid, values in entries.items() if not all(values) or "<fuzzy>" in values]
    assert missing == []


def test_compiled_catalog_matches_the_po_file():
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    compiled = {k if isinstance(k, str) else k[0] for k in catalog if k}
    singular = {msgid.split("\x00")[0] for msgid in _po_entries(PO)}
    assert compiled == singular, "run `make messages` to recompile django.mo"


def test_chinese_is_the_default_and_english_is_available(client):
    with translation.override("zh-hans"):
        assert translation.gettext("Signed off") == "已销号"
    response = client.get("/login/")
    assert "登录" in response.content.decode()
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in response.content.decode()


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs gettext (make test installs it)"
)
def test_catalog_holds_every_marked_string(tmp_path):
    """Extract the strings again from a copy of the code: none may be missing from the catalog."""
    copy = tmp_path / "rectify"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
         "--ignore", "tests/*", "--ignore", "*/tests/*", "--ignore", "demo/*"],
        cwd=copy, check=True, capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "rectify.settings", "PATH": "/usr/bin:/bin",
             "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    fresh = _po_entries(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    missing = [msgid for msgid, values in fresh.items() if not all(values)]
    assert missing == [], "run `make messages` and translate the new strings"
