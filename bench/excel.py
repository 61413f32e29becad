"""Time the Excel exchange against the libraries doing the bare work, in the same run.

Fill a database first, then run this script against it::

    export DATABASE_URL=sqlite:////tmp/bench_excel.sqlite3
    .venv/bin/rectify migrate
    .venv/bin/rectify generate_ledger --units 2000 --measures 100000 --seed 1
    .venv/bin/python bench/excel.py [--only export|import] [--runs 3]

Every measurement runs in a fresh child process (this script, re-invoked),
so each starts from the same state and its peak memory (``ru_maxrss``) is its
own; the figures are medians over ``--runs``, export and floor alternating so
that both see the same machine.

Export: the campaign's combined ledger (整改台账, one row per measure, problem
cells merged) written by ``rectify.exchange.export`` — database reads
included — next to the floor: XlsxWriter in ``constant_memory`` mode writing
the same cell values raw (no formats, no merges, no title), the rows having
been read beforehand and untimed. Targets: export ≤ 1.5× the floor, peak
memory of the export process < 300 MB.

Import: the exported ledger imported into an empty campaign over the same
units as a user imports it, timed from the click on "Import" to the end of its
background job: the page's plan of the uploaded file (reading, planning), kept
for the job, and the job's write with history — next to the floor:
python-calamine reading the same file into Python lists. (The file's safety
checks ran at upload, before the preview, as they do on the server.) Targets:
import ≤ 6× the floor, peak memory of the import process < 1 GB.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")

EXPORT_TARGET_RATIO = 1.5
EXPORT_TARGET_MB = 300


def _setup_django() -> None:
    import django

    django.setup()
    from django.conf import settings

    # The debug cursor keeps every statement's text: not what a server does.
    settings.DEBUG = False


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, *args: str) -> dict:
    """Run ``kind`` in a fresh interpreter; return the JSON it prints."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------


def _ledger_source(slug: str):
    from django.utils import translation
    from django.utils.http import urlencode

    from rectify.exchange.export import ExportRequest, build_source

    translation.activate("zh-hans")
    request = ExportRequest("ledger", "measures", urlencode({"campaign": slug}))
    return build_source(request, None)


def child_export(slug: str, fmt: str, output: str) -> dict:
    """The export as ``rectify export_ledger`` runs it: read, lay out, write."""
    _setup_django()
    from rectify.exchange.export import write_export

    baseline = _peak_mb()
    started = time.perf_counter()
    with open(output, "wb") as handle:
        rows = write_export(_ledger_source(slug), fmt, handle)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": rows,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        "bytes": Path(output).stat().st_size,
    }


def child_raw(slug: str, output: str) -> dict:
    """The floor: the same cell values, written raw by XlsxWriter in constant-memory mode."""
    _setup_django()
    import xlsxwriter

    source = _ledger_source(slug)
    keys = source.columns
    rows = list(source.rows())  # read beforehand: the floor times the writing alone
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    id_col = len(keys)
    for number, row in enumerate(rows):
        for col, key in enumerate(keys):
            value = row.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(number, col, value)
            elif isinstance(value, int):
                sheet.write_number(number, col, value)
            else:
                sheet.write_string(number, col, value)
        sheet.write_string(number, id_col, row["id"])
    workbook.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(rows), "bytes": Path(output).stat().st_size}


def bench_export(args) -> bool:
    """Print the export figures; return whether the targets were met."""
    print(f"Export of the combined ledger of “{args.campaign_slug}”, {args.runs} runs each")
    exports, raws, csvs = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "ledger.xlsx")
        for _ in range(args.runs):
            exports.append(_child("export", args.campaign_slug, "xlsx", out))
            raws.append(_child("raw", args.campaign_slug, out))
        csvs.append(_child("export", args.campaign_slug, "csv", str(Path(folder) / "l.csv")))
    export_s = statistics.median(r["seconds"] for r in exports)
    raw_s = statistics.median(r["seconds"] for r in raws)
    peak = max(r["peak_mb"] for r in exports)
    baseline = min(r["baseline_mb"] for r in exports)
    rows = exports[0]["rows"]
    ratio = export_s / raw_s
    print(f"  rows                          {rows:>12,}")
    print(f"  export .xlsx (reads included) {export_s:>10.2f} s   {rows / export_s:>9,.0f} rows/s")
    print(f"  floor: XlsxWriter raw         {raw_s:>10.2f} s   {rows / raw_s:>9,.0f} rows/s")
    print(f"  ratio                         {ratio:>10.2f} ×   (target ≤ {EXPORT_TARGET_RATIO})")
    print(f"  export .csv                   {csvs[0]['seconds']:>10.2f} s")
    print(
        f"  peak memory of the export     {peak:>10.0f} MB  (target < {EXPORT_TARGET_MB}; "
        f"{peak - baseline:.0f} MB above Django at rest)"
    )
    print(f"  file size                     {exports[0]['bytes'] / 1e6:>10.1f} MB")
    runs = ", ".join(
        f"{e['seconds']:.2f}/{r['seconds']:.2f}" for e, r in zip(exports, raws, strict=True)
    )
    print(f"  each run (export/floor, s)    {runs}")
    return ratio <= EXPORT_TARGET_RATIO and peak < EXPORT_TARGET_MB


# ---------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------
#
# The campaign's combined ledger, as the exporter writes it, is imported into an
# empty campaign over the same units (the root chosen, so the 单位 column places
# each row) the way a user imports it: the file uploaded and checked (untimed), the
# preview looked at (untimed; the names that match several people decided as a user
# would, here by the first candidate offered), then "Import" timed from the click to
# the job's end: the page plans the stored file with the options posted (reading,
# planning: targets, units, departments, people, ids) and starts the job, which keeps
# that plan, and the job (run here in the same process, as the worker runs it) writes
# it in one transaction, history included. The floor is python-calamine
# reading the same file into Python lists, nothing else. On SQLite each run imports
# into its own copy of the database file (copied untimed) and the time includes the
# commit; elsewhere everything is one transaction, rolled back after the clock stops.

IMPORT_TARGET_RATIO = 6
IMPORT_TARGET_MB = 1024


def child_import(slug: str, path: str) -> dict:
    """Upload, preview, then time "Import" and its job: the page's plan and the job's write."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.db import connection, transaction
    from django.db.models import Q
    from django.test import override_settings
    from django.utils import translation

    from rectify.campaigns.models import Campaign
    from rectify.campaigns.services import campaign_create
    from rectify.exchange.importer import Options, import_reason
    from rectify.exchange.importer.jobs import (
        import_job_create,
        import_job_plan,
        import_job_run,
        import_job_start,
    )
    from rectify.exchange.models import JobStatus
    from rectify.ledger.models import Measure

    translation.activate("zh-hans")
    media = tempfile.TemporaryDirectory()
    # Uploads and kept plans in a folder of this run's; the job is run below, not queued.
    override_settings(
        STORAGES={
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media.name},
            }
        },
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
    ).enable()
    source = Campaign.objects.get(slug=slug)
    roots = list(source.participating_units.all())
    admins = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(role_grants__role="system_admin")
    )
    user = admins.order_by("pk").first()
    sqlite = connection.vendor == "sqlite"
    baseline = _peak_mb()
    # SQLite: each step commits as on the server (the database is a copy of this run's).
    with contextlib.nullcontext() if sqlite else transaction.atomic():
        target = campaign_create(
            name=f"{source.name}（导入）",
            slug=f"{slug}-import",
            organizer=source.organizer,
            participating_units=roots,
            start_date=source.start_date,
            template="zhutijiaoyu",
            acting_user=user,
        )
        with open(path, "rb") as upload:
            job = import_job_create(
                user=user, campaign=target, unit=roots[0], upload=File(upload, Path(path).name)
            )
        preview = import_job_plan(job)
        options = Options(people={q.name: q.match_choices[0][0] for q in preview.undecided})
        del preview
        started = time.perf_counter()
        plan = import_job_plan(job, options)  # "Import": the page plans with the options posted
        if not plan.can_import:
            issues = [f"{i.row} {i.column} {i.value}: {i.reason}" for i in plan.blocking[:10]]
            raise SystemExit("The ledger cannot be imported: " + "; ".join(issues))
        rows = plan.data_rows
        import_job_start(job, options)
        planned = time.perf_counter() - started
        del plan, job._plan  # the page's request ends here; the worker has its own memory
        import_job_run(job.pk)
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        if job.status != JobStatus.DONE:
            raise SystemExit(f"The import job failed: {job.error} {job.result}")
        if not sqlite:
            transaction.set_rollback(True)
    history = Measure.history.filter(history_change_reason=import_reason(Path(path).name))
    return {
        "seconds": seconds,
        "plan_seconds": planned,
        "rows": rows,
        "measures": job.result["measures_created"],
        "problems": job.result["problems_created"],
        "history": history.count() if sqlite else None,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
    }


def child_calamine(path: str) -> dict:
    """The floor: python-calamine reading the same file into Python lists."""
    import python_calamine

    baseline = _peak_mb()
    started = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(path)
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(rows), "peak_mb": _peak_mb(), "baseline_mb": baseline}


def _sqlite_path() -> Path | None:
    url = os.environ.get("DATABASE_URL", "")
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def bench_import(args) -> bool:
    """Print the import figures; return whether the targets were met."""
    import shutil

    print(f"Import of the combined ledger of “{args.campaign_slug}”, {args.runs} runs each")
    imports, floors = [], []
    database = _sqlite_path()
    with tempfile.TemporaryDirectory() as folder:
        ledger = str(Path(folder) / "整改台账.xlsx")
        _child("export", args.campaign_slug, "xlsx", ledger)
        for _ in range(args.runs):
            if database is not None:
                copy = Path(folder) / "import.sqlite3"
                shutil.copyfile(database, copy)
                os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
            try:
                imports.append(_child("import", args.campaign_slug, ledger))
            finally:
                if database is not None:
                    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
            floors.append(_child("calamine", ledger))
        size = Path(ledger).stat().st_size
    import_s = statistics.median(r["seconds"] for r in imports)
    floor_s = statistics.median(r["seconds"] for r in floors)
    peak = max(r["peak_mb"] for r in imports)
    baseline = min(r["baseline_mb"] for r in imports)
    first = imports[0]
    ratio = import_s / floor_s
    rows = first["rows"]
    print(f"  rows read                     {rows:>12,}   ({size / 1e6:.1f} MB file)")
    print(f"  problems / measures created   {first['problems']:>12,} / {first['measures']:,}")
    if first["history"] is not None:
        print(f"  measure history records       {first['history']:>12,}")
    print(f"  import (all of it)            {import_s:>10.2f} s   {rows / import_s:>9,.0f} rows/s")
    plan_s = statistics.median(r["plan_seconds"] for r in imports)
    print(f"    of which the page's plan    {plan_s:>10.2f} s   (reading, planning, plan kept)")
    write_s = statistics.median(r["seconds"] - r["plan_seconds"] for r in imports)
    print(f"    the job: writing, history   {write_s:>10.2f} s")
    print(f"  floor: python-calamine read   {floor_s:>10.2f} s   {rows / floor_s:>9,.0f} rows/s")
    print(f"  ratio                         {ratio:>10.2f} ×   (target ≤ {IMPORT_TARGET_RATIO})")
    print(
        f"  peak memory of the import     {peak:>10.0f} MB  (target < {IMPORT_TARGET_MB}; "
        f"{peak - baseline:.0f} MB above Django at rest)"
    )
    runs = ", ".join(
        f"{i['seconds']:.2f}/{f['seconds']:.2f}" for i, f in zip(imports, floors, strict=True)
    )
    print(f"  each run (import/floor, s)    {runs}")
    return ratio <= IMPORT_TARGET_RATIO and peak < IMPORT_TARGET_MB


SECTIONS = {"export": bench_export, "import": bench_import}
CHILDREN = {
    "export": child_export,
    "raw": child_raw,
    "import": child_import,
    "calamine": child_calamine,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaign-slug", default="generated")
    parser.add_argument("--runs", type=int, default=3, help="Runs of each measurement.")
    parser.add_argument("--only", choices=["export", "import"], help="Run one section.")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        print(json.dumps(CHILDREN[kind](*rest)))
        return
    met = True
    for name, section in SECTIONS.items():
        if args.only in (None, name):
            met = section(args) and met
    if args.only and args.only not in SECTIONS:
        parser.error(f"the {args.only} section is not written yet")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
