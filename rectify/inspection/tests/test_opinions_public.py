"""The public opinion pages against abuse: CSRF, honeypot, rate, body size, length, escaping."""

import datetime as dt
import io
import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from rectify.inspection.models import TEXT_MAX_LENGTH, Finding, Opinion, SubmissionThrottle
from rectify.inspection.services.opinions import opinion_form_set_open, opinion_reply
from rectify.inspection.views.public import opinion_form as public_view

from .opinions_world import XSS_PAYLOADS, build_world, public_url, submit

pytestmark = pytest.mark.django_db

RECEIPT_URL = reverse("public:receipt")


@pytest.fixture
def world():
    return build_world()


def _post(client, form, addr="203.0.113.7", **data):
    fields = {"text": "希望多组织基层学术交流活动。", "anonymous": "on", **data}
    return client.post(public_url(form), fields, REMOTE_ADDR=addr)


def _code(response) -> str:
    return re.search(r'id="receipt-code">([^<]+)<', response.content.decode()).group(1)


def test_anyone_sees_the_open_form_without_logging_in(client, world):
    response = client.get(public_url(world.form_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "东昌府区科协征求意见" in body and "请对我会工作提出意见建议。" in body
    assert 'name="csrfmiddlewaretoken"' in body
    # The honeypot is in the page, moved out of sight by the stylesheet.
    assert 'class="hp-field" aria-hidden="true"' in body and 'name="website"' in body
    for target in world.targets:
        assert target.title in body
    assert "no-store" in response["Cache-Control"]


def test_submission_needs_the_csrf_token_and_works_with_it(world):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(public_url(world.form_a), {"text": "无令牌", "anonymous": "on"})
    assert refused.status_code == 403
    assert not Opinion.objects.exists()
    page = client.get(public_url(world.form_a)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        public_url(world.form_a),
        {"text": "带令牌", "anonymous": "on", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert Opinion.objects.get().text == "带令牌"


def test_submission_shows_the_receipt_code_once_and_stores_only_its_hash(client, world):
    response = _post(client, world.form_a, target=world.targets[3].pk)
    assert response.status_code == 200
    code = _code(response)
    assert len(code) >= 22
    opinion = Opinion.objects.get()
    assert opinion.target == world.targets[3]
    assert Finding.objects.get(opinion=opinion).unit == world.a
    assert code not in str(Opinion.objects.values().get())
    assert "no-store" in response["Cache-Control"]
    # The code looked up by POST shows the opinion's state; it never sits in the URL.
    looked_up = client.post(RECEIPT_URL, {"code": code})
    assert looked_up.status_code == 200
    assert "希望多组织基层学术交流活动。" in looked_up.content.decode()
    assert 'id="receipt-state"' in looked_up.content.decode()


def test_anonymous_opinion_has_no_personal_fields_even_if_the_post_carried_them(client, world):
    _post(
        client,
        world.form_a,
        anonymous="on",
        name="张三",
        organization="某研究所",
        phone="13800000000",
    )
    stored = Opinion.objects.values("anonymous", "name", "organization", "phone").get()
    assert stored == {"anonymous": True, "name": "", "organization": "", "phone": ""}


def test_named_opinion_needs_a_name(client, world):
    response = client.post(public_url(world.form_a), {"text": "有意见", "phone": "0635-1234567"})
    assert response.status_code == 200
    assert 'id="id_name-error"' in response.content.decode()
    assert not Opinion.objects.exists()
    _post(client, world.form_a, anonymous="", name="韩晓东", organization="农技站")
    assert Opinion.objects.values_list("anonymous", "name").get() == (False, "韩晓东")


def test_honeypot_submission_is_thanked_and_dropped(client, world):
    response = _post(client, world.form_a, website="http://spam.example")
    assert response.status_code == 200
    assert 'id="receipt-code"' in response.content.decode()
    assert not Opinion.objects.exists()
    assert not Finding.objects.exists()
    # The made-up code finds nothing.
    looked_up = client.post(RECEIPT_URL, {"code": _code(response)})
    assert 'id="id_code-error"' in looked_up.content.decode()


def test_rate_limit_triggers_and_recovers_once_the_window_passes(client, world, settings):
    settings.RECTIFY_OPINION_RATE = (3, 600)
    for _ in range(3):
        assert _post(client, world.form_a).status_code == 200
    refused = _post(client, world.form_a)
    assert refused.status_code == 429
    assert 'id="public-message"' in refused.content.decode()
    assert Opinion.objects.count() == 3
    # Another client is not held back by this one.
    assert _post(client, world.form_a, addr="198.51.100.1").status_code == 200
    # Ten minutes and a second later, the first client may send again.
    SubmissionThrottle.objects.update(submitted_at=timezone.now() - dt.timedelta(seconds=601))
    assert _post(client, world.form_a).status_code == 200
    assert Opinion.objects.count() == 5


def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_reports(client, world, settings):
    settings.RECTIFY_OPINION_RATE = (2, 600)
    settings.RECTIFY_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "10.0.0.2"

    def send(chain):
        fields = {"text": "希望多组织基层学术交流活动。", "anonymous": "on"}
        return client.post(public_url(world.form_a), fields, REMOTE_ADDR=proxy,
                           HTTP_X_FORWARDED_FOR=chain)  # fmt: skip

    # The proxy appends the real client; what the client put before it is not trusted.
    assert send("1.1.1.1, 203.0.113.7").status_code == 200
    assert send("9.9.9.9, 203.0.113.7").status_code == 200
    assert send("8.8.8.8, 203.0.113.7").status_code == 429
    # Another visitor behind the same proxy is counted apart.
    assert send("198.51.100.1").status_code == 200
    assert Opinion.objects.count() == 3


def test_rate_limit_recovers_as_time_moves_on(client, world, settings, monkeypatch):
    settings.RECTIFY_OPINION_RATE = (1, 60)
    assert _post(client, world.form_a).status_code == 200
    assert _post(client, world.form_a).status_code == 429
    later = timezone.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _post(client, world.form_a).status_code == 200


def test_throttle_keeps_no_raw_address(client, world):
    _post(client, world.form_a, addr="203.0.113.7")
    (row,) = SubmissionThrottle.objects.values_list("client_hash", flat=True)
    assert "203.0.113" not in row and len(row) == 64


def test_oversize_body_is_refused_with_413_and_nothing_stored(client, world, settings):
    response = _post(client, world.form_a, text="长" * 30_000)
    assert response.status_code == 413
    assert not Opinion.objects.exists()
    response = client.post(RECEIPT_URL, {"code": "x" * 70_000})
    assert response.status_code == 413


def test_oversize_body_is_refused_before_it_is_read(world):
    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    request = RequestFactory().post(public_url(world.form_a))
    request.META["CONTENT_LENGTH"] = str(10**9)
    request.META["wsgi.input"] = Unreadable()
    request._stream = Unreadable()
    response = public_view(request, token=world.form_a.token)
    assert response.status_code == 413


def test_longest_text_fits_in_the_body_limit_even_in_chinese(client, world):
    response = _post(client, world.form_a, text="长" * TEXT_MAX_LENGTH, name="x" * 50)
    assert response.status_code == 200
    assert len(Opinion.objects.get().text) == TEXT_MAX_LENGTH


def test_overlong_text_is_refused_with_an_error_next_to_the_field(client, world):
    response = _post(client, world.form_a, text="a" * (TEXT_MAX_LENGTH + 1))
    assert response.status_code == 200
    body = response.content.decode()
    error = re.search(r'<p class="error" id="id_text-error">([^<]+)</p>', body)
    assert error and str(TEXT_MAX_LENGTH) in error.group(1)
    assert not Opinion.objects.exists()


def test_line_breaks_count_as_one_character(client, world):
    text = "a\r\n" * (TEXT_MAX_LENGTH // 2)
    assert _post(client, world.form_a, text=text).status_code == 200
    assert Opinion.objects.get().text == ("a\n" * (TEXT_MAX_LENGTH // 2)).strip()


def test_closed_form_says_so_and_accepts_nothing(client, world):
    opinion_form_set_open(form=world.form_a, is_open=False, acting_user=world.admin_a)
    page = client.get(public_url(world.form_a))
    assert page.status_code == 200
    assert 'id="public-message"' in page.content.decode()
    assert 'name="text"' not in page.content.decode()
    assert _post(client, world.form_a).status_code == 403
    assert not Opinion.objects.exists()


def test_unknown_link_answers_404(client, world):
    assert client.get("/o/not-a-real-key/").status_code == 404
    assert client.post("/o/not-a-real-key/", {"text": "x"}).status_code == 404
    assert not Opinion.objects.exists()


def test_unknown_receipt_code_says_not_found_and_nothing_else(client, world):
    submit(world.form_a, "不应泄露的内容")
    response = client.post(RECEIPT_URL, {"code": "A" * 22})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code-error"' in body
    assert "不应泄露的内容" not in body and world.form_a.title not in body
    assert client.get(RECEIPT_URL).status_code == 200


def test_receipt_shows_the_reply(client, world):
    opinion, code = submit(world.form_a)
    opinion_reply(opinion=opinion, reply="<b>已办理</b>", acting_user=world.admin_a)
    body = client.post(RECEIPT_URL, {"code": code}).content.decode()
    assert "&lt;b&gt;已办理&lt;/b&gt;" in body and "<b>已办理" not in body


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_script_is_stored_verbatim_and_escaped_on_every_page(client, world, payload):
    code = _code(_post(client, world.form_a, text=payload, anonymous="", name=payload))
    opinion = Opinion.objects.get()
    assert opinion.text == payload and opinion.name == payload
    receipt = client.post(RECEIPT_URL, {"code": code}).content.decode()
    client.force_login(world.admin_a)
    inbox = client.get(reverse("inspection:opinion-inbox", kwargs={"pk": world.form_a.pk}))
    detail = client.get(reverse("inspection:opinion-detail", kwargs={"pk": opinion.pk}))
    for body in (receipt, inbox.content.decode(), detail.content.decode()):
        assert payload not in body
        assert payload.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in body
