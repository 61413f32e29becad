"""Walk every URL that takes an object id: another county's objects answer 404, always.

Every id-taking pattern of the apps must appear in ``TARGETS``; a new URL that
is not listed here fails the test until someone says which object it reaches.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from rectify.api.services import token_create
from rectify.campaigns.models import Phase
from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_guidance_group,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.evaluation.services import survey_create
from rectify.evaluation.tests.world import answered_comment
from rectify.exchange.importer.jobs import import_job_create
from rectify.exchange.models import Job, JobKind, JobStatus
from rectify.inspection.models import ChecklistAnswer
from rectify.inspection.services.checklists import (
    checklist_assign_persons,
    checklist_create_from_template,
)
from rectify.inspection.services.feedback import FeedbackPoint, feedback_record
from rectify.inspection.services.findings import record_finding
from rectify.inspection.services.opinions import opinion_form_create, opinion_submit
from rectify.inspection.services.research import topic_create, topic_report_save
from rectify.ledger.models import ExtensionRequest, Measure, Problem
from rectify.ledger.services import progress_record
from rectify.news.services import article_create
from rectify.notify.channels import channel_create
from rectify.notify.models import Notification
from rectify.notify.services import notify
from rectify.org.models import Person, Role, RoleGrant, Unit
from rectify.org.services import role_grant
from rectify.study.services import meeting_create

pytestmark = pytest.mark.django_db

NAMESPACES = (
    "ledger",
    "org",
    "campaigns",
    "notify",
    "channels",
    "exchange",
    "inspection",
    "study",
    "evaluation",
    "api",
    "news",
    "dashboard",
)

#: URL name → which object of a county its id arguments take.
TARGETS = {
    "api:token-revoke": {"pk": "token"},
    "ledger:problem-detail": {"pk": "problem"},
    "ledger:problem-edit": {"pk": "problem"},
    "ledger:problem-delete": {"pk": "problem"},
    "ledger:problem-restore": {"pk": "problem"},
    "ledger:measure-create": {"problem_pk": "problem"},
    "ledger:measure-detail": {"pk": "measure"},
    "ledger:measure-edit": {"pk": "measure"},
    "ledger:measure-status": {"pk": "measure"},
    "ledger:measure-progress": {"pk": "measure"},
    "ledger:measure-submit": {"pk": "measure"},
    "ledger:measure-decide": {"pk": "measure"},
    "ledger:measure-urge": {"pk": "measure"},
    "ledger:extension-request": {"pk": "measure"},
    "ledger:extension-decide": {"pk": "extension"},
    "ledger:measure-delete": {"pk": "measure"},
    "ledger:measure-restore": {"pk": "measure"},
    "ledger:evidence-download": {"pk": "evidence"},
    "ledger:person-responsibilities": {"pk": "person"},
    "ledger:department-responsibilities": {"pk": "unit"},
    "ledger:unit-lists": {"pk": "unit"},
    "ledger:unit-urge-red": {"pk": "unit"},
    "org:unit-detail": {"pk": "unit"},
    "org:unit-edit": {"pk": "unit"},
    "org:unit-create": {"pk": "unit"},
    "org:person-list": {"pk": "unit"},
    "org:person-create": {"pk": "unit"},
    "org:grant-create": {"pk": "unit"},
    "org:person-detail": {"pk": "person"},
    "org:person-edit": {"pk": "person"},
    "org:login-create": {"pk": "person"},
    "org:grant-revoke": {"pk": "grant"},
    "campaigns:detail": {"slug": "campaign"},
    "campaigns:edit": {"slug": "campaign"},
    "campaigns:target-create": {"slug": "campaign"},
    "campaigns:target-edit": {"slug": "campaign", "pk": "target"},
    "campaigns:phase-create": {"slug": "campaign"},
    "campaigns:phase-edit": {"slug": "campaign", "pk": "phase"},
    "campaigns:guidance-assign": {"slug": "campaign"},
    "org:guidance-detail": {"pk": "group"},
    "org:guidance-edit": {"pk": "group"},
    "notify:open": {"pk": "notification"},
    "notify:read": {"pk": "notification"},
    "channels:list": {"pk": "unit"},
    "channels:create": {"pk": "unit"},
    "channels:edit": {"pk": "channel"},
    "channels:toggle": {"pk": "channel"},
    "channels:test": {"pk": "channel"},
    "exchange:export-person": {"pk": "person"},
    "exchange:export-department": {"pk": "unit"},
    "exchange:job": {"pk": "job"},
    "exchange:job-download": {"pk": "job"},
    "exchange:import-preview": {"pk": "import_job"},
    "exchange:import-run": {"pk": "import_job"},
    "exchange:import-errors": {"pk": "import_job"},
    "exchange:document-plan": {"slug": "campaign", "pk": "unit"},
    "exchange:document-report": {"slug": "campaign", "pk": "unit"},
    "inspection:checklist-detail": {"pk": "checklist"},
    "inspection:checklist-edit": {"pk": "checklist"},
    "inspection:checklist-question-create": {"pk": "checklist"},
    "inspection:checklist-question-edit": {"pk": "question"},
    "inspection:checklist-question-move": {"pk": "question"},
    "inspection:checklist-question-delete": {"pk": "question"},
    "inspection:checklist-assign": {"pk": "checklist"},
    "inspection:checklist-progress": {"pk": "checklist"},
    "inspection:checklist-progress-unit": {"pk": "checklist", "unit_pk": "unit"},
    "inspection:checklist-answer": {"pk": "assignment"},
    "inspection:answer-detail": {"pk": "answer"},
    "inspection:finding-detail": {"pk": "finding"},
    "inspection:finding-promote": {"pk": "finding"},
    "inspection:finding-attach": {"pk": "finding"},
    "inspection:finding-join": {"pk": "finding"},
    "inspection:finding-dismiss": {"pk": "finding"},
    "inspection:opinion-form-detail": {"pk": "opinion_form"},
    "inspection:opinion-form-toggle": {"pk": "opinion_form"},
    "inspection:opinion-form-qr-png": {"pk": "opinion_form"},
    "inspection:opinion-form-qr-svg": {"pk": "opinion_form"},
    "inspection:opinion-form-poster": {"pk": "opinion_form"},
    "inspection:opinion-inbox": {"pk": "opinion_form"},
    "inspection:opinion-detail": {"pk": "opinion"},
    "inspection:opinion-reply": {"pk": "opinion"},
    "inspection:opinion-join": {"pk": "opinion"},
    "inspection:opinion-reject": {"pk": "opinion"},
    "inspection:research-detail": {"pk": "research_topic"},
    "inspection:research-edit": {"pk": "research_topic"},
    "inspection:research-report": {"pk": "research_topic"},
    "inspection:research-finding": {"pk": "research_topic"},
    "inspection:research-delete": {"pk": "research_topic"},
    "inspection:research-restore": {"pk": "research_topic"},
    "inspection:research-file": {"pk": "research_file"},
    "inspection:feedback-create": {"pk": "unit"},
    "inspection:feedback-detail": {"pk": "feedback"},
    "inspection:gap-target": {"pk": "target"},
    "study:meeting-detail": {"pk": "meeting"},
    "study:meeting-edit": {"pk": "meeting"},
    "study:meeting-delete": {"pk": "meeting"},
    "study:meeting-restore": {"pk": "meeting"},
    "study:meeting-invite": {"pk": "meeting"},
    "study:meeting-mark": {"pk": "meeting"},
    "study:meeting-mark-rest": {"pk": "meeting"},
    "study:meeting-signin": {"pk": "meeting"},
    "study:file-download": {"pk": "meeting_file"},
    "study:requirement": {"slug": "campaign"},
    "evaluation:survey-detail": {"pk": "survey"},
    "evaluation:survey-toggle": {"pk": "survey"},
    "evaluation:round-create": {"pk": "survey"},
    "evaluation:survey-scale": {"pk": "survey"},
    "evaluation:token-generate": {"pk": "survey"},
    "evaluation:open-link": {"pk": "survey"},
    "evaluation:results": {"pk": "survey"},
    "evaluation:unit-results": {"pk": "survey", "unit_pk": "unit"},
    "evaluation:comment-promote": {"pk": "survey_comment"},
    "news:preview": {"pk": "article"},
    "news:edit": {"pk": "article"},
    "news:files": {"pk": "article"},
    "news:submit": {"pk": "article"},
    "news:publish": {"pk": "article"},
    "news:withdraw": {"pk": "article"},
    "news:delete": {"pk": "article"},
    "news:restore": {"pk": "article"},
}
#: Query strings some URLs need to answer at all (which list to export).
QUERIES = {
    "exchange:export-person": "?list=responsibilities",
    "exchange:export-department": "?list=responsibilities",
}


def _id_patterns(resolver=None, prefix=""):
    """``(namespaced name, argument names)`` of every pattern that takes arguments."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _id_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name and entry.pattern.regex.groupindex:
            yield f"{prefix}{entry.name}", set(entry.pattern.regex.groupindex)


def _county_objects(city, name, admin):
    county = make_unit(name, parent=city)
    campaign = make_campaign(county, acting_user=admin)
    person = make_person(county)
    problem = make_problem(campaign, county, acting_user=admin)
    measure = make_measure(problem, persons=[person], acting_user=admin)
    note = progress_record(
        measure=measure,
        text="进展",
        acting_user=admin,
        files=[
            SimpleUploadedFile("证明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
        ],
    )
    grantee = make_user(county)
    grant = role_grant(user=grantee, unit=county, role=Role.LEADER)
    group = make_guidance_group(
        county, members=[make_user(county).person], campaign=campaign, units=[county]
    )
    checklist = checklist_create_from_template(campaign=campaign, acting_user=admin)
    checklist_assign_persons(checklist=checklist, persons=[person], acting_user=admin)
    opinion_form = opinion_form_create(
        campaign=campaign, unit=county, title="征求意见", acting_user=admin
    )
    opinion, _code = opinion_submit(form=opinion_form, text="意见", client=None)
    topic = topic_create(
        campaign=campaign, unit=county, title="调研课题", lead=person, acting_user=admin
    )
    topic_report_save(
        topic=topic,
        report="报告",
        files=[SimpleUploadedFile("报告.pdf", b"%PDF-1.4 report")],
        expected_version=topic.version,
        acting_user=admin,
    )
    feedback = feedback_record(
        campaign=campaign,
        unit=county,
        group=group,
        points=[FeedbackPoint("反馈意见")],
        acting_user=group.members.get().user,
    )
    meeting = meeting_create(
        campaign=campaign,
        unit=county,
        title="集中学习",
        starts_at=dt.datetime(2019, 9, 16, 9, tzinfo=dt.UTC),
        files=[SimpleUploadedFile("学习材料.pdf", b"%PDF-1.4 study")],
        acting_user=admin,
    )
    survey = survey_create(
        campaign=campaign, unit=county, units=[county], title="满意度测评", acting_user=admin
    )
    return {
        "article": article_create(
            source=county, title="工作动态", category="work", acting_user=admin
        ),
        "survey": survey,
        "survey_comment": answered_comment(survey, county, "测评意见", acting_user=admin),
        "unit": county,
        "campaign": campaign,
        "target": campaign.targets.first(),
        "phase": Phase.objects.filter(campaign=campaign).first(),
        "person": person,
        "problem": problem,
        "measure": measure,
        "evidence": note.evidence.get(),
        "grant": grant,
        "extension": ExtensionRequest.objects.create(
            measure=measure,
            old_deadline=measure.deadline,
            new_deadline=measure.deadline + dt.timedelta(days=30),
            reason="需要更多时间",
        ),
        "group": group,
        "meeting": meeting,
        "meeting_file": meeting.files.get(),
        "research_topic": topic,
        "research_file": topic.attachments.get(),
        "feedback": feedback,
        "opinion_form": opinion_form,
        "opinion": opinion,
        "checklist": checklist,
        "question": checklist.questions.first(),
        "assignment": checklist.assignments.get(),
        "answer": ChecklistAnswer.objects.create(
            assignment=checklist.assignments.get(), question=checklist.questions.first(), text="答"
        ),
        "finding": record_finding(
            campaign=campaign, unit=county, source="other", text="发现", acting_user=admin
        ),
        # A personal API token is its owner's alone.
        "token": token_create(owner=grantee, name="OA", acting_user=grantee).token,
        "channel": channel_create(
            unit=county,
            kind="wecom",
            name="整改工作群",
            url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test",
            acting_user=admin,
        ),
    }


@pytest.fixture
def counties():
    admin = make_admin()
    city = make_unit("聊城市科协")
    mine = _county_objects(city, "东昌府区科协", admin)
    theirs = _county_objects(city, "临清市科协", admin)
    user = make_user(mine["unit"], Role.UNIT_ADMIN)
    # A notification is the recipient's alone, wherever its measure lives.
    for objects, recipient in ((mine, user), (theirs, make_user(theirs["unit"]))):
        (objects["notification"],) = notify(
            [recipient], kind="urge", measure=objects["measure"], text="请加快进度"
        )
    # Import and export jobs are their owner's alone.
    for objects, owner in ((mine, user), (theirs, make_user(theirs["unit"], Role.UNIT_ADMIN))):
        objects["import_job"] = _import_job(owner, objects)
        objects["job"] = Job(
            kind=JobKind.EXPORT, owner=owner, status=JobStatus.DONE, output_name="清单.xlsx"
        )
        objects["job"].output.save("清单.xlsx", ContentFile(b"PK\x03\x04"))
    return user, mine, theirs


def _import_job(owner, objects) -> Job:
    """An uploaded ledger of the county, waiting in its preview."""
    book = openpyxl.Workbook()
    book.active.append(["问题类别", "问题描述", "整改措施", "责任人", "完成时限"])
    book.active.append(["T1", "问题", "措施", objects["person"].name, "2030-12-31"])
    content = io.BytesIO()
    book.save(content)
    upload = SimpleUploadedFile("台账.xlsx", content.getvalue())
    return import_job_create(
        user=owner, campaign=objects["campaign"], unit=objects["unit"], upload=upload
    )


def _url(name, args, objects):
    kwargs = {}
    for arg, key in args.items():
        obj = objects[key]
        kwargs[arg] = obj.slug if arg == "slug" else obj.pk
    return reverse(name, kwargs=kwargs)


def test_every_id_taking_url_is_walked():
    found = {name for name, _ in _id_patterns() if name.split(":")[0] in NAMESPACES}
    assert found, "no URL patterns found: the walk would prove nothing"
    assert found == set(TARGETS), "add new URLs to TARGETS (or remove gone ones)"
    for name, args in _id_patterns():
        if name in TARGETS:
            assert args == set(TARGETS[name]), name


def test_other_county_objects_answer_404_on_every_url(client, counties):
    user, _mine, theirs = counties
    client.force_login(user)
    counts_before = (
        Problem.all_objects.count(),
        Measure.all_objects.count(),
        Unit.all_objects.count(),
        Person.all_objects.count(),
        RoleGrant.objects.count(),
    )
    versions_before = {m.pk: (m.version, m.deleted_at) for m in Measure.all_objects.all()}
    for name, args in TARGETS.items():
        url = _url(name, args, theirs) + QUERIES.get(name, "")
        # POST-only actions may refuse the method first; that reveals nothing.
        assert client.get(url).status_code in (404, 405), f"GET {url} ({name})"
        response = client.post(url, {"reason": "x", "text": "x", "content": "x", "name": "x"})
        assert response.status_code == 404, f"POST {url} ({name})"
    assert counts_before == (
        Problem.all_objects.count(),
        Measure.all_objects.count(),
        Unit.all_objects.count(),
        Person.all_objects.count(),
        RoleGrant.objects.count(),
    )
    assert versions_before == {m.pk: (m.version, m.deleted_at) for m in Measure.all_objects.all()}
    assert not theirs["problem"].history.filter(history_user=user).exists()
    assert Notification.objects.get(pk=theirs["notification"].pk).read_at is None


def test_own_county_objects_are_reachable_on_every_url(client, counties):
    """The control: the same URLs work for the county's own objects, so a 404 above means scope."""
    user, mine, _theirs = counties
    client.force_login(user)
    for name, args in TARGETS.items():
        url = _url(name, args, mine) + QUERIES.get(name, "")
        assert client.get(url).status_code != 404, f"GET {url} ({name})"
