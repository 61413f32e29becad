"""Exports from the list pages: what the user sees is what they get, scoped; large ones as jobs."""

import html
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.core.testing import make_measure, make_person, make_problem, make_unit
from rectify.exchange import rows as rows_module
from rectify.exchange.export import ExportRequest, export_job_run
from rectify.exchange.models import Job, JobKind, JobStatus

from .export_data import build_ledger, read_csv, read_xlsx, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    return build_ledger()


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _export(client, user, name="exchange:export-measures", args=(), **query):
    client.force_login(user)
    query.setdefault("list", "ledger")
    query.setdefault("format", "xlsx")
    return client.get(reverse(name, args=args), query)


def _rows(response) -> list[list]:
    """The data rows of a downloaded file (consumes a streaming response)."""
    assert response.status_code == 200, response.status_code
    data = _body(response)
    if response["Content-Type"].startswith("text/csv"):
        return read_csv(data)[1:]
    return sheet_rows(read_xlsx(data))


def _ids(response) -> list[str]:
    return [row[-1] for row in _rows(response)]


def _links(response, name, args=()) -> list[dict]:
    """The export links of a page that lead to ``name``, as parsed query strings."""
    page = response.content.decode()
    prefix = reverse(name, args=args) + "?"
    found = []
    for chunk in page.split('href="')[1:]:
        href = html.unescape(chunk.split('"', 1)[0])
        if href.startswith(prefix):
            found.append({k: v[0] for k, v in parse_qs(urlsplit(href).query).items()})
    return found


# The menu


def test_measure_list_menu_passes_the_filters_of_the_page(client, ledger):
    client.force_login(ledger.admin_a)
    response = client.get(reverse("ledger:measure-list"), {"light": "red", "page": "1"})
    links = _links(response, "exchange:export-measures")
    assert {(link["list"], link["format"]) for link in links} == {
        (name, fmt)
        for name in ("measures", "responsibilities", "ledger")
        for fmt in ("xlsx", "csv")
    }
    assert all(link["light"] == "red" and "page" not in link for link in links)
    assert "整改台账 (.xlsx)" in response.content.decode()


def test_problem_and_responsibility_pages_offer_their_lists(client, ledger):
    client.force_login(ledger.admin_a)
    response = client.get(reverse("ledger:problem-list"), {"source": "self"})
    links = _links(response, "exchange:export-problems")
    assert {link["list"] for link in links} == {"problems", "ledger"}
    assert all(link["source"] == "self" for link in links)
    person = ledger.zeren_person
    response = client.get(reverse("ledger:person-responsibilities", args=[person.pk]))
    links = _links(response, "exchange:export-person", [person.pk])
    assert {(link["list"], link["format"]) for link in links} == {
        ("responsibilities", "xlsx"),
        ("responsibilities", "csv"),
    }
    client.force_login(ledger.zeren)
    response = client.get(reverse("ledger:my-responsibilities"))
    assert _links(response, "exchange:export-mine")


# What is exported


def test_export_of_red_lights_contains_only_red_rows(client, ledger):
    rows = _rows(_export(client, ledger.sysadmin, light="red", list="measures"))
    assert sorted(row[-1] for row in rows) == sorted(
        [f"P{ledger.p1.pk}-M{ledger.m_red.pk}", f"P{ledger.p4.pk}-M{ledger.m_b.pk}"]
    )
    assert {row[9] for row in rows} == {"红"}  # the 预警 column of 整改清单


def test_ledger_with_a_measure_filter_leaves_out_problems_without_measures(client, ledger):
    all_rows = _ids(_export(client, ledger.admin_a))
    assert f"P{ledger.p2.pk}" in all_rows
    filtered = _ids(_export(client, ledger.admin_a, status="completed"))
    assert filtered == [f"P{ledger.p1.pk}-M{ledger.m_green.pk}"]


def test_problem_page_ledger_takes_the_problem_filter(client, ledger):
    response = _export(client, ledger.admin_a, "exchange:export-problems", source="self")
    assert _ids(response) == [
        f"P{ledger.p1.pk}-M{ledger.m_red.pk}",
        f"P{ledger.p1.pk}-M{ledger.m_green.pk}",
        f"P{ledger.p1.pk}-M{ledger.m_yellow.pk}",
    ]


def test_county_admin_exports_nothing_of_another_county(client, ledger):
    for list_name in ("problems", "ledger"):
        ids = _ids(_export(client, ledger.admin_a, "exchange:export-problems", list=list_name))
        assert ids and not any(i.startswith(f"P{ledger.p4.pk}") for i in ids), list_name
    for list_name in ("measures", "responsibilities", "ledger"):
        rows = _rows(_export(client, ledger.admin_a, list=list_name, format="csv"))
        assert rows and not any(row[-1].startswith(f"P{ledger.p4.pk}") for row in rows)
        assert not any("临清" in cell for row in rows for cell in row), list_name


def test_forged_ids_in_the_query_leak_nothing(client, ledger):
    other = make_person(ledger.b, "临清的人")
    for query in ({"unit": ledger.b.pk}, {"person": other.pk}, {"target": 999999}):
        response = _export(client, ledger.admin_a, format="csv", **query)
        assert _ids(response) == [], query
    response = _export(client, ledger.admin_a, "exchange:export-problems", unit=ledger.b.pk)
    assert _ids(response) == []


def test_responsibility_exports_follow_their_page(client, ledger):
    person = ledger.zeren_person
    response = _export(
        client,
        ledger.admin_a,
        "exchange:export-person",
        [person.pk],
        list="responsibilities",
    )
    sheet = read_xlsx(_body(response))
    assert [row[-1] for row in sheet_rows(sheet)] == [f"P{ledger.p1.pk}-M{ledger.m_red.pk}"]
    assert sheet["A2"].value.startswith("王责任")
    mine = _export(client, ledger.zeren, "exchange:export-mine", list="responsibilities")
    assert _ids(mine) == [f"P{ledger.p1.pk}-M{ledger.m_red.pk}"]
    department = _export(
        client, ledger.admin_a, "exchange:export-department", [ledger.a.pk], list="responsibilities"
    )
    assert _ids(department) == [f"P{ledger.p1.pk}-M{ledger.m_red.pk}"]


def test_responsibility_exports_of_another_county_are_404(client, ledger):
    other = make_person(ledger.b, "临清的人")
    for name, pk in (
        ("exchange:export-person", other.pk),
        ("exchange:export-department", ledger.b.pk),
    ):
        response = _export(client, ledger.admin_a, name, [pk], list="responsibilities")
        assert response.status_code == 404, name


def test_unknown_list_or_format_is_404(client, ledger):
    assert _export(client, ledger.admin_a, list="nope").status_code == 404
    assert _export(client, ledger.admin_a, format="pdf").status_code == 404
    response = _export(client, ledger.zeren, "exchange:export-mine", list="ledger")
    assert response.status_code == 404


def test_export_needs_a_login(client, ledger):
    response = client.get(reverse("exchange:export-measures"), {"list": "ledger"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_download_names_the_file_in_chinese(client, ledger):
    response = _export(client, ledger.admin_a, campaign=ledger.campaign.slug, unit=ledger.a.pk)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    name = unquote(disposition.split("''", 1)[1])
    day = ledger.today.strftime("%Y%m%d")
    assert name == f"{ledger.campaign.name}-东昌府区科协-整改台账-{day}.xlsx"
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    csv_response = _export(client, ledger.admin_a, format="csv")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert _body(csv_response).startswith(b"\xef\xbb\xbf")
    assert unquote(csv_response["Content-Disposition"]).endswith(f"整改台账-{day}.csv")


# Queries


def _unit_with(campaign, parent, problems: int, per_problem: int):
    unit = make_unit(parent=parent)
    for _ in range(problems):
        problem = make_problem(campaign, unit)
        for _ in range(per_problem):
            make_measure(problem, persons=[make_person(unit), make_person(unit)])
    return unit


def _queries(client, user, unit, list_name) -> int:
    client.force_login(user)
    source = "exchange:export-problems" if list_name == "problems" else "exchange:export-measures"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(source), {"list": list_name, "unit": unit.pk})
        _body(response)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("list_name", ["problems", "measures", "responsibilities", "ledger"])
def test_query_count_does_not_grow_with_the_rows(client, ledger, list_name):
    small = _unit_with(ledger.campaign, ledger.a, problems=5, per_problem=2)
    large = _unit_with(ledger.campaign, ledger.a, problems=20, per_problem=5)
    admin = ledger.sysadmin
    assert _queries(client, admin, small, list_name) == _queries(client, admin, large, list_name)


@pytest.mark.parametrize("list_name", ["measures", "ledger"])
def test_each_batch_costs_the_same_few_queries(client, ledger, list_name, monkeypatch):
    monkeypatch.setattr(rows_module, "BATCH_SIZE", 10)
    unit = _unit_with(ledger.campaign, ledger.a, problems=20, per_problem=5)
    admin = ledger.sysadmin
    # 100 measures (20 problems): 10 batches of measures, or 2 of problems.
    batches = 10 if list_name == "measures" else 2
    full = _queries(client, admin, unit, list_name)
    monkeypatch.setattr(rows_module, "BATCH_SIZE", 1000)
    single = _queries(client, admin, unit, list_name)
    per_batch = (full - single) / (batches - 1)
    assert per_batch == int(per_batch) and per_batch <= 6


# Large exports: a background job


def test_large_export_runs_as_a_job_for_its_owner_only(client, ledger, settings, tasks_run_at_once):
    settings.RECTIFY_EXPORT_DIRECT_ROWS = 2
    client.force_login(ledger.admin_a)
    url = reverse("exchange:export-measures") + f"?list=ledger&format=xlsx&unit={ledger.a.pk}"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b"<form" in confirm.content and not Job.objects.exists()  # a GET writes nothing
    assert reverse("exchange:export-measures") == urlsplit(url).path
    response = client.post(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exchange:job", args=[job.pk]
    )
    assert (job.kind, job.status, job.owner) == (JobKind.EXPORT, JobStatus.DONE, ledger.admin_a)
    assert job.done == job.total == 5
    page = client.get(reverse("exchange:job", args=[job.pk]))
    assert page.status_code == 200
    download_url = reverse("exchange:job-download", args=[job.pk])
    assert download_url in page.content.decode()
    download = client.get(download_url)
    assert download.status_code == 200
    assert "filename*=utf-8''" in download["Content-Disposition"]
    assert unquote(download["Content-Disposition"]).endswith(".xlsx")
    ids = _ids(download)
    assert len(ids) == 5 and f"P{ledger.p2.pk}" in ids
    client.force_login(ledger.admin_b)
    assert client.get(reverse("exchange:job", args=[job.pk])).status_code == 404
    assert client.get(download_url).status_code == 404
    assert (
        client.get(reverse("exchange:job", args=[job.pk]), HTTP_HX_REQUEST="true").status_code
        == 404
    )


def test_job_page_polls_until_the_job_ends(client, ledger):
    job = Job.objects.create(
        kind=JobKind.EXPORT, owner=ledger.admin_a, status=JobStatus.RUNNING, done=50, total=200
    )
    client.force_login(ledger.admin_a)
    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'value="25"' in page  # the progress bar
    assert "vendor/htmx/htmx.min.js" in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript
    fragment = client.get(reverse("exchange:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="job-status"')
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="出错了")
    fragment = client.get(reverse("exchange:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "hx-get" not in text and "出错了" in text


def test_job_of_a_list_no_longer_visible_fails_with_a_message(ledger):
    other = make_person(ledger.b, "临清的人")
    request = ExportRequest("responsibilities", "person", "", other.pk)
    job = Job.objects.create(
        kind=JobKind.EXPORT,
        owner=ledger.admin_a,
        params={**request.params(), "format": "csv", "language": "en"},
    )
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no longer visible" in job.error
    assert not job.output


def test_a_job_runs_once(ledger):
    request = ExportRequest("ledger", "measures", f"unit={ledger.a.pk}")
    job = Job.objects.create(
        kind=JobKind.EXPORT,
        owner=ledger.admin_a,
        params={**request.params(), "format": "csv", "language": "zh-hans"},
    )
    export_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 5, 5)
    first = (job.output.name, job.finished_at)
    export_job_run(job.pk)  # queued twice, or taken by a second worker
    job.refresh_from_db()
    assert (job.output.name, job.finished_at) == first
    assert job.output.read().decode("utf-8-sig").splitlines()[0].startswith("序号,单位")
