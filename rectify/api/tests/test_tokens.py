"""Personal API tokens: created on the tokens page (key shown once, stored hashed), revoked,
expired, throttled; session requests need CSRF."""

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from rectify.api.models import ApiToken
from rectify.api.services import token_authenticate, token_create
from rectify.core.testing import make_admin, make_unit, make_user
from rectify.org.models import Role

from .conftest import token_client

pytestmark = pytest.mark.django_db

UNITS = reverse("api-v1:unit-list")


@pytest.fixture
def user():
    return make_user(make_unit(), Role.UNIT_ADMIN)


def _bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_token_page_shows_the_key_once_and_stores_only_its_hash(client, user):
    client.force_login(user)
    response = client.post(reverse("api:tokens"), {"name": "OA 系统"})
    assert response.status_code == 200
    key = response.context["issued"].key
    assert key in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(owner=user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix} and key.startswith(token.prefix)
    assert all(key not in str(value) for value in ApiToken.objects.values().get().values())
    # Listed afterwards by name and prefix, never the key again.
    again = client.get(reverse("api:tokens")).content.decode()
    assert "OA 系统" in again and token.prefix in again and key not in again
    assert _bearer(key).get(UNITS).status_code == 200


def test_token_with_expiry_date_works_through_that_day(client, user):
    client.force_login(user)
    today = timezone.localdate()
    client.post(reverse("api:tokens"), {"name": "短期", "expires_on": today.isoformat()})
    token = ApiToken.objects.get(owner=user)
    assert timezone.localtime(token.expires_at).date() == today
    assert token.expires_at > timezone.now()
    response = client.post(
        reverse("api:tokens"),
        {"name": "过期", "expires_on": "2000-01-01"},
        headers={"Accept-Language": "en"},
    )
    assert "The expiry must be in the future." in response.content.decode()
    assert not ApiToken.objects.filter(name="过期").exists()


def test_revoked_token_answers_401(client, user):
    issued = token_create(owner=user, name="OA", acting_user=user)
    api = _bearer(issued.key)
    assert api.get(UNITS).status_code == 200
    client.force_login(user)
    client.post(reverse("api:token-revoke", args=[issued.token.pk]))
    response = api.get(UNITS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_answers_401(user):
    issued = token_create(owner=user, name="OA", acting_user=user)
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = _bearer(issued.key).get(UNITS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rfy_not-a-real-key",
        "Token rfy_not-a-real-key",
        "Bearer",
        "Bearer a b",
        "Bearer \u00e9",
    ],
)
def test_unknown_or_malformed_token_answers_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(UNITS).status_code == 401


def test_token_keyword_is_accepted_too(user):
    key = token_create(owner=user, name="OA", acting_user=user).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(UNITS).status_code == 200


def test_no_credentials_answer_401_in_the_error_shape():
    response = APIClient().get(UNITS)
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": response.json()["error"]["message"],
            "fields": {},
        }
    }


def test_token_of_deactivated_login_answers_401(user):
    key = token_create(owner=user, name="OA", acting_user=user).key
    user.is_active = False
    user.save()
    assert _bearer(key).get(UNITS).status_code == 401


def test_token_use_is_recorded(user):
    issued = token_create(owner=user, name="OA", acting_user=user)
    assert issued.token.last_used_at is None
    _bearer(issued.key).get(UNITS)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_someone_elses_token_cannot_be_revoked(client, user):
    other = make_user(make_unit())
    issued = token_create(owner=other, name="他人", acting_user=other)
    client.force_login(user)
    assert client.post(reverse("api:token-revoke", args=[issued.token.pk])).status_code == 404
    assert token_authenticate(issued.key) is not None


def test_throttle_counts_per_token(settings, user):
    settings.RECTIFY_API_RATE = "3/min"
    first, second = token_client(user), token_client(user)
    for _ in range(3):
        assert first.get(UNITS).status_code == 200
    response = first.get(UNITS)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # Another token of the same user has its own count.
    assert second.get(UNITS).status_code == 200


def test_session_requests_work_and_writes_need_csrf(user):
    client = APIClient(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    client.force_login(user)
    assert client.get(UNITS).status_code == 200
    response = client.post(reverse("api-v1:problem-list"), {"description": "x"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_token_page_needs_login(client):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302


def test_system_administrator_revokes_a_token_in_the_admin(client, user):
    issued = token_create(owner=user, name="OA", acting_user=user)
    client.force_login(make_admin())
    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )
    assert response.status_code == 302
    assert _bearer(issued.key).get(UNITS).status_code == 401
    page = client.get(reverse("admin:api_apitoken_change", args=[issued.token.pk]))
    assert page.status_code == 200 and issued.key not in page.content.decode()
