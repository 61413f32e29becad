"""Research topics through their services: plan, edit, report, submit, findings, delete, restore."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rectify.core.services import StaleEditError
from rectify.inspection.models import (
    TEXT_MAX_LENGTH,
    Finding,
    FindingStatus,
    ResearchAttachment,
    ResearchStatus,
    ResearchTopic,
)
from rectify.inspection.services import research as services
from rectify.inspection.services.findings import finding_promote
from rectify.ledger.models import Level, Source

from .research_world import build_world, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _save(world, topic, **kwargs):
    kwargs.setdefault("report", "调研发现基层组织覆盖不足。")
    kwargs.setdefault("acting_user", world.admin_a)
    return services.topic_report_save(topic=topic, expected_version=topic.version, **kwargs)


def test_topic_lifecycle_planned_draft_submitted(world):
    topic = world.topic
    assert topic.status == ResearchStatus.PLANNED
    _save(world, topic, acting_user=world.lead)
    topic.refresh_from_db()
    assert topic.status == ResearchStatus.IN_PROGRESS
    assert topic.reported_at is None
    _save(world, topic, report="最终报告", submit=True, acting_user=world.lead)
    topic.refresh_from_db()
    assert topic.status == ResearchStatus.REPORTED
    assert topic.report == "最终报告"
    assert topic.reported_at is not None
    # A submitted report is final.
    with pytest.raises(ValidationError):
        _save(world, topic, report="改写")
    topic.refresh_from_db()
    assert topic.report == "最终报告"


def test_submitting_needs_the_report_text(world):
    with pytest.raises(ValidationError) as caught:
        _save(world, world.topic, report="  ", submit=True)
    assert "report" in caught.value.message_dict
    world.topic.refresh_from_db()
    assert world.topic.status == ResearchStatus.PLANNED


def test_planned_end_before_start_is_refused_on_the_field(world):
    with pytest.raises(ValidationError) as caught:
        services.topic_create(
            campaign=world.campaign,
            unit=world.a,
            title="课题",
            lead=world.lead.person,
            planned_start=dt.date(2024, 5, 2),
            planned_end=dt.date(2024, 5, 1),
            acting_user=world.admin_a,
        )
    assert list(caught.value.message_dict) == ["planned_end"]
    assert ResearchTopic.all_objects.count() == 1  # only the world's topic


def test_the_database_refuses_an_end_before_the_start_too(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ResearchTopic.objects.filter(pk=world.topic.pk).update(
            planned_start=dt.date(2024, 5, 2), planned_end=dt.date(2024, 5, 1)
        )


def test_stale_edit_is_refused_and_changes_nothing(world):
    topic = world.topic
    opened = topic.version
    services.topic_update(
        topic=ResearchTopic.objects.get(pk=topic.pk),
        expected_version=opened,
        title="新标题",
        acting_user=world.admin_a,
    )
    with pytest.raises(StaleEditError):
        services.topic_update(
            topic=ResearchTopic.objects.get(pk=topic.pk),
            expected_version=opened,
            title="旧页面上的标题",
            acting_user=world.admin_a,
        )
    assert ResearchTopic.objects.get(pk=topic.pk).title == "新标题"


def test_stale_report_save_is_refused(world):
    topic = world.topic
    opened = topic.version
    _save(world, ResearchTopic.objects.get(pk=topic.pk), report="第一稿")
    with pytest.raises(StaleEditError):
        services.topic_report_save(
            topic=ResearchTopic.objects.get(pk=topic.pk),
            report="另一人的稿子",
            expected_version=opened,
            acting_user=world.lead,
        )
    assert ResearchTopic.objects.get(pk=topic.pk).report == "第一稿"


def test_status_report_submitted_is_only_set_by_submitting(world):
    with pytest.raises(ValidationError) as caught:
        services.topic_update(
            topic=world.topic,
            expected_version=world.topic.version,
            status=ResearchStatus.REPORTED,
            acting_user=world.admin_a,
        )
    assert "status" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.topic_create(
            campaign=world.campaign,
            unit=world.a,
            title="课题",
            lead=world.lead.person,
            status=ResearchStatus.REPORTED,
            acting_user=world.admin_a,
        )


def test_only_administrators_of_the_unit_plan_and_edit(world):
    for user in (world.admin_b, world.lead, world.member_a, world.staff_a):
        with pytest.raises(PermissionDenied):
            services.topic_create(
                campaign=world.campaign,
                unit=world.a,
                title="课题",
                lead=world.lead.person,
                acting_user=user,
            )
        with pytest.raises(PermissionDenied):
            services.topic_update(
                topic=world.topic,
                expected_version=world.topic.version,
                title="x",
                acting_user=user,
            )
    # The city's administrator administers the county too.
    services.topic_update(
        topic=world.topic,
        expected_version=world.topic.version,
        title="市里改的标题",
        acting_user=world.admin_city,
    )


def test_the_lead_writes_the_report_others_outside_cannot(world):
    _save(world, world.topic, acting_user=world.lead)
    for user in (world.admin_b, world.member_a, world.staff_a):
        with pytest.raises(PermissionDenied):
            _save(world, world.topic, acting_user=user)


def test_an_oversized_report_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        _save(world, world.topic, report="长" * (services.REPORT_MAX_LENGTH + 1))
    assert "report" in caught.value.message_dict
    world.topic.refresh_from_db()
    assert world.topic.report == ""


def test_report_files_are_stored_with_their_facts(world):
    _save(world, world.topic, files=[pdf(), pdf("附件.docx", b"PK\x03\x04docx")])
    files = list(world.topic.attachments.order_by("id"))
    assert [f.original_name for f in files] == ["调研报告.pdf", "附件.docx"]
    assert files[0].content_type == "application/pdf"
    assert files[0].size == len(b"%PDF-1.4 report")
    assert len(files[0].sha256) == 64
    assert files[0].file.name.startswith("research/")
    assert files[0].file.read() == b"%PDF-1.4 report"
    # Attaching is kept in the topic's history.
    assert "调研报告.pdf" in world.topic.history.first().history_change_reason


def test_a_refused_file_saves_nothing(world, settings):
    settings.RECTIFY_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError) as caught:
        _save(world, world.topic, report="新稿", files=[pdf(content=b"x" * 11)])
    assert "files" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _save(world, world.topic, files=[SimpleUploadedFile("run.exe", b"MZ")])
    assert "files" in caught.value.message_dict
    world.topic.refresh_from_db()
    assert world.topic.report == ""
    assert world.topic.status == ResearchStatus.PLANNED
    assert not ResearchAttachment.objects.exists()


def test_findings_are_recorded_with_source_and_links(world):
    target = world.targets[2]
    finding = services.topic_record_finding(
        topic=world.topic,
        text="部分乡镇科协组织未建立。",
        target=target,
        level=Level.LEADERSHIP_GROUP,
        acting_user=world.lead,
    )
    finding.refresh_from_db()
    assert finding.source == Source.RESEARCH
    assert finding.research_topic == world.topic
    assert (finding.campaign, finding.unit) == (world.campaign, world.a)
    assert (finding.target, finding.level) == (target, Level.LEADERSHIP_GROUP)
    assert finding.status == FindingStatus.NEW
    assert finding.created_by == world.lead
    assert finding.feedback is None and finding.opinion is None and finding.answer is None
    # Promoted by the unit, the problem keeps the research as its source.
    problem = finding_promote(finding=finding, acting_user=world.admin_a)
    assert problem.source == Source.RESEARCH
    assert list(problem.findings.all()) == [finding]


def test_finding_needs_text_within_the_limit_and_a_writer(world):
    with pytest.raises(ValidationError):
        services.topic_record_finding(topic=world.topic, text=" ", acting_user=world.admin_a)
    with pytest.raises(ValidationError):
        services.topic_record_finding(
            topic=world.topic, text="长" * (TEXT_MAX_LENGTH + 1), acting_user=world.admin_a
        )
    with pytest.raises(PermissionDenied):
        services.topic_record_finding(topic=world.topic, text="发现", acting_user=world.admin_b)
    assert not Finding.objects.exists()


def test_delete_keeps_everything_and_restore_brings_it_back(world):
    topic = world.topic
    services.topic_record_finding(topic=topic, text="发现", acting_user=world.admin_a)
    for user in (world.lead, world.admin_b):
        with pytest.raises(PermissionDenied):
            services.topic_delete(topic=topic, acting_user=user)
    services.topic_delete(topic=topic, acting_user=world.admin_a, reason="重复立项")
    assert not ResearchTopic.objects.filter(pk=topic.pk).exists()
    deleted = ResearchTopic.all_objects.get(pk=topic.pk)
    assert deleted.is_deleted
    assert Finding.objects.filter(research_topic=topic).count() == 1
    # Nobody writes on a deleted topic.
    with pytest.raises(PermissionDenied):
        _save(world, deleted, acting_user=world.lead)
    services.topic_restore(topic=deleted, acting_user=world.sysadmin, reason="误删")
    assert ResearchTopic.objects.filter(pk=topic.pk).exists()
    reasons = list(topic.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["误删", "重复立项"]
