"""A unit's group robots: address validation, write-only secrets, scoped pages, the test button."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from rectify.core.testing import make_admin, make_unit, make_user
from rectify.notify.channels import (
    DeliveryError,
    channel_create,
    channel_update,
    send_to_channel,
    url_hint,
    validate_webhook_url,
)
from rectify.notify.models import Channel, Delivery
from rectify.notify.reminders import run_reminders
from rectify.notify.sealing import unseal
from rectify.org.models import Role

from .reminder_world import build_world
from .robot_server import Robot

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
SECRET = "SECd00dfeedbeef0123456789abcdef"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.RECTIFY_WEBHOOK_HTTP_HOSTS = ["127.0.0.1"]
    settings.RECTIFY_DELIVERY_RETRY_DELAYS = (0, 0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def units():
    city = make_unit("市科协")
    mine, theirs = make_unit("东昌府区科协", parent=city), make_unit("临清市科协", parent=city)
    return mine, theirs


@pytest.fixture
def robot():
    started = Robot("dingtalk", SECRET)
    yield started
    started.close()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter the robot's webhook address"),
        ("ftp://files.example.org/hook", "Only https://"),
        ("javascript:alert(1)", "Only https://"),
        ("file:///etc/passwd", "Only https://"),
        ("http://oapi.dingtalk.com/robot/send?access_token=x", "Plain http is refused"),
        ("https://user:pw@oapi.dingtalk.com/robot/send", "user name or password"),
        ("https://@oapi.dingtalk.com/robot/send", "user name or password"),
        ("https:///robot/send", "no host name"),
        ("https://oapi.dingtalk.com/robot send", "may not contain spaces"),
        ("https://oapi.dingtalk.com:99999/robot", "not a valid web address"),
        ("https://oapi.dingtalk.com/" + "a" * 1000, "too long"),
    ],
)
def test_bad_webhook_addresses_are_refused_with_a_reason(url, words):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_webhook_url(url)
    assert words in refused.value.messages[0]


def test_good_webhook_addresses_pass(settings):
    assert validate_webhook_url(f"  {WECOM} ") == WECOM
    assert validate_webhook_url("http://127.0.0.1:8099/hook")  # allow-listed in this test
    settings.RECTIFY_WEBHOOK_HTTP_HOSTS = []
    with pytest.raises(ValidationError):
        validate_webhook_url("http://127.0.0.1:8099/hook")


def test_the_refusal_is_translated():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_webhook_url("ftp://files.example.org/hook")
    assert "https" in refused.value.messages[0]
    assert "Only" not in refused.value.messages[0]


def test_the_address_hint_masks_the_token():
    hint = url_hint(WECOM)
    assert hint.startswith("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
    assert "693a91f6" not in hint
    feishu = url_hint("https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07")
    assert feishu.startswith("https://open.feishu.cn/open-apis/bot/v2/hook/…")
    assert "5e3d587e" not in feishu


def test_address_and_secret_are_sealed_and_open_with_the_secret_key(units, settings):
    channel = channel_create(
        unit=units[0], kind="dingtalk", name="钉钉群", url=WECOM, secret=SECRET, acting_user=None
    )
    channel.refresh_from_db()
    assert "693a91f6" not in channel.url_sealed and SECRET not in channel.secret_sealed
    assert unseal(channel.url_sealed) == WECOM and unseal(channel.secret_sealed) == SECRET
    # Rotating the secret key the Django way (the old one as a fallback) keeps it working.
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" * 4, [old]
    assert unseal(channel.secret_sealed) == SECRET
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(DeliveryError, match="enter them again"):
        send_to_channel(channel, None)


def test_only_the_units_administrators_change_its_robots(units):
    mine, theirs = units
    admin = make_user(mine, Role.UNIT_ADMIN)
    with pytest.raises(PermissionDenied):
        channel_create(unit=theirs, kind="wecom", name="x", url=WECOM, acting_user=admin)
    leader = make_user(mine, Role.LEADER)
    with pytest.raises(PermissionDenied):
        channel_create(unit=mine, kind="wecom", name="x", url=WECOM, acting_user=leader)
    assert not Channel.objects.exists()


def test_blank_address_and_secret_keep_the_stored_ones_and_a_stale_edit_is_refused(units):
    channel = channel_create(
        unit=units[0], kind="dingtalk", name="钉钉群", url=WECOM, secret=SECRET, acting_user=None
    )
    version = channel.version
    channel_update(
        channel=channel,
        expected_version=version,
        acting_user=None,
        name="改名",
        kind="dingtalk",
        language="en",
    )
    channel.refresh_from_db()
    assert (channel.name, channel.language) == ("改名", "en")
    assert unseal(channel.url_sealed) == WECOM and unseal(channel.secret_sealed) == SECRET
    with pytest.raises(ValidationError):
        channel_update(
            channel=Channel.objects.get(),
            expected_version=version,
            acting_user=None,
            name="又改",
            kind="dingtalk",
            language="en",
        )
    channel_update(
        channel=channel,
        expected_version=channel.version,
        acting_user=None,
        name="改名",
        kind="dingtalk",
        language="en",
        clear_secret=True,
    )
    assert Channel.objects.get().secret_sealed == ""


# ── the pages ────────────────────────────────────────────────────────────


def test_add_page_refuses_a_bad_address_on_the_field(client, units):
    mine, _ = units
    client.force_login(make_user(mine, Role.UNIT_ADMIN))
    response = client.post(
        reverse("channels:create", args=[mine.pk]),
        {"name": "群", "kind": "wecom", "url": "http://example.org/hook", "language": "en"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Plain http is refused" in response.context["form"].errors["url"][0]
    assert not Channel.objects.exists()


def test_the_secret_is_never_rendered_back(client, units):
    mine, _ = units
    client.force_login(make_user(mine, Role.UNIT_ADMIN))
    response = client.post(
        reverse("channels:create", args=[mine.pk]),
        {"name": "钉钉群", "kind": "dingtalk", "url": WECOM, "secret": SECRET, "language": "en"},
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    pages = (reverse("channels:list", args=[mine.pk]), reverse("channels:edit", args=[channel.pk]))
    for url in pages:
        page = client.get(url).content.decode()
        assert SECRET not in page
        assert "693a91f6-7xxx" not in page
    # A refused edit does not echo the secret either.
    response = client.post(
        reverse("channels:edit", args=[channel.pk]),
        {
            "name": "",
            "kind": "dingtalk",
            "secret": "SECnewsecret",
            "language": "en",
            "version": channel.version,
        },
    )
    assert response.status_code == 200
    assert "SECnewsecret" not in response.content.decode()
    assert unseal(Channel.objects.get().secret_sealed) == SECRET


def test_edit_page_keeps_what_is_left_blank(client, units):
    mine, _ = units
    client.force_login(make_user(mine, Role.UNIT_ADMIN))
    channel = channel_create(
        unit=mine, kind="dingtalk", name="钉钉群", url=WECOM, secret=SECRET, acting_user=None
    )
    response = client.post(
        reverse("channels:edit", args=[channel.pk]),
        {
            "name": "整改群",
            "kind": "dingtalk",
            "url": "",
            "secret": "",
            "language": "en",
            "is_active": "on",
            "version": channel.version,
        },
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "整改群"
    assert unseal(channel.url_sealed) == WECOM and unseal(channel.secret_sealed) == SECRET


def test_other_units_robots_answer_404_and_a_leader_403(client, units):
    mine, theirs = units
    channel = channel_create(unit=theirs, kind="wecom", name="群", url=WECOM, acting_user=None)
    client.force_login(make_user(mine, Role.UNIT_ADMIN))
    for name, pk in (("list", theirs.pk), ("create", theirs.pk), ("edit", channel.pk)):
        assert client.get(reverse(f"channels:{name}", args=[pk])).status_code == 404
    for name in ("toggle", "test", "edit"):
        assert client.post(reverse(f"channels:{name}", args=[channel.pk])).status_code == 404
    channel.refresh_from_db()
    assert channel.is_active and channel.version == 1
    client.force_login(make_user(theirs, Role.LEADER))
    assert client.get(reverse("channels:list", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("channels:toggle", args=[channel.pk])).status_code == 404


def test_a_switched_off_robot_receives_nothing(client, settings):
    world = build_world()
    robot = Robot("wecom")
    try:
        channel = channel_create(
            unit=world.county, kind="wecom", name="群", url=robot.url, acting_user=None
        )
        client.force_login(world.staff)
        client.post(reverse("channels:toggle", args=[channel.pk]), {"active": "0"})
        assert not Channel.objects.get().is_active
        run_reminders()
        assert robot.received == []
        assert not Delivery.objects.filter(channel=channel).exists()
    finally:
        robot.close()


def test_the_test_button_sends_a_message_and_reports_a_failure_without_the_secret(
    client, units, robot
):
    mine, _ = units
    admin = make_user(mine, Role.UNIT_ADMIN)
    client.force_login(admin)
    good = channel_create(
        unit=mine, kind="dingtalk", name="好群", url=robot.url, secret=SECRET, acting_user=admin
    )
    response = client.post(reverse("channels:test", args=[good.pk]), follow=True)
    (got,) = robot.accepted
    assert mine.name in got.text
    (message,) = list(response.context["messages"])
    assert message.level_tag == "success"
    bad = channel_create(
        unit=mine, kind="dingtalk", name="坏群", url=robot.url, secret="SECwrong", acting_user=admin
    )
    response = client.post(reverse("channels:test", args=[bad.pk]), follow=True)
    (message,) = list(response.context["messages"])
    assert message.level_tag == "error"
    assert "310000" in str(message)
    assert "SECwrong" not in response.content.decode()
    assert len(robot.accepted) == 1


def test_the_unit_page_links_its_administrators_to_the_robots(client, units):
    mine, _ = units
    client.force_login(make_admin())
    page = client.get(reverse("org:unit-detail", args=[mine.pk])).content.decode()
    assert reverse("channels:list", args=[mine.pk]) in page


def test_the_admin_shows_robots_masked_and_read_only(client, units):
    mine, _ = units
    channel = channel_create(
        unit=mine, kind="dingtalk", name="钉钉群", url=WECOM, secret=SECRET, acting_user=None
    )
    client.force_login(make_admin())
    pages = [
        reverse("admin:notify_channel_changelist"),
        reverse("admin:notify_channel_change", args=[channel.pk]),
        reverse("admin:notify_channel_history", args=[channel.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert SECRET not in page and "693a91f6-7xxx" not in page
        assert channel.secret_sealed not in page and channel.url_sealed not in page
    assert "…" in client.get(pages[0]).content.decode()
    response = client.post(pages[1], {"name": "改了"})
    assert response.status_code == 403
    assert Channel.objects.get().name == "钉钉群"
