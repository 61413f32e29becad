"""Research topic pages: list, plan, edit, report with files, findings, delete and restore."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.inspection.models import Finding, ResearchAttachment, ResearchStatus, ResearchTopic
from rectify.inspection.services.research import topic_create, topic_report_save
from rectify.ledger.models import Source

from .opinions_world import XSS_PAYLOADS
from .research_world import build_world, pdf

pytestmark = pytest.mark.django_db

LIST_URL = reverse("inspection:research-list")
CREATE_URL = reverse("inspection:research-create")


@pytest.fixture
def world():
    return build_world()


def url(name: str, pk: int) -> str:
    return reverse(f"inspection:{name}", kwargs={"pk": pk})


def field_error(html: str, field: str) -> str:
    """The text of the error shown under ``field`` (empty when there is none)."""
    found = re.search(rf'id="id_{field}-error">([^<]*)<', html)
    return found.group(1) if found else ""


def _create_data(world, **overrides):
    data = {
        "campaign": world.campaign.slug,
        "unit": world.a.pk,
        "title": "科技工作者需求调研",
        "lead": world.lead.person.pk,
        "planned_start": "2024-05-01",
        "planned_end": "2024-06-30",
        "status": ResearchStatus.PLANNED,
    }
    return {**data, **overrides}


def test_unit_admin_plans_a_topic(client, world):
    client.force_login(world.admin_a)
    response = client.post(CREATE_URL, _create_data(world))
    topic = ResearchTopic.objects.get(title="科技工作者需求调研")
    assert response.status_code == 302
    assert response["Location"] == topic.get_absolute_url()
    assert (topic.unit, topic.lead, topic.planned_end) == (
        world.a,
        world.lead.person,
        dt.date(2024, 6, 30),
    )
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "科技工作者需求调研" in page
    assert world.lead.person.name in page


def test_end_before_start_shows_the_error_next_to_the_field(client, world):
    client.force_login(world.admin_a)
    data = _create_data(world, planned_start="2024-06-30", planned_end="2024-05-01")
    response = client.post(CREATE_URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html, "planned_end")
    assert not field_error(html, "planned_start")
    assert 'role="alert"' not in html  # not a message at the top: beside the field
    assert not ResearchTopic.objects.filter(title="科技工作者需求调研").exists()


def test_a_county_admin_cannot_plan_for_another_county(client, world):
    client.force_login(world.admin_b)
    response = client.post(CREATE_URL, _create_data(world))
    assert response.status_code == 200
    assert field_error(response.content.decode(), "unit")
    assert not ResearchTopic.objects.filter(title="科技工作者需求调研").exists()


def test_someone_who_administers_nothing_cannot_open_the_create_page(client, world):
    client.force_login(world.lead)
    assert client.get(CREATE_URL).status_code == 403


def test_stale_edit_on_the_page_is_refused_with_a_message(client, world):
    client.force_login(world.admin_a)
    edit = url("research-edit", world.topic.pk)
    opened = world.topic.version
    common = {
        "lead": world.lead.person.pk,
        "planned_start": "2024-05-01",
        "planned_end": "2024-06-30",
        "status": ResearchStatus.IN_PROGRESS,
        "version": opened,
    }
    first = client.post(edit, {**common, "title": "第一人改的标题", "reason": "更名"})
    assert first.status_code == 302
    second = client.post(edit, {**common, "title": "第二人改的标题"})
    assert second.status_code == 200
    assert "本次内容未保存" in second.content.decode()
    assert ResearchTopic.objects.get(pk=world.topic.pk).title == "第一人改的标题"
    # The topic page shows the change and its reason in the history.
    page = client.get(world.topic.get_absolute_url()).content.decode()
    assert "更名" in page
    assert "第一人改的标题" in page


def test_report_draft_then_submit_through_the_page(client, world):
    client.force_login(world.lead)
    report = url("research-report", world.topic.pk)
    draft = client.post(
        report,
        {"report": "初稿", "version": world.topic.version, "action": "save", "files": [pdf()]},
    )
    assert draft.status_code == 302
    topic = ResearchTopic.objects.get(pk=world.topic.pk)
    assert topic.status == ResearchStatus.IN_PROGRESS
    assert topic.attachments.count() == 1
    done = client.post(report, {"report": "定稿", "version": topic.version, "action": "submit"})
    assert done.status_code == 302
    topic.refresh_from_db()
    assert (topic.status, topic.report) == (ResearchStatus.REPORTED, "定稿")
    assert topic.reported_at is not None
    page = client.get(topic.get_absolute_url()).content.decode()
    assert 'id="report-form"' not in page  # submitted: nothing left to edit


@pytest.mark.parametrize(
    ("name", "content", "limit"),
    [("run.exe", b"MZ", None), ("大报告.pdf", b"%PDF" + b"x" * 100, 50)],
)
def test_refused_attachment_shows_the_error_next_to_the_files(
    client, world, settings, name, content, limit
):
    if limit:
        settings.RECTIFY_EVIDENCE_MAX_BYTES = limit
    client.force_login(world.admin_a)
    response = client.post(
        url("research-report", world.topic.pk),
        {
            "report": "报告正文",
            "version": world.topic.version,
            "action": "save",
            "files": [SimpleUploadedFile(name, content)],
        },
    )
    assert response.status_code == 200
    assert name in field_error(response.content.decode(), "files")
    assert not ResearchAttachment.objects.exists()
    assert ResearchTopic.objects.get(pk=world.topic.pk).report == ""


def test_attachment_is_served_only_within_scope(client, world):
    topic_report_save(
        topic=world.topic,
        report="报告",
        files=[pdf()],
        expected_version=world.topic.version,
        acting_user=world.admin_a,
    )
    attachment = ResearchAttachment.objects.get()
    download = url("research-file", attachment.pk)
    for user in (world.admin_a, world.admin_city, world.lead, world.staff_a, world.member_a):
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
        assert "attachment" in response["Content-Disposition"]
    # Another county's administrator, and a group assigned elsewhere: as if it did not exist.
    for user in (world.admin_b, world.member_b):
        client.force_login(user)
        assert client.get(download).status_code == 404
        assert client.get(world.topic.get_absolute_url()).status_code == 404


def test_script_in_report_and_findings_stays_text(client, world):
    payload = " ".join(XSS_PAYLOADS)
    topic_report_save(
        topic=world.topic,
        report=payload,
        expected_version=world.topic.version,
        acting_user=world.admin_a,
    )
    client.force_login(world.admin_a)
    client.post(url("research-finding", world.topic.pk), {"text": payload})
    assert Finding.objects.get().text == payload
    html = client.get(world.topic.get_absolute_url()).content.decode()
    for raw in XSS_PAYLOADS:
        assert raw not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_finding_recorded_on_the_page_goes_to_the_queue(client, world):
    client.force_login(world.lead)
    response = client.post(
        url("research-finding", world.topic.pk),
        {"text": "科技工作者反映项目申报材料繁琐。", "target": world.targets[3].pk, "level": ""},
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.source, finding.research_topic, finding.target) == (
        Source.RESEARCH,
        world.topic,
        world.targets[3],
    )
    page = client.get(world.topic.get_absolute_url()).content.decode()
    assert url("finding-detail", finding.pk) in page


def test_oversized_finding_is_refused_next_to_the_field(client, world):
    client.force_login(world.admin_a)
    response = client.post(url("research-finding", world.topic.pk), {"text": "长" * 5001})
    assert response.status_code == 200
    assert field_error(response.content.decode(), "text")
    assert not Finding.objects.exists()


def test_people_outside_the_unit_cannot_write_on_the_topic(client, world):
    client.force_login(world.member_a)  # sees the topic, changes nothing
    assert client.get(world.topic.get_absolute_url()).status_code == 200
    for name in ("research-report", "research-finding", "research-delete"):
        data = {"report": "x", "text": "x", "version": world.topic.version}
        assert client.post(url(name, world.topic.pk), data).status_code == 403, name
    assert client.get(url("research-edit", world.topic.pk)).status_code == 403
    topic = ResearchTopic.all_objects.get(pk=world.topic.pk)
    assert (topic.report, topic.deleted_at) == ("", None)
    assert not Finding.objects.exists()


def test_delete_then_restore_through_the_pages(client, world):
    client.force_login(world.admin_a)
    client.post(url("research-delete", world.topic.pk), {"reason": "重复立项"})
    assert ResearchTopic.all_objects.get(pk=world.topic.pk).is_deleted
    assert "基层科协组织建设调研" not in client.get(LIST_URL).content.decode()
    deleted_list = client.get(LIST_URL + "?deleted=1").content.decode()
    assert "基层科协组织建设调研" in deleted_list
    page = client.get(world.topic.get_absolute_url()).content.decode()
    assert url("research-restore", world.topic.pk) in page
    # The lead saw it while it was alive; deleted, only those who may restore it see it.
    client.force_login(world.lead)
    assert client.get(world.topic.get_absolute_url()).status_code == 404
    client.force_login(world.admin_a)
    client.post(url("research-restore", world.topic.pk), {"reason": "误删"})
    assert not ResearchTopic.all_objects.get(pk=world.topic.pk).is_deleted
    history = client.get(world.topic.get_absolute_url()).content.decode()
    assert "误删" in history and "重复立项" in history


def _topic(world, unit, title, status=ResearchStatus.PLANNED):
    return topic_create(
        campaign=world.campaign,
        unit=unit,
        title=title,
        lead=world.lead.person,
        status=status,
        acting_user=world.sysadmin,
    )


def test_list_per_subtree_and_status_with_finding_counts(client, world):
    _topic(world, world.b, "临清课题", ResearchStatus.IN_PROGRESS)
    _topic(world, world.city, "市级课题", ResearchStatus.IN_PROGRESS)
    for text in ("一", "二"):
        Finding.objects.create(
            campaign=world.campaign,
            unit=world.a,
            source=Source.RESEARCH,
            text=text,
            research_topic=world.topic,
        )
    client.force_login(world.admin_city)
    everything = client.get(LIST_URL).content.decode()
    assert all(t in everything for t in ("基层科协组织建设调研", "临清课题", "市级课题"))
    row = re.search(r"基层科协组织建设调研</a></td>(.*?)</tr>", everything, re.S).group(1)
    assert world.lead.person.name in row
    assert '<td class="num">2</td>' in row
    in_progress = client.get(LIST_URL, {"status": ResearchStatus.IN_PROGRESS}).content.decode()
    assert "临清课题" in in_progress and "市级课题" in in_progress
    assert "基层科协组织建设调研" not in in_progress
    subtree = client.get(LIST_URL, {"unit": world.b.pk}).content.decode()
    assert "临清课题" in subtree and "市级课题" not in subtree
    # A county administrator sees the county's topics only.
    client.force_login(world.admin_b)
    theirs = client.get(LIST_URL).content.decode()
    assert "临清课题" in theirs
    assert "基层科协组织建设调研" not in theirs and "市级课题" not in theirs


def test_list_queries_do_not_grow_with_rows(client, world):
    client.force_login(world.admin_city)
    client.get(LIST_URL)  # warm up per-user caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST_URL).status_code == 200
    for n in range(8):
        _topic(world, world.b if n % 2 else world.a, f"课题{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(LIST_URL).content.decode()
    assert page.count('href="/inspection/research/') >= 9
    assert len(many) == len(few)
