"""A county administrator imports a messy ledger in Debian's Chromium.

Upload, fix the one column the importer could not name, create the person
nobody has, import, watch the job's progress bar (HTMX polling) run to the
end while a task worker picks the job up, then find the rows in the list.
"""

import io
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from django_tasks_db.management.commands.db_worker import Worker

from rectify.core.testing import LOCAL_HOSTS
from rectify.exchange.models import Job, JobStatus
from rectify.ledger.models import Measure, Problem
from rectify.org.models import Person

from .builders import build_world

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PASSWORD = "correct horse battery"


def _messy_ledger() -> bytes:
    """Two title rows, a merged problem over two measures, and a column named 落实人."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [
        ["东昌府区科协整改台账"],
        ["填报单位（盖章）：东昌府区科协"],
        ["序号", "问题类别", "存在问题", "整改措施", "落实人", "完成\n时限", "状态"],
        [1, "理论学习有收获", "理论学习不深入", "制定学习计划", "李明、王强", "2019年12月31日",
         "整改中"],
        [None, None, None, "开展专题研讨", "张强", "12月底", "未开始"],
        [2, "清正廉洁作表率", "廉洁教育不足", "开展警示教育", "张强", "长期坚持", "持续推进"],
        [],
        ["填表人：李明"],
    ]:  # fmt: skip
        sheet.append(row)
    for merged in ("A1:G1", "A2:G2", "A4:A5", "B4:B5", "C4:C5"):
        sheet.merge_cells(merged)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


@pytest.mark.browser
def test_admin_imports_a_messy_ledger_and_sees_it_land(transactional_db, live_server, browser_page):
    world = build_world()
    page, base = browser_page, live_server.url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{base}/login/")
    page.fill("#id_username", "admin_a")
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")

    # From the problem list to the upload form.
    page.goto(f"{base}/ledger/problems/")
    page.click("#import-ledger")
    page.select_option("#id_campaign", world.campaign.slug)
    page.select_option("#id_unit", str(world.a.pk))
    page.set_input_files(
        "#id_file",
        files=[{"name": "整改台账.xlsx", "mimeType": "application/octet-stream",
                "buffer": _messy_ledger()}],
    )  # fmt: skip
    page.click("#import-upload-form button[type=submit]")
    page.wait_for_selector("#column-mapping")

    # The header is row 3; 落实人 is not a header the importer knows, so no one answers yet.
    assert page.locator("#id_header_row").input_value() == "3"
    assert page.locator("#id_col-4").input_value() == ""
    assert (
        page.locator("#import-issues").inner_text().count("至少")
        + page.locator("#import-issues").inner_text().count("least")
        >= 3
    )
    assert page.locator("#import-button").is_disabled()

    # Read column E as the responsible persons: HTMX re-previews, and asks about 王强.
    page.select_option("#id_col-4", "responsible_persons")
    page.wait_for_selector("#import-people")
    people = page.locator("#import-people")
    assert "王强" in people.inner_text()
    page.select_option("#id_person-0", f"new:{world.a.pk}")
    page.wait_for_function("!document.querySelector('#import-button').disabled")
    rows = page.locator("#import-rows tbody tr")
    assert rows.count() == 3
    assert "长期坚持" in rows.nth(2).inner_text()
    assert Problem.objects.count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)

    # Import: the job page waits for a worker, then its bar runs to 100%.
    page.click("#import-button")
    job = Job.objects.get()
    page.wait_for_url(f"{base}/exchange/jobs/{job.pk}/")
    assert page.locator("#job-status progress").get_attribute("value") == "0"
    Worker(
        queue_names=["default"],
        interval=0.1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    ).run()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    page.wait_for_selector("#import-result")
    assert page.locator("#job-status progress").get_attribute("value") == "100"
    assert Person.objects.filter(name="王强", unit=world.a).exists()

    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)

    # The rows are in the measure list.
    page.click("#import-see-measures")
    page.wait_for_url(f"{base}/ledger/measures/?campaign={world.campaign.slug}")
    listed = page.locator("table.list tbody tr")
    assert listed.count() == Measure.objects.count() == 3
    for content in ("制定学习计划", "开展专题研讨", "开展警示教育"):
        assert listed.filter(has_text=content).count() == 1

    assert len(requested) >= 8, requested
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS, requested
