"""Project-wide pytest configuration and the browser harness."""

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.utils import translation

from rectify.core.testing import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence files of a test go to a temporary folder, never into the checkout."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-hans).

    A test client request with ``Accept-Language: en`` leaves English active in the
    thread after the response; without this, code a later test calls outside a
    request (documents, exports, notifications) would speak English.
    """
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that make many logins need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tasks_run_at_once(settings):
    """Background tasks run when enqueued, in the test's own transaction (immediate backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def browser_page(monkeypatch, transactional_db):
    """A page of Debian's Chromium in Chinese, driven by Playwright.

    Playwright's sync API runs an event loop in this thread, so the ORM must be
    told that its synchronous calls here are fine.
    """
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright runs open their own connection; close it,
            # or PostgreSQL refuses to drop the test database at the end of the session.
            connections.close_all()
