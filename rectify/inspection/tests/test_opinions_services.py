"""Opinion solicitation's services and receipts: what a submission stores, and what a code shows."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rectify.campaigns.models import Campaign
from rectify.core.testing import make_admin, make_campaign, make_measure, make_unit, make_user
from rectify.demo import inspection_opinions
from rectify.inspection.models import (
    TEXT_MAX_LENGTH,
    Finding,
    FindingStatus,
    Opinion,
    OpinionForm,
    SubmissionThrottle,
)
from rectify.inspection.selectors.opinions import ReceiptState, receipt_of, submission_throttled
from rectify.inspection.services.findings import finding_dismiss, finding_join, finding_promote
from rectify.inspection.services.opinions import (
    client_key,
    opinion_form_create,
    opinion_form_set_open,
    opinion_reply,
    throttle_record,
)
from rectify.ledger.models import MeasureStatus, Source
from rectify.ledger.services import measure_set_status
from rectify.org.models import Role

from .opinions_world import build_world, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_submission_stores_the_opinion_and_its_finding_in_the_forms_queue(world):
    target = world.targets[3]
    opinion, _code = submit(world.form_a, "  希望简化申报材料。 ", target=target)
    finding = Finding.objects.get(opinion=opinion)
    assert opinion.text == "希望简化申报材料。"
    assert (finding.campaign, finding.unit, finding.target) == (world.campaign, world.a, target)
    assert finding.source == Source.OPINIONS
    assert finding.status == FindingStatus.NEW
    assert finding.text == opinion.text


def test_anonymous_submission_keeps_no_personal_field_whatever_was_sent(world):
    opinion, _code = submit(
        world.form_a, anonymous=True, name="张三", organization="某研究所", phone="13800000000"
    )
    stored = Opinion.objects.values("name", "organization", "phone").get(pk=opinion.pk)
    assert stored == {"name": "", "organization": "", "phone": ""}


def test_the_database_refuses_an_anonymous_opinion_with_a_name(world):
    opinion, _code = submit(world.form_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.filter(pk=opinion.pk).update(name="张三")


def test_named_submission_keeps_who_sent_it(world):
    opinion, _code = submit(
        world.form_a, anonymous=False, name="韩晓东", organization="农技站", phone="0635-1234567"
    )
    opinion.refresh_from_db()
    assert (opinion.name, opinion.organization, opinion.phone) == (
        "韩晓东",
        "农技站",
        "0635-1234567",
    )


def test_receipt_code_has_at_least_128_bits_and_only_its_hash_is_stored(world):
    codes = set()
    for _ in range(20):
        opinion, code = submit(world.form_a)
        codes.add(code)
        # token_urlsafe(16): 16 random bytes, 22 characters of base64.
        assert len(code) >= 22
        assert opinion.receipt_hash == hashlib.sha256(code.encode()).hexdigest()
        assert code not in str(Opinion.objects.filter(pk=opinion.pk).values().get())
    assert len(codes) == 20


def test_closed_form_accepts_nothing(world):
    opinion_form_set_open(form=world.form_a, is_open=False, acting_user=world.admin_a)
    with pytest.raises(ValidationError):
        submit(world.form_a)
    assert not Opinion.objects.exists()
    assert not Finding.objects.exists()


def test_form_of_a_deleted_campaign_accepts_nothing(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(deleted_at=timezone.now())
    with pytest.raises(ValidationError):
        submit(world.form_a)


def test_text_over_the_limit_is_refused_and_nothing_is_kept(world):
    with pytest.raises(ValidationError) as caught:
        submit(world.form_a, "长" * (TEXT_MAX_LENGTH + 1))
    assert "text" in caught.value.message_dict
    assert not Opinion.objects.exists()
    assert not Finding.objects.exists()
    opinion, _code = submit(world.form_a, "长" * TEXT_MAX_LENGTH)
    assert len(opinion.text) == TEXT_MAX_LENGTH


def test_target_of_another_campaign_is_refused_with_nothing_half_saved(world):
    other = make_campaign(world.city, acting_user=world.sysadmin)
    with pytest.raises(ValidationError) as caught:
        submit(world.form_a, target=other.targets.first())
    assert "target" in caught.value.message_dict
    assert not Opinion.objects.exists()


def test_only_unit_administrators_open_forms_and_only_for_units_in_the_campaign(world):
    with pytest.raises(PermissionDenied):
        opinion_form_create(
            campaign=world.campaign, unit=world.b, title="越权", acting_user=world.admin_a
        )
    with pytest.raises(PermissionDenied):
        opinion_form_create(
            campaign=world.campaign, unit=world.a, title="领导", acting_user=world.leader_a
        )
    outsider = make_unit("外市科协")
    with pytest.raises(ValidationError) as caught:
        opinion_form_create(
            campaign=world.campaign, unit=outsider, title="外", acting_user=world.sysadmin
        )
    assert "unit" in caught.value.message_dict
    form = opinion_form_create(
        campaign=world.campaign, unit=world.a, title="第二张表", acting_user=world.admin_a
    )
    assert form.is_open and form.created_by == world.admin_a
    # token_urlsafe(24): 192 bits, and each form its own.
    assert len(form.token) >= 32 and form.token != world.form_a.token


def test_closing_and_opening_is_kept_in_history(world):
    opinion_form_set_open(form=world.form_a, is_open=False, acting_user=world.admin_a)
    opinion_form_set_open(form=world.form_a, is_open=True, acting_user=world.admin_a)
    records = list(world.form_a.history.order_by("history_id"))
    assert [r.is_open for r in records] == [True, False, True]
    assert records[1].history_user == world.admin_a
    with pytest.raises(PermissionDenied):
        opinion_form_set_open(form=world.form_a, is_open=False, acting_user=world.admin_b)


def test_reply_needs_text_and_an_administrator_and_shows_on_the_receipt(world):
    opinion, code = submit(world.form_a)
    with pytest.raises(PermissionDenied):
        opinion_reply(opinion=opinion, reply="已收到", acting_user=world.leader_a)
    with pytest.raises(ValidationError):
        opinion_reply(opinion=opinion, reply="   ", acting_user=world.admin_a)
    assert receipt_of(code).state == ReceiptState.RECEIVED
    opinion_reply(opinion=opinion, reply="已列入整改。", acting_user=world.admin_a)
    receipt = receipt_of(code)
    assert receipt.state == ReceiptState.REPLIED
    assert receipt.opinion.reply == "已列入整改。"
    assert opinion.history.latest().history_user == world.admin_a


def test_unknown_or_mangled_receipt_codes_find_nothing(world):
    _opinion, code = submit(world.form_a)
    assert receipt_of(code[:-1]) is None
    assert receipt_of(hashlib.sha256(code.encode()).hexdigest()) is None
    assert receipt_of("") is None
    assert receipt_of(f"  {code}\n").opinion.pk == _opinion.pk


def _sign_off(problem, admin):
    measure = make_measure(problem, acting_user=admin)
    for status in (MeasureStatus.COMPLETED, MeasureStatus.SIGNED_OFF):
        measure = measure_set_status(
            measure=measure,
            status=status,
            expected_version=measure.version,
            acting_user=admin,
            reason="测试",
        )


def test_receipt_follows_the_opinion_into_a_problem_until_it_is_signed_off(world):
    opinion, code = submit(world.form_a, target=world.targets[0])
    problem = finding_promote(finding=opinion.finding, acting_user=world.admin_a)
    assert receipt_of(code).state == ReceiptState.TAKEN_UP
    _sign_off(problem, world.sysadmin)
    assert receipt_of(code).state == ReceiptState.SIGNED_OFF


def test_receipt_of_a_duplicate_follows_the_opinion_it_joined(world):
    original, _ = submit(world.form_a, target=world.targets[0])
    duplicate, code = submit(world.form_a, "同上。")
    finding_join(
        finding=duplicate.finding, into=original.finding, duplicate=True, acting_user=world.admin_a
    )
    receipt = receipt_of(code)
    assert receipt.joined and receipt.state == ReceiptState.RECEIVED
    problem = finding_promote(finding=original.finding, acting_user=world.admin_a)
    assert receipt_of(code).state == ReceiptState.TAKEN_UP
    _sign_off(problem, world.sysadmin)
    assert receipt_of(code).state == ReceiptState.SIGNED_OFF
    # The duplicate is kept as it was sent, marked, and linked to the same problem.
    duplicate.finding.refresh_from_db()
    assert duplicate.finding.status == FindingStatus.DUPLICATE
    assert duplicate.finding.problem == problem


def test_receipt_of_a_rejected_opinion_shows_the_reason(world):
    opinion, code = submit(world.form_a)
    finding_dismiss(
        finding=opinion.finding, reason="不属于本单位职责范围。", acting_user=world.admin_a
    )
    receipt = receipt_of(code)
    assert receipt.state == ReceiptState.REJECTED
    assert receipt.reason == "不属于本单位职责范围。"


def test_throttle_counts_a_client_within_the_window_and_prunes_older_rows(world, settings):
    settings.RECTIFY_OPINION_RATE = (2, 600)
    client, other = client_key("203.0.113.7"), client_key("198.51.100.1")
    assert client != other and "203.0.113.7" not in client and len(client) == 64
    throttle_record(client=client)
    assert not submission_throttled(client)
    throttle_record(client=client)
    assert submission_throttled(client)
    assert not submission_throttled(other)
    SubmissionThrottle.objects.update(submitted_at=timezone.now() - dt.timedelta(seconds=601))
    assert not submission_throttled(client)
    throttle_record(client=other)
    assert list(SubmissionThrottle.objects.values_list("client_hash", flat=True)) == [other]


def test_submission_over_the_web_is_counted_for_its_client(world):
    client = client_key("203.0.113.7")
    submit(world.form_a, client=client)
    assert SubmissionThrottle.objects.filter(client_hash=client).count() == 1


def test_demo_opinions_load_once_and_mostly_wait_for_triage():
    admin = make_admin()
    city = make_unit("聊城市科学技术协会", code=inspection_opinions.UNIT)
    campaign = make_campaign(city, acting_user=admin)
    make_user(city, Role.UNIT_ADMIN)
    args = {
        "campaign": campaign,
        "units": {city.code: city},
        "people": {},
        "targets": {t.code: t for t in campaign.targets.all()},
        "admin": admin,
    }
    created = inspection_opinions.load(**args)
    assert created == 1 + 2 * len(inspection_opinions.OPINIONS)
    assert inspection_opinions.load(**args) == 0
    form = OpinionForm.objects.get()
    assert form.is_open and form.unit == city
    opinions = Opinion.objects.filter(form=form)
    assert opinions.count() == len(inspection_opinions.OPINIONS)
    assert opinions.filter(anonymous=True).exists() and opinions.filter(anonymous=False).exists()
    assert opinions.values("target").distinct().count() >= 3
    statuses = list(Finding.objects.values_list("status", flat=True))
    assert statuses.count(FindingStatus.NEW) > len(statuses) // 2
    assert opinions.exclude(reply="").count() == 1
