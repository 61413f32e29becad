"""Writes through the API call the ledger's services: same rules, same history, same refusals,
and every refusal in the one error shape."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import MeasureStatus, Problem, Review, ReviewAction
from rectify.org.models import Role

from .conftest import token_client

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass
class Ledger:
    unit: object
    campaign: object
    person: object
    problem: object
    measure: object
    admin_user: object


@pytest.fixture
def ledger():
    admin = make_admin()
    unit = make_unit("东昌府区科协")
    campaign = make_campaign(unit, acting_user=admin)
    person = make_person(unit)
    problem = make_problem(campaign, unit, acting_user=admin)
    measure = make_measure(problem, persons=[person], acting_user=admin)
    return Ledger(unit, campaign, person, problem, measure, make_user(unit, Role.UNIT_ADMIN))


def _problem_body(ledger, **fields) -> dict:
    return {
        "campaign": ledger.campaign.slug,
        "unit": ledger.unit.pk,
        "target": ledger.campaign.targets.first().pk,
        "description": "理论学习不够深入",
        **fields,
    }


def test_create_problem_records_history_with_the_acting_user(ledger):
    client = token_client(ledger.admin_user)
    response = client.post(reverse("api-v1:problem-list"), _problem_body(ledger, reason="API 导入"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "no_measure" and body["version"] == 1
    problem = Problem.objects.get(pk=body["id"])
    record = problem.history.get()
    assert record.history_user == ledger.admin_user
    assert record.history_change_reason == "API 导入"
    assert problem.created_by == ledger.admin_user


def test_script_in_text_is_stored_and_returned_as_text(ledger):
    client = token_client(ledger.admin_user)
    url = reverse("api-v1:problem-list")
    response = client.post(url, _problem_body(ledger, description=SCRIPT))
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json()["description"] == SCRIPT
    assert Problem.objects.get(pk=response.json()["id"]).description == SCRIPT


def test_update_problem_with_current_version_saves_and_stale_version_is_409(ledger):
    client = token_client(ledger.admin_user)
    url = reverse("api-v1:problem-detail", args=[ledger.problem.pk])
    version = ledger.problem.version
    response = client.patch(url, {"root_cause": "学用脱节", "expected_version": version})
    assert response.status_code == 200, response.content
    assert response.json()["root_cause"] == "学用脱节"
    assert response.json()["version"] == version + 1
    assert ledger.problem.history.latest().history_user == ledger.admin_user
    # The same version again: someone (this client) saved since.
    stale = client.patch(url, {"root_cause": "覆盖", "expected_version": version})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale"
    assert "Nothing was saved" in stale.json()["error"]["message"]
    ledger.problem.refresh_from_db()
    assert ledger.problem.root_cause == "学用脱节"


def test_update_without_version_is_400(ledger):
    client = token_client(ledger.admin_user)
    url = reverse("api-v1:measure-detail", args=[ledger.measure.pk])
    response = client.patch(url, {"content": "新内容"})
    assert response.status_code == 400
    assert "expected_version" in response.json()["error"]["fields"]


def test_create_measure_enforces_the_service_rules(ledger):
    client = token_client(ledger.admin_user)
    url = reverse("api-v1:measure-list")
    body = {"problem": ledger.problem.pk, "content": "建立学习制度",
            "responsible_persons": [ledger.person.pk]}  # fmt: skip
    # Deadline before the problem was found: the service refuses it, by field.
    early = ledger.problem.found_on - dt.timedelta(days=1)
    response = client.post(url, {**body, "deadline": early.isoformat()})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "deadline" in error["fields"]
    # No deadline for a measure that is not long-term.
    response = client.post(url, body)
    assert response.status_code == 400 and "deadline" in response.json()["error"]["fields"]
    # Nobody answers for it.
    response = client.post(url, {**body, "responsible_persons": [], "deadline": "2030-01-01"})
    assert response.status_code == 400
    assert "responsible_persons" in response.json()["error"]["fields"]
    # Valid: created with history by the acting user.
    response = client.post(url, {**body, "deadline": "2030-01-01", "reason": "整改方案"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["responsible_persons"] == [ledger.person.pk]
    assert created["light"] == "green" and created["status"] == MeasureStatus.NOT_STARTED
    measure = ledger.problem.measures.get(pk=created["id"])
    assert {r.history_user for r in measure.history.all()} == {ledger.admin_user}
    assert measure.history.latest().history_change_reason == "整改方案"


def test_update_measure_stale_edit_is_refused(ledger):
    client = token_client(ledger.admin_user)
    url = reverse("api-v1:measure-detail", args=[ledger.measure.pk])
    version = ledger.measure.version
    response = client.patch(url, {"deadline": "2031-06-30", "expected_version": version})
    assert response.status_code == 200, response.content
    assert response.json()["deadline"] == "2031-06-30"
    stale = client.patch(url, {"deadline": "2032-01-01", "expected_version": version})
    assert stale.status_code == 409
    ledger.measure.refresh_from_db()
    assert ledger.measure.deadline == dt.date(2031, 6, 30)
    assert ledger.measure.history.latest().history_user == ledger.admin_user


def test_put_is_not_offered(ledger):
    client = token_client(ledger.admin_user)
    url = reverse("api-v1:problem-detail", args=[ledger.problem.pk])
    assert client.put(url, _problem_body(ledger)).status_code == 405


def test_progress_starts_the_work_and_is_recorded(ledger):
    responsible = make_user(person=ledger.person)
    client = token_client(responsible)
    url = reverse("api-v1:measure-progress", args=[ledger.measure.pk])
    response = client.post(url, {"text": SCRIPT})
    assert response.status_code == 201, response.content
    assert response.json()["text"] == SCRIPT and response.json()["author"] == responsible.pk
    ledger.measure.refresh_from_db()
    assert ledger.measure.status == MeasureStatus.IN_PROGRESS
    assert ledger.measure.history.latest().history_user == responsible
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"text": "明天", "reported_on": future})
    assert response.status_code == 400 and "reported_on" in response.json()["error"]["fields"]


def test_progress_by_someone_who_does_not_answer_for_it_is_403(ledger):
    bystander = make_user(ledger.unit, Role.LEADER)  # sees it; neither editor nor responsible
    client = token_client(bystander)
    response = client.post(
        reverse("api-v1:measure-progress", args=[ledger.measure.pk]), {"text": "x"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_urge_by_leader_and_refused_to_unit_admin(ledger):
    leader = make_user(ledger.unit, Role.LEADER)
    url = reverse("api-v1:measure-urge", args=[ledger.measure.pk])
    response = token_client(leader).post(url, {"message": "请本周内完成"})
    assert response.status_code == 201, response.content
    assert ledger.measure.urges.get().by == leader
    detail = token_client(leader).get(reverse("api-v1:measure-detail", args=[ledger.measure.pk]))
    assert detail.json()["urge_count"] == 1 and detail.json()["last_urged_at"]
    assert detail.json()["extension_count"] == 0
    assert token_client(leader).post(url, {"message": "   "}).status_code == 400
    assert token_client(ledger.admin_user).post(url, {"message": "催"}).status_code == 403


def test_set_status_as_the_ui_allows(ledger):
    client = token_client(ledger.admin_user)
    url = reverse("api-v1:measure-status", args=[ledger.measure.pk])
    version = ledger.measure.version
    response = client.post(url, {"status": "completed", "expected_version": version})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    review = Review.objects.get(measure=ledger.measure)
    assert review.action == ReviewAction.SUBMIT and review.actor == ledger.admin_user
    # Past acceptance only the sign-off workflow goes (or a system administrator).
    response = client.post(url, {"status": "signed_off", "expected_version": version + 1})
    assert response.status_code == 403
    ledger.measure.refresh_from_db()
    assert ledger.measure.status == MeasureStatus.COMPLETED


def test_writes_need_an_editor_not_a_viewer(ledger):
    viewer = make_user(ledger.unit, Role.LEADER)
    client = token_client(viewer)
    url = reverse("api-v1:problem-detail", args=[ledger.problem.pk])
    response = client.patch(url, {"root_cause": "x", "expected_version": ledger.problem.version})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_invalid_values_answer_400_with_field_errors(ledger):
    client = token_client(ledger.admin_user)
    response = client.post(
        reverse("api-v1:problem-list"),
        _problem_body(ledger, source="nonsense", found_on="yesterday", description=""),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert {"source", "found_on", "description"} <= set(error["fields"])
    assert all(isinstance(m, list) and m for m in error["fields"].values())
    url = reverse("api-v1:problem-list")
    response = client.post(url, _problem_body(ledger, description="nul \x00 byte"))
    assert response.status_code == 400


def test_sign_off_workflow_through_the_api(ledger):
    responsible = make_user(person=ledger.person)
    leader = make_user(ledger.unit, Role.LEADER)
    measure = ledger.measure
    submit = reverse("api-v1:measure-submit", args=[measure.pk])
    decide = reverse("api-v1:measure-decide", args=[measure.pk])
    # Evidence travels as multipart/form-data, checked as on the page.
    evidence = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 done", content_type="application/pdf")
    response = token_client(responsible).post(
        submit,
        {"statement": "已完成", "expected_version": measure.version, "files": [evidence]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["action"] == ReviewAction.SUBMIT
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.COMPLETED
    assert measure.progress_notes.get().evidence.get().original_name == "证明.pdf"
    # The responsible person cannot confirm their own work.
    own = token_client(responsible).post(
        decide, {"action": "confirm", "expected_version": measure.version}
    )
    assert own.status_code == 403
    # Sending back needs a reason: the service says so, by field.
    response = token_client(leader).post(
        decide, {"action": "send_back", "text": "", "expected_version": measure.version}
    )
    assert response.status_code == 400, response.content
    response = token_client(leader).post(
        decide, {"action": "confirm", "text": "同意", "expected_version": measure.version}
    )
    assert response.status_code == 201, response.content
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.CONFIRMED
    assert measure.reviews.latest("id").actor == leader


def test_deadline_change_request_and_decision(ledger):
    responsible = make_user(person=ledger.person)
    leader = make_user(ledger.unit, Role.LEADER)
    measure = ledger.measure
    url = reverse("api-v1:measure-extension-request", args=[measure.pk])
    earlier = token_client(responsible).post(
        url, {"new_deadline": measure.deadline.isoformat(), "reason": "需要时间"}
    )
    assert earlier.status_code == 400
    assert "new_deadline" in earlier.json()["error"]["fields"]
    later = measure.deadline + dt.timedelta(days=30)
    response = token_client(responsible).post(
        url, {"new_deadline": later.isoformat(), "reason": "需要时间"}
    )
    assert response.status_code == 201, response.content
    decide = reverse("api-v1:extension-decide", args=[response.json()["id"]])
    assert (
        token_client(responsible)
        .post(decide, {"approve": True, "expected_version": measure.version})
        .status_code
        == 403
    )
    response = token_client(leader).post(
        decide, {"approve": True, "note": "同意", "expected_version": measure.version}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    measure.refresh_from_db()
    assert measure.deadline == later
    assert measure.history.latest().history_user == leader
