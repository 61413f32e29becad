"""The sign-off workflow at one level: the unit's leader signs off."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rectify.core.services import StaleEditError
from rectify.core.testing import (
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import MeasureKind, MeasureStatus, ProblemStatus, ReviewAction
from rectify.ledger.selectors import problems_visible_to
from rectify.ledger.services import (
    available_actions,
    measure_accept,
    measure_reopen,
    measure_send_back,
    measure_set_status,
    measure_submit,
)
from rectify.org.models import Role

pytestmark = pytest.mark.django_db


def _pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.fixture
def ledger():
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    campaign = make_campaign(city, sign_off_levels=1)
    admin = make_user(county, Role.UNIT_ADMIN)
    leader = make_user(county, Role.LEADER)
    zeren = make_user(person=make_person(county, "王责任"))
    problem = make_problem(campaign, county, acting_user=admin)
    measure = make_measure(problem, persons=[zeren.person], acting_user=admin)
    return {"admin": admin, "leader": leader, "zeren": zeren, "problem": problem, "m": measure}


def _submit(measure, user, **kwargs):
    kwargs.setdefault("files", [_pdf()])
    return measure_submit(
        measure=measure,
        statement="已完成",
        expected_version=measure.version,
        acting_user=user,
        **kwargs,
    )


def test_responsible_person_submits_and_the_leader_signs_off(ledger):
    m, zeren, leader = ledger["m"], ledger["zeren"], ledger["leader"]
    _submit(m, zeren)
    assert m.status == MeasureStatus.COMPLETED
    assert available_actions(zeren, m) == set()
    assert available_actions(leader, m) == {ReviewAction.ACCEPT, ReviewAction.SEND_BACK}
    review = measure_accept(
        measure=m, opinion="整改到位", expected_version=m.version, acting_user=leader
    )
    m.refresh_from_db()
    assert m.status == MeasureStatus.SIGNED_OFF
    assert (review.action, review.actor, review.text) == (ReviewAction.ACCEPT, leader, "整改到位")
    assert [r.action for r in m.reviews.all()] == [ReviewAction.SUBMIT, ReviewAction.ACCEPT]
    status = problems_visible_to(leader).get(pk=ledger["problem"].pk).derived_status
    assert status == ProblemStatus.SIGNED_OFF
    assert m.history.first().history_change_reason.startswith(str(ReviewAction.ACCEPT.label))


def test_a_problem_stays_open_while_one_measure_is_open(ledger):
    m, zeren, leader = ledger["m"], ledger["zeren"], ledger["leader"]
    other = make_measure(ledger["problem"], persons=[zeren.person], acting_user=ledger["admin"])
    _submit(m, zeren)
    measure_accept(measure=m, expected_version=m.version, acting_user=leader)
    status = problems_visible_to(leader).get(pk=ledger["problem"].pk).derived_status
    assert status == ProblemStatus.IN_PROGRESS
    assert other.status == MeasureStatus.NOT_STARTED


def test_submission_needs_evidence_or_a_reason(ledger):
    m, zeren = ledger["m"], ledger["zeren"]
    with pytest.raises(ValidationError) as exc:
        _submit(m, zeren, files=[])
    assert "files" in exc.value.message_dict
    m.refresh_from_db()
    assert m.status == MeasureStatus.NOT_STARTED and not m.progress_notes.exists()
    _submit(m, zeren, files=[], no_evidence_reason="会议决定，无书面材料")
    assert m.status == MeasureStatus.COMPLETED


def test_long_term_measure_needs_its_standing_mechanism(ledger):
    m = make_measure(
        ledger["problem"],
        persons=[ledger["zeren"].person],
        kind=MeasureKind.LONG_TERM,
        deadline=None,
        acting_user=ledger["admin"],
    )
    with pytest.raises(ValidationError) as exc:
        _submit(m, ledger["zeren"])
    assert "mechanism" in exc.value.message_dict
    _submit(m, ledger["zeren"], mechanism="建立月度学习通报制度")
    assert m.mechanism == "建立月度学习通报制度"


def test_nobody_signs_off_a_measure_they_answer_for(ledger):
    leader = ledger["leader"]
    own = make_measure(ledger["problem"], persons=[leader.person], acting_user=ledger["admin"])
    _submit(own, leader)
    assert available_actions(leader, own) == set()
    with pytest.raises(PermissionDenied):
        measure_accept(measure=own, expected_version=own.version, acting_user=leader)
    own.refresh_from_db()
    assert own.status == MeasureStatus.COMPLETED


def test_only_those_who_answer_for_a_measure_submit_it(ledger):
    with pytest.raises(PermissionDenied):
        _submit(ledger["m"], ledger["leader"])


def test_send_back_needs_reasons_and_returns_the_work(ledger):
    m, leader = ledger["m"], ledger["leader"]
    _submit(m, ledger["zeren"])
    with pytest.raises(ValidationError):
        measure_send_back(measure=m, reason=" ", expected_version=m.version, acting_user=leader)
    measure_send_back(
        measure=m, reason="佐证材料不足", expected_version=m.version, acting_user=leader
    )
    m.refresh_from_db()
    assert m.status == MeasureStatus.IN_PROGRESS and m.completed_on is None
    assert m.reviews.last().text == "佐证材料不足"


def test_a_stale_decision_is_refused(ledger):
    m, leader = ledger["m"], ledger["leader"]
    _submit(m, ledger["zeren"])
    seen = m.version
    measure_send_back(measure=m, reason="补充材料", expected_version=seen, acting_user=leader)
    _submit(m, ledger["zeren"])
    with pytest.raises(StaleEditError):
        measure_accept(measure=m, expected_version=seen, acting_user=leader)


def test_reopen_by_an_administrator_with_a_reason(ledger):
    m, leader, admin = ledger["m"], ledger["leader"], ledger["admin"]
    _submit(m, ledger["zeren"])
    measure_accept(measure=m, expected_version=m.version, acting_user=leader)
    assert ReviewAction.REOPEN not in available_actions(leader, m)
    measure_reopen(measure=m, reason="整改反弹", expected_version=m.version, acting_user=admin)
    m.refresh_from_db()
    assert m.status == MeasureStatus.IN_PROGRESS


def test_only_a_system_administrator_sets_signed_off_directly(ledger):
    from rectify.core.testing import make_admin

    m, admin = ledger["m"], ledger["admin"]
    with pytest.raises(PermissionDenied):
        measure_set_status(
            measure=m,
            status=MeasureStatus.SIGNED_OFF,
            expected_version=m.version,
            acting_user=admin,
        )
    root = make_admin()
    measure_set_status(
        measure=m, status=MeasureStatus.SIGNED_OFF, expected_version=m.version, acting_user=root
    )
    assert m.reviews.get().action == ReviewAction.ACCEPT
    assert m.reviews.get().actor == root


def test_direct_status_changes_are_recorded_as_the_matching_step(ledger):
    from rectify.core.testing import make_admin

    m, root = ledger["m"], make_admin()
    for status in (MeasureStatus.COMPLETED, MeasureStatus.CONFIRMED, MeasureStatus.SIGNED_OFF):
        measure_set_status(measure=m, status=status, expected_version=m.version, acting_user=root)
    assert list(m.reviews.values_list("action", "to_status")) == [
        (ReviewAction.SUBMIT, MeasureStatus.COMPLETED),
        (ReviewAction.CONFIRM, MeasureStatus.CONFIRMED),
        (ReviewAction.ACCEPT, MeasureStatus.SIGNED_OFF),
    ]
