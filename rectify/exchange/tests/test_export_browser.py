"""A large export in Debian's Chromium: the menu, the confirmation, the progress bar, the file."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rectify.core.testing import LOCAL_HOSTS, make_user
from rectify.exchange.export import export_job_run
from rectify.exchange.models import Job, JobStatus
from rectify.org.models import Role

from .export_data import build_ledger, read_xlsx, sheet_rows

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PASSWORD = "correct horse battery"


@pytest.mark.browser
def test_large_export_shows_progress_then_offers_the_file(
    transactional_db, live_server, browser_page, settings, tmp_path
):
    settings.RECTIFY_EXPORT_DIRECT_ROWS = 2
    # Queued, not run: the test runs the job while the page polls.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ledger = build_ledger()
    make_user(ledger.a, Role.UNIT_ADMIN, username="dongchangfu")
    page = browser_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    base = live_server.url

    page.goto(f"{base}/login/?next=/ledger/measures/%3Fstatus%3D")
    page.fill("#id_username", "dongchangfu")
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/**")

    page.click(".export-menu summary")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "export-menu.png"))
    page.click(".export-menu a:has-text('整改台账 (.xlsx)')")
    page.wait_for_url(f"{base}/exchange/export/measures/**")
    assert page.is_visible("text=本次导出超过 2 行")
    page.click("button:has-text('导出为 .xlsx')")
    page.wait_for_url(f"{base}/exchange/jobs/**")
    job = Job.objects.get()
    assert job.status == JobStatus.PENDING
    assert page.is_visible("#job-status progress")
    assert not page.is_visible("#job-download")
    page.screenshot(path=str(ARTIFACTS / "export-job-waiting.png"))

    export_job_run(job.pk)  # what the worker does; the page learns of it by polling
    page.wait_for_selector("#job-download", timeout=10_000)
    assert page.get_attribute("#job-status progress", "value") == "100"
    page.screenshot(path=str(ARTIFACTS / "export-job-done.png"))
    with page.expect_download() as download:
        page.click("#job-download")
    assert download.value.suggested_filename.endswith(
        "整改台账-" + ledger.today.strftime("%Y%m%d") + ".xlsx"
    )
    path = tmp_path / "download.xlsx"
    download.value.save_as(path)
    ids = [row[-1] for row in sheet_rows(read_xlsx(path.read_bytes()))]
    assert len(ids) == 5 and not any(i.startswith(f"P{ledger.p4.pk}") for i in ids)
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS
