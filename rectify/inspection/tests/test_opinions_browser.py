"""Script sent through the public form stays text in the staff's browser (Debian's Chromium)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from rectify.core.testing import LOCAL_HOSTS, make_user
from rectify.inspection.models import Opinion
from rectify.org.models import Role

from .opinions_world import XSS_PAYLOADS, build_world, public_url, submit

PASSWORD = "correct horse battery"


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/ledger/measures/")


@pytest.mark.browser
def test_script_in_opinions_never_runs_in_the_staff_inbox(
    transactional_db, live_server, browser_page
):
    world = build_world()
    make_user(world.a, Role.UNIT_ADMIN, username="dongchangfu")
    page, base = browser_page, live_server.url
    requested: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # Without logging in, send the first payload through the public form, named by another.
    page.goto(f"{base}{public_url(world.form_a)}")
    honeypot = page.locator("#id_website").bounding_box()
    assert honeypot is None or honeypot["x"] + honeypot["width"] <= 0, honeypot
    page.fill("#id_text", XSS_PAYLOADS[0])
    page.uncheck("#id_anonymous")
    page.fill("#id_name", XSS_PAYLOADS[1])
    page.click("#opinion-public-form button[type=submit]")
    code = page.locator("#receipt-code").inner_text()
    assert len(code) >= 22
    for payload in XSS_PAYLOADS[1:]:
        submit(world.form_a, payload, anonymous=False, name=payload, organization=payload)
    assert sorted(Opinion.objects.values_list("text", flat=True)) == sorted(XSS_PAYLOADS)

    # The submitter's receipt page shows the opinion as text.
    page.goto(f"{base}{reverse('public:receipt')}")
    page.fill("#id_code", code)
    page.click("#receipt-form button[type=submit]")
    assert page.locator("#receipt .opinion-text").inner_text() == XSS_PAYLOADS[0]

    # The staff inbox and each opinion's page show every payload as text, and run none.
    _login(page, base, "dongchangfu")
    page.goto(f"{base}{reverse('inspection:opinion-inbox', kwargs={'pk': world.form_a.pk})}")
    listed = page.locator("#opinions").inner_text()
    for payload in XSS_PAYLOADS:
        assert payload in listed
    for tag in ("script", "img", "svg", "a[href^='javascript']"):
        assert page.locator(f"#opinions {tag}").count() == 0, tag
    for opinion in Opinion.objects.all():
        page.goto(f"{base}{reverse('inspection:opinion-detail', kwargs={'pk': opinion.pk})}")
        assert page.locator("#opinion-text").inner_text() == opinion.text
        assert page.locator("main img, main svg, main a[href^='javascript']").count() == 0
    page.wait_for_timeout(300)  # time for an injected onerror or onload to fire, were there one

    assert dialogs == []
    assert {urlsplit(url).hostname for url in requested} <= LOCAL_HOSTS, requested
