"""Group robots against a real HTTP server on 127.0.0.1 that checks what each platform checks."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from rectify.notify.channels import (
    DeliveryError,
    Message,
    channel_create,
    channel_set_active,
    dingtalk_sign,
    send_webhook,
)
from rectify.notify.models import Delivery, DeliveryKind, DeliveryStatus
from rectify.notify.reminders import deliver_pending, run_reminders

from .reminder_world import build_world
from .robot_server import Robot

pytestmark = pytest.mark.django_db

SECRET = "SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd612bda89d7f3a9dc"


@pytest.fixture(autouse=True)
def _local_robots(settings):
    settings.RECTIFY_WEBHOOK_HTTP_HOSTS = ["127.0.0.1"]
    settings.RECTIFY_DELIVERY_RETRY_DELAYS = (0, 0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RECTIFY_SITE_URL = "https://rectify.example.gov.cn"


@pytest.fixture
def robots():
    started = []

    def start(kind, secret="", script=()):
        robot = Robot(kind, secret, script)
        started.append(robot)
        return robot

    yield start
    for robot in started:
        robot.close()


@pytest.fixture
def world():
    return build_world()


def _channel(world, robot, *, secret="", unit=None, name="整改工作群"):
    return channel_create(
        unit=unit or world.county,
        kind=robot.kind,
        name=name,
        url=robot.url,
        secret=secret,
        acting_user=world.staff,
    )


@pytest.mark.parametrize(
    ("kind", "secret"),
    [("wecom", ""), ("dingtalk", ""), ("dingtalk", SECRET), ("feishu", ""), ("feishu", SECRET)],
)
def test_each_platform_receives_the_units_digest_in_its_shape_and_signed(
    world, robots, kind, secret
):
    robot = robots(kind, secret)
    _channel(world, robot, secret=secret)
    report = run_reminders()
    assert [r.problems for r in robot.received] == [[]]
    (got,) = robot.accepted
    assert world.county.name in got.text
    assert "https://rectify.example.gov.cn/ledger/measures/?unit=" in got.text
    if kind == "dingtalk":
        assert ("sign" in got.query) == bool(secret)
        assert got.query["access_token"].startswith("98975521")  # the robot's own query is kept
    if kind == "feishu":
        assert ("sign" in got.body) == bool(secret)
    delivery = Delivery.objects.get(kind=DeliveryKind.WEBHOOK)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert report.sent >= 1


def test_a_wrong_secret_is_refused_by_the_platform_and_counts_as_a_failure(world, robots):
    robot = robots("dingtalk", SECRET)
    _channel(world, robot, secret="SECsomethingelse")
    run_reminders()
    assert robot.accepted == []
    assert all("sign mismatch" in r.problems for r in robot.received)
    delivery = Delivery.objects.get(kind=DeliveryKind.WEBHOOK)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("platform error 310000")


def test_a_robot_failing_twice_then_accepting_gets_the_message_exactly_once(world, robots):
    robot = robots(
        "wecom", script=[500, (200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    )
    _channel(world, robot)
    run_reminders()
    assert len(robot.received) == 3
    assert len(robot.accepted) == 1
    delivery = Delivery.objects.get(kind=DeliveryKind.WEBHOOK)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    # The same day again: nothing is queued or sent twice.
    report = run_reminders()
    assert report.deliveries == 0
    assert len(robot.received) == 3
    assert Delivery.objects.filter(kind=DeliveryKind.WEBHOOK).count() == 1


def test_a_robot_that_keeps_failing_waits_for_a_later_run_and_does_not_stop_this_one(world, robots):
    down = robots("feishu", script=[503] * 3)
    up = robots("wecom")
    _channel(world, down, name="飞书群")
    _channel(world, up, unit=world.city, name="企业微信群")
    report = run_reminders()
    assert len(up.accepted) == 1
    assert len(down.received) == 3 and down.accepted == []
    failing = Delivery.objects.get(channel__name="飞书群")
    assert failing.status == DeliveryStatus.PENDING
    assert failing.last_error == "HTTP 503"
    assert failing.next_attempt_at > timezone.now()
    assert report.retrying == 1
    # Later (the backoff has passed) the robot is back: it gets the digest, once.
    later = deliver_pending(now=failing.next_attempt_at)
    assert later.sent == 1
    assert len(down.accepted) == 1
    failing.refresh_from_db()
    assert (failing.status, failing.attempts) == (DeliveryStatus.SENT, 4)


def test_an_unreachable_robot_is_a_recorded_failure(world, robots):
    robot = robots("wecom")
    _channel(world, robot)
    robot.close()
    run_reminders()
    delivery = Delivery.objects.get(kind=DeliveryKind.WEBHOOK)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("connection failed")
    assert "693a91f6" not in delivery.last_error


def test_the_secret_and_token_never_reach_last_error_or_the_logs(world, robots, caplog, client):
    token = "98975521a1b23c02cdd1a9a08c69511ddf5fa9d2"
    echo = (200, {"errcode": 300001, "errmsg": f"token {token} sign for {SECRET} rejected"})
    robot = robots("dingtalk", SECRET, script=[echo] * 3)
    channel = _channel(world, robot, secret=SECRET)
    caplog.set_level(logging.DEBUG)
    run_reminders()
    delivery = Delivery.objects.get(kind=DeliveryKind.WEBHOOK)
    assert delivery.last_error.startswith("platform error 300001")
    for leaked in (SECRET, token, robot.url):
        assert leaked not in delivery.last_error
        assert leaked not in caplog.text
    assert dingtalk_sign(SECRET, 1) not in caplog.text
    # Nor is either stored in the clear, in the row or in its history.
    channel.refresh_from_db()
    stored = f"{channel.url_sealed} {channel.secret_sealed} {channel.url_hint}"
    assert SECRET not in stored and token not in stored
    for record in channel.history.all().values():
        assert SECRET not in str(record) and token not in str(record)
    # Nor on the pages where the unit's administrators see their robots.
    client.force_login(world.staff)
    for url in (f"/channels/units/{world.county.pk}/", f"/channels/{channel.pk}/edit/"):
        page = client.get(url).content.decode()
        assert SECRET not in page and token not in page


def test_send_webhook_raises_on_a_platform_error_answer(robots):
    robot = robots("feishu", script=[(200, {"code": 9499, "msg": "Bad Request"})])
    with pytest.raises(DeliveryError, match="platform error 9499: Bad Request"):
        send_webhook("feishu", robot.url, "", Message("标题", "正文"))


def test_a_redirect_is_not_followed(robots, settings):
    robot = robots("wecom", script=[(302, {})])
    with pytest.raises(DeliveryError, match="HTTP 302"):
        send_webhook("wecom", robot.url, "", Message("标题", "正文"))
    assert len(robot.received) == 1


def test_wecom_text_is_cut_to_the_platforms_limit(robots):
    robot = robots("wecom")
    send_webhook("wecom", robot.url, "", Message("标题", "很长的正文" * 1000))
    (got,) = robot.accepted
    assert len(got.text.encode()) <= 2048
    assert got.text.endswith("…")


def test_a_robot_switched_off_after_its_digest_was_queued_gets_nothing(world, robots):
    robot = robots("wecom", script=[500] * 3)
    channel = _channel(world, robot)
    run_reminders()
    channel_set_active(channel=channel, active=False, acting_user=world.staff)
    deliver_pending(now=timezone.now() + dt.timedelta(hours=1))
    delivery = Delivery.objects.get(kind=DeliveryKind.WEBHOOK)
    assert (delivery.status, delivery.last_error) == ("failed", "the robot was switched off")
    assert len(robot.received) == 3


def test_a_feishu_token_echoed_alone_is_scrubbed_from_the_error(robots):
    hook = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
    robot = robots("feishu", script=[(200, {"code": 19001, "msg": f"param invalid: {hook}"})])
    with pytest.raises(DeliveryError) as failed:
        send_webhook("feishu", robot.url, "", Message("标题", "正文"))
    assert hook not in str(failed.value)
    assert str(failed.value).startswith("platform error 19001: param invalid: …")


def test_many_dead_robots_cost_the_run_one_pause_per_pass_not_one_per_robot(
    world, robots, settings, monkeypatch
):
    settings.RECTIFY_DELIVERY_RETRY_DELAYS = (0.5, 2.0)
    slept = []
    monkeypatch.setattr("rectify.notify.reminders.time.sleep", slept.append)
    for n in range(5):
        _channel(world, robots("wecom", script=[503] * 3), name=f"坏群{n}")
    run_reminders()
    assert slept == [0.5, 2.0]
    webhooks = Delivery.objects.filter(kind=DeliveryKind.WEBHOOK)
    assert webhooks.count() == 5
    assert all(d.attempts == 3 and d.status == DeliveryStatus.PENDING for d in webhooks)
