"""Each kind of notification reads right in Chinese and in English, as plain text with a link."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from rectify.core.testing import (
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.notify.models import Notification, NotificationKind
from rectify.notify.rendering import render
from rectify.notify.services import notify

pytestmark = pytest.mark.django_db
K = NotificationKind


@pytest.fixture
def measure():
    unit = make_unit("东昌府区科协")
    campaign = make_campaign(unit)
    problem = make_problem(campaign, unit, found_on=dt.date(2026, 1, 5))
    return make_measure(problem, content="制定并落实年度学习计划", deadline=dt.date(2026, 5, 1))


@pytest.fixture
def people(measure):
    return {
        "reader": make_user(person=make_person(measure.unit, "王责任")),
        "actor": make_user(person=make_person(measure.unit, "张书记")),
    }


def _one(people, measure=None, **fields) -> Notification:
    (n,) = notify([people["reader"]], measure=measure, actor=people["actor"], **fields)
    return Notification.objects.select_related("measure", "actor__person").get(pk=n.pk)


def _both(n):
    with translation.override("zh-hans"):
        zh = render(n)
    with translation.override("en"):
        en = render(n)
    return zh, en


def test_urge_says_who_urged_which_measure_and_what(people, measure):
    zh, en = _both(_one(people, measure, kind=K.URGE, text="请本周内报送进展"))
    assert zh.title == "催办：制定并落实年度学习计划"
    assert "张书记" in zh.body and "请本周内报送进展" in zh.body
    assert en.title == "Urged: 制定并落实年度学习计划"
    assert en.body.startswith("张书记 urges progress on")
    assert zh.url == en.url == measure.get_absolute_url()


@pytest.mark.parametrize(
    ("kind", "zh_word", "en_word"),
    [(K.SEND_BACK, "退回", "sent back"), (K.REOPEN, "重新整改", "reopened")],
)
def test_send_back_and_reopen_carry_the_reason(people, measure, kind, zh_word, en_word):
    zh, en = _both(_one(people, measure, kind=kind, text="佐证材料不全"))
    assert zh_word in zh.title and zh_word in zh.body
    assert en_word in en.body
    for rendered in (zh, en):
        assert rendered.body.endswith("佐证材料不全")
        assert rendered.url == measure.get_absolute_url()


def test_extension_request_names_both_dates_in_the_readers_format(people, measure):
    n = _one(
        people,
        measure,
        kind=K.EXTENSION_REQUESTED,
        text="需协调外部专家",
        data={"old_deadline": "2026-05-01", "new_deadline": "2026-06-15"},
    )
    zh, en = _both(n)
    assert "2026年5月1日" in zh.body and "2026年6月15日" in zh.body
    assert "延期" in zh.title
    assert "from May 1, 2026 to June 15, 2026" in en.body
    assert en.body.endswith("需协调外部专家")


@pytest.mark.parametrize("approved", [True, False])
def test_extension_decision_says_approved_or_refused(people, measure, approved):
    n = _one(
        people,
        measure,
        kind=K.EXTENSION_DECIDED,
        text="按期完成",
        data={"approved": approved, "new_deadline": "2026-06-15"},
    )
    zh, en = _both(n)
    assert ("同意" if approved else "不同意") in zh.title
    assert ("approved" if approved else "refused") in en.title
    assert "June 15, 2026" in en.body and "按期完成" in en.body


@pytest.mark.parametrize(
    ("step", "zh_word", "en_word"),
    [("confirm", "确认", "confirmation"), ("accept", "验收销号", "sign-off")],
)
def test_review_waiting_says_what_the_reader_must_do(people, measure, step, zh_word, en_word):
    n = _one(
        people,
        measure,
        kind=K.REVIEW_WAITING,
        data={"step": step, "action": "submit"},
        text="已完成",
    )
    zh, en = _both(n)
    assert zh_word in zh.title and en_word in en.title
    assert "张书记" in zh.body


def test_reminder_counts_and_lists_the_measures(people):
    data = {
        "date": "2026-05-02",
        "red": 3,
        "yellow": 1,
        "sent_back": 1,
        "measures": [
            {"id": 1, "content": "制定学习计划", "deadline": "2026-05-01", "light": "red"},
            {"id": 2, "content": "长期坚持的措施", "deadline": None, "light": "yellow"},
        ],
    }
    zh, en = _both(_one(people, kind=K.REMINDER, data=data))
    assert "3" in zh.title and "2026年5月2日" in zh.title
    assert "[逾期] 制定学习计划" in zh.body
    assert "另有 2 项" in zh.body
    assert "Overdue (red): 3" in en.body and "Sent back to you for rework: 1" in en.body
    assert "[Due soon] 长期坚持的措施 (deadline: no deadline)" in en.body
    assert zh.url == reverse("ledger:my-responsibilities")


def test_digest_sums_up_a_unit_and_links_to_its_measures(people):
    data = {
        "date": "2026-05-02",
        "unit": 42,
        "unit_name": "东昌府区科协",
        "red": 5,
        "yellow": 2,
        "new_red": 1,
        "awaiting_review": 4,
        "unanswered_urges": 3,
    }
    zh, en = _both(_one(people, kind=K.DIGEST, data=data))
    assert "东昌府区科协" in zh.title and "东昌府区科协" in en.title
    assert "Waiting for review: 4" in en.body and "Urges not yet answered: 3" in en.body
    assert "5" in zh.body and "4" in zh.body
    assert zh.url == f"{reverse('ledger:measure-list')}?unit=42"


def test_a_message_from_the_system_and_odd_data_still_render(people):
    (n,) = notify([people["reader"]], kind=K.REMINDER, data={"date": "not a date", "red": "x"})
    zh, en = _both(n)
    assert "not a date" in en.title
    assert en.body.startswith("Overdue (red): 0")
    assert zh.url == reverse("ledger:my-responsibilities")
