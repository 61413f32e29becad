"""The import pages: upload, preview (mapping, people, errors), import, job page, error file."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rectify.exchange.models import Job, JobStatus
from rectify.ledger.models import Measure, Problem
from rectify.org.models import Person

from .builders import workbook

pytestmark = pytest.mark.usefixtures("english", "tasks_run_at_once")


@pytest.fixture
def client(client):
    """Pages in English, so that the assertions read them whatever the default language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


ROWS = [
    ["整改台账"],
    ["序号", "问题类别", "问题描述", "整改措施", "责任人", "完成时限", "说明"],
    [
        1,
        "T1",
        "学习不深入<script>alert(1)</script>",
        "制定计划",
        "李明、新人甲",
        "2019年12月31日",
        "x",
    ],
    [2, "T1", "作风不实", "整改作风", "张强", "下个月", "y"],
]


def _upload(client, world, tmp_path, rows=ROWS, name="台账.xlsx", unit=None):
    path = workbook(tmp_path / "upload.xlsx", rows)
    return client.post(
        reverse("exchange:import-new"),
        {
            "campaign": world.campaign.slug,
            "unit": (unit or world.a).pk,
            "file": SimpleUploadedFile(name, path.read_bytes()),
        },
    )


def test_upload_then_preview_shows_header_mapping_rows_people_and_errors(client, world, tmp_path):
    client.force_login(world.admin_a)
    response = _upload(client, world, tmp_path)
    job = Job.objects.get()
    assert response.url == reverse("exchange:import-preview", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert 'value="2" selected>Row 2:' in page
    assert '<option value="description" selected>' in page
    # Script in a cell is shown as text, never run.
    assert "学习不深入&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "新人甲" in page and "create in 东昌府区科协" in page
    assert "下个月" in page and "Not a date" in page
    assert re.search(r'id="import-button"[^>]*disabled', page)
    assert Problem.objects.count() == 0


def test_changing_a_column_mapping_re_previews(client, world, tmp_path):
    client.force_login(world.admin_a)
    job_url = _upload(client, world, tmp_path).url
    job = Job.objects.get()
    # Read column F (完成时限) as nothing: the bad date stops mattering, the deadline is missing.
    data = {
        "shown_sheet": "0",
        "sheet": "0",
        "shown_header": "2",
        "header_row": "2",
        "mapping": "1",
        "width": "7",
        **{f"col-{c}": k for c, k in enumerate(
            ["seq", "target", "description", "content", "responsible_persons", "", ""]
        )},
    }  # fmt: skip
    page = client.post(job_url, data, HTTP_HX_REQUEST="true").content.decode()
    job.refresh_from_db()
    assert job.params["columns"] == {
        "0": "seq",
        "1": "target",
        "2": "description",
        "3": "content",
        "4": "responsible_persons",
    }
    assert "Not a date" not in page
    assert "No deadline" in page


def test_import_creates_people_and_rows_and_the_job_page_reports(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.admin_a)
    rows = [*ROWS[:3], [2, "T1", "作风不实", "整改作风", "张强", "12月底", "y"]]
    job_url = _upload(client, world, tmp_path, rows=rows).url
    job = Job.objects.get()
    data = {
        "shown_sheet": "0",
        "sheet": "0",
        "shown_header": "2",
        "header_row": "2",
        "questions": "1",
        "name-0": "新人甲",
        "person-0": f"new:{world.a.pk}",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:import-run", args=[job.pk]), data)
    assert response.url == reverse("exchange:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.result["problems_created"] == 2
    assert Person.objects.filter(name="新人甲", unit=world.a).count() == 1
    assert sorted(Measure.objects.values_list("content", flat=True)) == ["制定计划", "整改作风"]
    page = client.get(response.url).content.decode()
    assert "Imported: 2 problems and 2 measures created." in page
    assert f"/ledger/measures/?campaign={world.campaign.slug}" in page
    # Once imported, the preview sends back to the job: nothing is imported twice.
    assert client.get(job_url).url == response.url
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchange:import-run", args=[job.pk]), data)
    assert Problem.objects.count() == 2


def test_import_with_errors_is_refused_and_writes_nothing(client, world, tmp_path):
    client.force_login(world.admin_a)
    _upload(client, world, tmp_path)
    job = Job.objects.get()
    response = client.post(
        reverse("exchange:import-run", args=[job.pk]),
        {"shown_sheet": "0", "sheet": "0", "shown_header": "2", "header_row": "2"},
    )
    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()
    assert (Problem.objects.count(), Person.objects.filter(name="新人甲").count()) == (0, 0)


def test_error_file_has_the_original_rows_and_an_error_column(client, world, tmp_path):
    client.force_login(world.admin_a)
    _upload(client, world, tmp_path)
    job = Job.objects.get()
    response = client.get(reverse("exchange:import-errors", args=[job.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == [
        "序号",
        "问题类别",
        "问题描述",
        "整改措施",
        "责任人",
        "完成时限",
        "说明",
        "Import errors",
    ]
    assert values[1][:7] == [1, "T1", ROWS[2][2], "制定计划", "李明、新人甲", "2019年12月31日", "x"]
    assert values[1][7] in (None, "")
    assert values[2][5] == "下个月"
    assert values[2][7].startswith("F · 完成时限: Not a date")


def test_refused_file_is_explained_and_not_stored(client, world, tmp_path):
    client.force_login(world.admin_a)
    response = client.post(
        reverse("exchange:import-new"),
        {
            "campaign": world.campaign.slug,
            "unit": world.a.pk,
            "file": SimpleUploadedFile("台账.xlsm", b"PK\x03\x04whatever"),
        },
    )
    assert response.status_code == 200
    assert "is a macro-enabled workbook" in response.content.decode()
    assert not Job.objects.exists()


def test_unit_the_user_may_not_change_is_refused(client, world, tmp_path):
    client.force_login(world.admin_a)
    response = _upload(client, world, tmp_path, unit=world.b)
    assert response.status_code == 200
    assert not Job.objects.exists()


def test_another_users_import_job_is_404_everywhere(client, world, tmp_path):
    client.force_login(world.admin_a)
    _upload(client, world, tmp_path)
    job = Job.objects.get()
    client.force_login(world.admin_city)
    for name in ("exchange:import-preview", "exchange:import-errors", "exchange:job"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client.post(reverse("exchange:import-run", args=[job.pk])).status_code == 404
    assert client.post(reverse("exchange:import-preview", args=[job.pk])).status_code == 404


def test_a_file_beyond_the_upload_cap_is_refused_by_name_and_nothing_is_stored(
    client, world, tmp_path, settings
):
    """The body is larger than anything Rectify stores: the file arrives cut short and is
    refused with the import's own size message; no job, no problem, no person is written."""
    settings.RECTIFY_IMPORT_MAX_BYTES = 4096
    settings.RECTIFY_UPLOAD_MAX_BYTES = 4097
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # so the bounded handler takes the file
    client.force_login(world.admin_a)
    problems, people = Problem.objects.count(), Person.objects.count()
    response = client.post(
        reverse("exchange:import-new"),
        {
            "campaign": world.campaign.slug,
            "unit": world.a.pk,
            "file": SimpleUploadedFile("巨大台账.csv", "序号,问题描述\n".encode() * 20000),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "巨大台账.csv" in page and "the limit is 4.0" in page
    assert not Job.objects.exists()
    assert (Problem.objects.count(), Person.objects.count()) == (problems, people)
