"""Each ledger action puts a message in exactly the right inboxes: not the actor, nobody outside."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.core.testing import make_measure, make_person, make_problem, make_unit, make_user
from rectify.ledger.models import ExtensionRequest
from rectify.ledger.selectors import guidance_members_of, leaders_of, responsible_users_of
from rectify.ledger.services import (
    extension_decide,
    extension_request,
    measure_accept,
    measure_confirm,
    measure_reopen,
    measure_send_back,
    measure_submit,
    measure_urge,
    unit_urge_red,
)
from rectify.notify.models import Notification, NotificationKind
from rectify.org.models import Role

from .inbox_world import TODAY, build_world

pytestmark = pytest.mark.django_db
K = NotificationKind


@pytest.fixture
def w():
    return build_world()


def _inboxes(kind, **filters) -> dict:
    """recipient → the notifications of ``kind`` they hold."""
    found: dict = {}
    for n in Notification.objects.filter(kind=kind, **filters).select_related("recipient"):
        found.setdefault(n.recipient, []).append(n)
    return found


def _submit(w, user=None, measure=None):
    measure = measure or w.measure
    return measure_submit(
        measure=measure,
        statement="已印发学习计划",
        no_evidence_reason="会议决定，无书面材料",
        expected_version=measure.version,
        acting_user=user or w.zeren,
    )


def _confirm(w, user):
    w.measure.refresh_from_db()
    return measure_confirm(
        measure=w.measure, expected_version=w.measure.version, acting_user=user, opinion="同意"
    )


# Recipient selectors


def test_selectors_find_the_people_of_a_unit_in_one_query_each(w, django_assert_num_queries):
    with django_assert_num_queries(1):
        leaders = set(leaders_of(w.office))
    assert leaders == {w.city_leader, w.leader, w.leader_zeren}
    with django_assert_num_queries(1):
        guides = set(guidance_members_of(w.office, w.campaign))
    assert guides == {w.guide, w.group_leader}
    with django_assert_num_queries(1):
        responsible = set(responsible_users_of(w.measure))
    assert responsible == {w.zeren, w.zeren2, w.leader_zeren}


def test_inactive_logins_and_deleted_units_hear_nothing(w):
    w.zeren2.is_active = False
    w.zeren2.save()
    gone = make_unit("撤销的上级", parent=w.city)
    below = make_unit("下属单位", parent=gone)
    gone_leader = make_user(gone, Role.LEADER)
    assert w.zeren2 not in set(responsible_users_of(w.measure))
    assert set(leaders_of(below)) == {w.city_leader, gone_leader}
    gone.deleted_at = timezone.now()
    gone.save()
    assert set(leaders_of(below)) == {w.city_leader}


# Urging


def test_urge_goes_to_the_responsible_logins_only(w):
    measure_urge(measure=w.measure, message="请本周内报送进展", acting_user=w.guide)
    inboxes = _inboxes(K.URGE)
    assert set(inboxes) == {w.zeren, w.zeren2, w.leader_zeren}
    for (n,) in inboxes.values():
        assert (n.measure, n.actor, n.text) == (w.measure, w.guide, "请本周内报送进展")


def test_a_leader_who_answers_for_the_measure_may_not_urge_it(w):
    with pytest.raises(PermissionDenied):
        measure_urge(measure=w.measure, message="抓紧", acting_user=w.leader_zeren)
    assert not Notification.objects.exists()
    assert not w.measure.urges.exists()


def test_urging_a_units_red_measures_skips_those_the_urger_answers_for(w):
    own = make_measure(w.problem, persons=[w.leader_zeren.person], deadline=TODAY - dt.timedelta(1))
    other = make_measure(w.problem, persons=[w.zeren.person], deadline=TODAY - dt.timedelta(2))
    assert unit_urge_red(unit=w.county, message="抓紧", acting_user=w.leader_zeren) == 1
    assert set(Notification.objects.values_list("recipient", "measure")) == {(w.zeren.pk, other.pk)}
    assert not own.urges.exists()


def test_urging_a_units_red_measures_tells_each_measures_own_people(w):
    late_a = make_measure(w.problem, persons=[w.zeren.person], deadline=TODAY - dt.timedelta(1))
    late_b = make_measure(w.problem, persons=[w.zeren2.person], deadline=TODAY - dt.timedelta(2))
    outsider_person = make_user(person=make_person(w.other))
    make_measure(
        make_problem(w.campaign, w.other, found_on=TODAY - dt.timedelta(days=60)),
        persons=[outsider_person.person],
        deadline=TODAY - dt.timedelta(days=3),
    )
    count = unit_urge_red(unit=w.county, message="逾期事项限期整改", acting_user=w.leader)
    assert count == 2
    pairs = set(Notification.objects.values_list("recipient", "measure", "text", "actor"))
    assert pairs == {
        (w.zeren.pk, late_a.pk, "逾期事项限期整改", w.leader.pk),
        (w.zeren2.pk, late_b.pk, "逾期事项限期整改", w.leader.pk),
    }


def _red_unit(w, name, count):
    unit = make_unit(name, parent=w.county)
    problem = make_problem(w.campaign, unit, found_on=TODAY - dt.timedelta(days=60))
    for i in range(count):
        persons = [make_user(person=make_person(unit)).person, make_person(unit)]
        make_measure(problem, persons=persons, deadline=TODAY - dt.timedelta(days=1 + i % 5))
    return unit


def test_urging_red_measures_costs_the_same_queries_for_3_or_30(w):
    small, large = _red_unit(w, "小单位", 3), _red_unit(w, "大单位", 30)
    queries = []
    for unit in (small, large):
        # A fresh user object each time: role caches live on the user object.
        urger = get_user_model().objects.get(pk=w.leader.pk)
        with CaptureQueriesContext(connection) as captured:
            unit_urge_red(unit=unit, message="限期整改", acting_user=urger)
        queries.append(len(captured))
    assert queries[0] == queries[1]
    assert Notification.objects.filter(measure__unit=small).count() == 3
    assert Notification.objects.filter(measure__unit=large).count() == 30


# Sign-off


def test_submission_waits_for_the_leaders_above_not_the_leader_who_answers_for_it(w):
    _submit(w)
    inboxes = _inboxes(K.REVIEW_WAITING)
    assert set(inboxes) == {w.city_leader, w.leader}
    for (n,) in inboxes.values():
        assert n.actor == w.zeren
        assert n.data == {"step": "confirm", "action": "submit"}
        assert "已印发学习计划" in n.text


def test_confirmation_waits_for_the_guidance_group_assigned_the_unit(w):
    _submit(w)
    _confirm(w, w.leader)
    inboxes = _inboxes(K.REVIEW_WAITING, actor=w.leader)
    assert set(inboxes) == {w.guide, w.group_leader}
    for (n,) in inboxes.values():
        assert n.data == {"step": "accept", "action": "confirm"}


def test_with_one_level_the_leader_signs_off_and_no_guidance_group_is_asked():
    w = build_world(sign_off_levels=1)
    _submit(w)
    inboxes = _inboxes(K.REVIEW_WAITING)
    assert set(inboxes) == {w.city_leader, w.leader}
    assert all(n.data["step"] == "accept" for (n,) in inboxes.values())
    _confirm(w, w.leader)
    assert Notification.objects.filter(kind=K.REVIEW_WAITING).count() == 2


def test_send_back_and_reopen_tell_the_responsible_persons_why(w):
    _submit(w)
    w.measure.refresh_from_db()
    measure_send_back(
        measure=w.measure,
        reason="佐证材料不全",
        expected_version=w.measure.version,
        acting_user=w.leader,
    )
    sent_back = _inboxes(K.SEND_BACK)
    assert set(sent_back) == {w.zeren, w.zeren2, w.leader_zeren}
    assert {n.text for (n,) in sent_back.values()} == {"佐证材料不全"}

    _submit(w)
    _confirm(w, w.leader)
    w.measure.refresh_from_db()
    measure_accept(measure=w.measure, expected_version=w.measure.version, acting_user=w.guide)
    w.measure.refresh_from_db()
    measure_reopen(
        measure=w.measure,
        reason="问题反弹",
        expected_version=w.measure.version,
        acting_user=w.guide,
    )
    reopened = _inboxes(K.REOPEN)
    assert set(reopened) == {w.zeren, w.zeren2, w.leader_zeren}
    assert {(n.text, n.actor) for (n,) in reopened.values()} == {("问题反弹", w.guide)}


# Deadline changes


def _ask(w):
    return extension_request(
        measure=w.measure,
        new_deadline=w.measure.deadline + dt.timedelta(days=30),
        reason="需协调外部专家",
        acting_user=w.zeren,
    )


def test_extension_request_goes_to_the_leaders_when_they_approve(w):
    request = _ask(w)
    inboxes = _inboxes(K.EXTENSION_REQUESTED)
    assert set(inboxes) == {w.city_leader, w.leader}
    for (n,) in inboxes.values():
        assert n.text == "需协调外部专家"
        assert n.data == {
            "old_deadline": request.old_deadline.isoformat(),
            "new_deadline": request.new_deadline.isoformat(),
        }


def test_extension_request_goes_to_the_guidance_group_when_it_approves():
    w = build_world(extension_approver="guidance")
    _ask(w)
    assert set(_inboxes(K.EXTENSION_REQUESTED)) == {w.guide, w.group_leader}


@pytest.mark.parametrize("approve", [True, False])
def test_extension_decision_goes_to_the_requester_alone(w, approve):
    request = _ask(w)
    w.measure.refresh_from_db()
    extension_decide(
        request=ExtensionRequest.objects.get(pk=request.pk),
        approve=approve,
        expected_version=w.measure.version,
        acting_user=w.leader,
        note="同意延期至月底" if approve else "期限不变",
    )
    inboxes = _inboxes(K.EXTENSION_DECIDED)
    assert set(inboxes) == {w.zeren}
    (n,) = inboxes[w.zeren]
    assert n.actor == w.leader
    assert n.data == {"approved": approve, "new_deadline": request.new_deadline.isoformat()}
    assert n.text == ("同意延期至月底" if approve else "期限不变")


def test_an_urge_is_mailed_at_once_in_each_persons_language(
    w, tasks_run_at_once, mailoutbox, django_capture_on_commit_callbacks
):
    w.zeren.person.email, w.zeren.person.language = "zeren@example.org", "zh-hans"
    w.zeren.person.save()
    w.zeren2.person.email, w.zeren2.person.language = "zeren2@example.org", "en"
    w.zeren2.person.save()
    with django_capture_on_commit_callbacks(execute=True):
        measure_urge(measure=w.measure, message="<b>本周内</b>报送进展", acting_user=w.leader)
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"zeren@example.org", "zeren2@example.org"}
    assert "催办" in by_address["zeren@example.org"].subject
    assert "urged" in by_address["zeren2@example.org"].subject.lower()
    # Plain text, as written.
    assert "<b>本周内</b>报送进展" in by_address["zeren2@example.org"].body
    # Nobody hears twice: the deliveries are done, a later run sends nothing more.
    from rectify.notify.reminders import deliver_pending

    deliver_pending()
    assert len(mailoutbox) == 2


def test_a_notification_nobody_mails_queues_no_delivery(w, django_capture_on_commit_callbacks):
    from rectify.notify.models import Delivery

    with django_capture_on_commit_callbacks() as callbacks:
        measure_urge(measure=w.measure, message="抓紧", acting_user=w.leader)
    assert not Delivery.objects.exists()  # no responsible person has an address
    assert callbacks == []
