"""The daily reminder run: who hears what, once a day, in their language, in few queries."""

import datetime as dt
import io
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.notify.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationKind,
    ReminderRun,
)
from rectify.notify.reminders import MAIL_BREAKER, deliver_pending, run_reminders

from .reminder_world import add_recipients, build_world, days

pytestmark = pytest.mark.django_db

K = NotificationKind


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RECTIFY_DELIVERY_RETRY_DELAYS = (0, 0)
    settings.RECTIFY_SITE_URL = "https://rectify.example.gov.cn"


@pytest.fixture
def world():
    return build_world()


def _data(user, kind, **lookup):
    rows = Notification.objects.filter(recipient=user, kind=kind, **lookup)
    return [n.data for n in rows.order_by("pk")]


def test_reminder_lists_each_logins_red_then_yellow_measures_and_send_backs(world):
    run_reminders()
    today = timezone.localdate().isoformat()
    (mine,) = _data(world.zeren, K.REMINDER)
    assert mine == {
        "date": today,
        "red": 2,
        "yellow": 1,
        "sent_back": 0,
        "measures": [
            {"id": m.pk, "content": m.content, "deadline": m.deadline.isoformat(), "light": light}
            for m, light in (
                (world.red, "red"),
                (world.new_red, "red"),
                (world.yellow, "yellow"),
            )
        ],
    }
    (theirs,) = _data(world.zeren2, K.REMINDER)
    assert (theirs["red"], theirs["yellow"], theirs["sent_back"]) == (0, 1, 1)
    assert [m["id"] for m in theirs["measures"]] == [world.yellow.pk]
    (outside,) = _data(world.other_zeren, K.REMINDER)
    assert [m["id"] for m in outside["measures"]] == [world.other_red.pk]
    # Leaders and guides answer for nothing here: no reminder, only digests.
    assert not _data(world.leader, K.REMINDER)
    assert not _data(world.guide, K.REMINDER)


def test_reminder_lists_at_most_twenty_measures_reds_first(world):
    problem = world.red.problem
    from rectify.core.testing import make_measure

    for i in range(25):
        make_measure(
            problem,
            content=f"逾期{i}",
            deadline=days(-30 + i) if i < 22 else days(1),
            persons=[world.zeren.person],
            acting_user=world.staff,
        )
    run_reminders()
    (data,) = _data(world.zeren, K.REMINDER)
    assert (data["red"], data["yellow"]) == (24, 4)
    assert len(data["measures"]) == 20
    assert all(m["light"] == "red" for m in data["measures"])
    deadlines = [m["deadline"] for m in data["measures"]]
    assert deadlines == sorted(deadlines)


def test_digest_sums_each_grant_and_assignment_over_its_subtree(world):
    run_reminders()
    today = timezone.localdate().isoformat()
    (leader,) = _data(world.leader, K.DIGEST)
    assert leader == {
        "date": today,
        "unit": world.county.pk,
        "unit_name": world.county.name,
        "red": 2,
        "yellow": 1,
        "new_red": 1,
        "awaiting_review": 1,  # the completed measure waits for the leader
        "unanswered_urges": 1,  # the urge on the yellow measure was answered by a note
    }
    (admin,) = _data(world.admin, K.DIGEST)
    assert admin["unit"] == world.city.pk
    assert (admin["red"], admin["new_red"], admin["awaiting_review"]) == (3, 1, 0)
    (guide,) = _data(world.guide, K.DIGEST)
    assert guide["unit"] == world.county.pk
    # The guidance group accepts what the leader confirmed.
    assert (guide["red"], guide["awaiting_review"]) == (2, 1)
    assert not _data(world.zeren, K.DIGEST)


def test_guidance_digest_counts_only_the_assigned_campaign(world):
    from rectify.core.testing import make_campaign, make_measure, make_problem

    elsewhere = make_campaign(world.city, acting_user=world.staff)
    problem = make_problem(elsewhere, world.county, found_on=days(-60), acting_user=world.staff)
    make_measure(problem, deadline=days(-2), acting_user=world.staff)
    run_reminders()
    (guide,) = _data(world.guide, K.DIGEST)
    (leader,) = _data(world.leader, K.DIGEST)
    assert guide["red"] == 2
    assert leader["red"] == 3


def test_new_red_counts_from_the_previous_run(world):
    run_reminders(date=days(-3))
    run_reminders()
    (admin,) = _data(world.admin, K.DIGEST, key=f"digest:{timezone.localdate()}:{world.city.pk}")
    # Since the run three days ago: due yesterday here, due three days ago in the other county.
    assert admin["new_red"] == 2
    assert ReminderRun.objects.filter(date=timezone.localdate()).exists()


def test_running_twice_on_one_day_writes_and_sends_nothing_more(world):
    first = run_reminders()
    notifications, deliveries = Notification.objects.count(), Delivery.objects.count()
    sent = len(mail.outbox)
    assert first.notifications and first.sent == sent > 0
    second = run_reminders()
    assert (second.notifications, second.deliveries, second.sent) == (0, 0, 0)
    assert Notification.objects.count() == notifications
    assert Delivery.objects.count() == deliveries
    assert len(mail.outbox) == sent


def test_dry_run_writes_and_sends_nothing_but_counts_what_would_be(world):
    before = (Notification.objects.count(), Delivery.objects.count(), ReminderRun.objects.count())
    dry = run_reminders(dry_run=True)
    assert (Notification.objects.count(), Delivery.objects.count()) == before[:2]
    assert ReminderRun.objects.count() == before[2]
    assert mail.outbox == []
    real = run_reminders()
    assert (dry.reminders, dry.digests, dry.recipients, dry.deliveries) == (
        real.reminders,
        real.digests,
        real.recipients,
        real.deliveries,
    )
    assert dry.notifications > 0
    # After the real run a dry run finds nothing left to do.
    assert run_reminders(dry_run=True).notifications == 0


def test_email_reaches_each_person_in_their_language(world):
    run_reminders()
    by_address = {m.to[0]: m for m in mail.outbox}
    english, chinese = by_address["wang@example.org"], by_address["li@example.org"]
    assert english.subject.startswith("Daily reminder")
    assert "建立理论学习制度" in english.body  # what a person wrote stays as written
    assert "https://rectify.example.gov.cn/" in english.body
    assert "Daily reminder" not in chinese.subject
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.subject)
    # No login, no reminder: the person without one gets no email either.
    assert "zhao@example.org" not in by_address
    assert all(d.status == DeliveryStatus.SENT for d in Delivery.objects.all())


def test_person_email_is_preferred_and_login_email_is_the_fallback(world):
    world.leader.email = "leader-login@example.org"
    world.leader.save()
    world.leader.person.email = ""
    world.leader.person.save()
    world.zeren.email = "login@example.org"
    world.zeren.save()
    run_reminders()
    addresses = {m.to[0] for m in mail.outbox}
    assert "leader-login@example.org" in addresses
    assert "wang@example.org" in addresses
    assert "login@example.org" not in addresses


class FailingForLi(LocmemBackend):
    """A mail server that refuses one address; the others go through."""

    def send_messages(self, messages):
        if any("li@example.org" in m.to for m in messages):
            raise smtplib.SMTPRecipientsRefused({"li@example.org": (550, b"mailbox busy")})
        return super().send_messages(messages)


def test_a_failing_email_is_recorded_and_retried_later_without_stopping_the_run(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForLi"
    report = run_reminders()
    assert report.failed >= 1 and report.retrying >= 1
    assert report.sent == len(mail.outbox) > 0
    failed = Delivery.objects.get(
        target="li@example.org", notification__kind=NotificationKind.REMINDER
    )
    assert failed.status == DeliveryStatus.PENDING
    assert failed.attempts == 3
    assert "SMTPRecipientsRefused" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    # Not due yet: a run now does not touch it.
    assert deliver_pending().sent == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = deliver_pending(now=timezone.now() + dt.timedelta(hours=1))
    assert later.sent == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (DeliveryStatus.SENT, 4, "")
    assert [m.to for m in mail.outbox].count(["li@example.org"]) == 1


def test_a_delivery_not_made_within_a_day_is_given_up(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForLi"
    run_reminders()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    deliver_pending(now=timezone.now() + dt.timedelta(days=2))
    stale = Delivery.objects.get(
        target="li@example.org", notification__kind=NotificationKind.REMINDER
    )
    assert stale.status == DeliveryStatus.FAILED
    assert "expired" in stale.last_error
    assert mail.outbox == []


def test_inactive_and_deleted_people_hear_nothing(world):
    world.zeren.is_active = False
    world.zeren.save()
    world.leader.person.deleted_at = timezone.now()
    world.leader.person.save()
    run_reminders()
    assert not Notification.objects.filter(recipient=world.zeren).exists()
    # The leader's grant still stands: the digest goes to the login, in the default language.
    assert _data(world.leader, K.DIGEST)
    assert "wang@example.org" not in {m.to[0] for m in mail.outbox}


def _queries(call) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        report = call()
    return len(captured.captured_queries), report.queries


def test_queries_do_not_grow_with_recipients():
    w = build_world()
    add_recipients(w, 2)
    dry_few = _queries(lambda: run_reminders(dry_run=True))
    real_few = _queries(lambda: run_reminders(date=days(1)))
    few_sent = len(mail.outbox)
    add_recipients(w, 18)
    dry_many = _queries(lambda: run_reminders(dry_run=True))
    real_many = _queries(lambda: run_reminders(date=days(2)))
    assert len(mail.outbox) - few_sent > few_sent  # many more emails went out the second time
    assert dry_few == dry_many
    assert real_few == real_many
    # Two of them ask the campaigns' warning windows (lights.warning_windows), so the
    # yellow edge is a constant date when every campaign warns alike.
    assert dry_few[0] == dry_few[1] <= 17


def test_send_reminders_command_prints_counts_and_dry_run_writes_nothing(world):
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "dry run" in text
    assert "recipients" in text and "queries" in text
    assert not Notification.objects.filter(kind__in=[K.REMINDER, K.DIGEST]).exists()
    out = io.StringIO()
    call_command("send_reminders", "--date", days(-1).isoformat(), stdout=out)
    assert Notification.objects.filter(key=f"reminder:{days(-1).isoformat()}").exists()


def test_send_reminders_command_refuses_a_bad_date(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2026-13-01")


class MailServerDown(LocmemBackend):
    """A mail server that refuses everything, counting how often it was asked."""

    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_that_is_down_does_not_hold_the_run_for_every_email(settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    MailServerDown.calls = 0
    w = build_world()
    add_recipients(w, 6)
    report = run_reminders()
    emails = Delivery.objects.filter(kind="email")
    assert emails.count() > MAIL_BREAKER + 3
    tried = emails.filter(attempts__gt=0)
    # Five emails fail one after another; then the server is taken to be down, and
    # neither they nor the rest are tried again in this run: a later run tries them.
    assert tried.count() == MAIL_BREAKER
    assert MailServerDown.calls == MAIL_BREAKER
    assert all(d.attempts == 1 and "SMTPServerDisconnected" in d.last_error for d in tried)
    untried = emails.filter(attempts=0)
    assert all(d.last_error.startswith("not tried") for d in untried)
    assert all(d.status == DeliveryStatus.PENDING for d in emails)
    assert report.retrying == emails.count()


def test_switching_the_language_in_the_header_switches_the_reminders_language(world, client):
    client.force_login(world.zeren2)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    world.zeren2.person.refresh_from_db()
    assert world.zeren2.person.language == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})  # unknown: ignored
    world.zeren2.person.refresh_from_db()
    assert world.zeren2.person.language == "en"
    run_reminders()
    (email,) = [m for m in mail.outbox if m.to == ["li@example.org"]]
    assert email.subject.startswith("Daily reminder")
