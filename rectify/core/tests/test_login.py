import pytest

from rectify.core.testing import make_unit, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def test_login_with_the_right_password_opens_the_ledger(client):
    make_user(make_unit(), username="dongchangfu")
    response = client.post("/login/", {"username": "dongchangfu", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/ledger/measures/"


def test_wrong_password_shows_an_error_in_chinese(client):
    make_user(make_unit(), username="dongchangfu")
    response = client.post("/login/", {"username": "dongchangfu", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_repeated_failures_lock_the_login_even_for_the_right_password(client, settings):
    make_user(make_unit(), username="dongchangfu")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "dongchangfu", "password": "wrong"})
    response = client.post("/login/", {"username": "dongchangfu", "password": PASSWORD})
    assert response.status_code == 429 or response.status_code == 403
    assert "登录已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
