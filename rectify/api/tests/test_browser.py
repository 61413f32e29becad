"""The API tokens page and the interactive docs in Debian's Chromium, all from 127.0.0.1."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rectify.core.testing import LOCAL_HOSTS, make_unit, make_user
from rectify.org.models import Role

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _keep_error(errors: list[str], message) -> None:
    """Record console errors (the browser's own favicon request aside)."""
    if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
        errors.append(message.text)


@pytest.mark.browser
def test_token_is_created_once_and_docs_render_from_local_assets(
    transactional_db, live_server, browser_page, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = make_user(make_unit("东昌府区科协"), Role.UNIT_ADMIN, username="oa-admin")
    page = browser_page
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: _keep_error(errors, message))
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")
    page.click("a.tokens-link")
    page.wait_for_url(f"{base}/api/tokens/")
    page.fill("#id_name", "OA 系统")
    page.click("form.form button[type=submit]")
    key = page.inner_text("#new-token-key").strip()
    assert key.startswith("rfy_")
    page.reload()
    assert key not in page.content()

    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", state="attached")
    assert page.locator(".swagger-ui .opblock").count() > 30
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)
    assert not errors, errors
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS
