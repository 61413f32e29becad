"""Staff pages of opinion solicitation: forms, link and QR code, inbox, reply and triage."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.core.testing import make_guidance_group, make_person, make_user
from rectify.inspection.models import Finding, FindingStatus, Opinion, OpinionForm

from .opinions_world import build_world, public_url, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _url(name, obj) -> str:
    return reverse(f"inspection:{name}", kwargs={"pk": obj.pk})


def test_unit_admin_opens_a_form_and_gets_its_absolute_link(client, world):
    client.force_login(world.admin_a)
    page = client.get(reverse("inspection:opinion-form-create"))
    assert page.status_code == 200
    response = client.post(
        reverse("inspection:opinion-form-create"),
        {
            "campaign": world.campaign.slug,
            "unit": world.a.pk,
            "title": "第二轮征求意见",
            "introduction": "欢迎提出意见",
        },
    )
    form = OpinionForm.objects.get(title="第二轮征求意见")
    assert response.status_code == 302
    assert response["Location"] == _url("opinion-form-detail", form)
    detail = client.get(response["Location"]).content.decode()
    assert f'href="http://testserver{public_url(form)}"' in detail


def test_site_url_setting_gives_the_public_link_its_host(client, world, settings):
    settings.RECTIFY_SITE_URL = "https://rectify.example.gov.cn"
    client.force_login(world.admin_a)
    detail = client.get(_url("opinion-form-detail", world.form_a)).content.decode()
    assert f"https://rectify.example.gov.cn{public_url(world.form_a)}" in detail


def test_form_for_a_unit_outside_the_users_scope_is_refused_next_to_the_field(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        reverse("inspection:opinion-form-create"),
        {"campaign": world.campaign.slug, "unit": world.b.pk, "title": "越权"},
    )
    assert response.status_code == 200
    assert 'id="id_unit-error"' in response.content.decode()
    assert not OpinionForm.objects.filter(title="越权").exists()


def test_qr_code_is_made_locally_as_png_and_svg(client, world):
    client.force_login(world.leader_a)
    png = client.get(_url("opinion-form-qr-png", world.form_a) + "?download=1")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png["Content-Disposition"].startswith("attachment;")
    svg = client.get(_url("opinion-form-qr-svg", world.form_a))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg") and b"<path" in svg.content
    assert b"<script" not in svg.content


def test_poster_shows_title_introduction_qr_and_link(client, world):
    client.force_login(world.admin_a)
    body = client.get(_url("opinion-form-poster", world.form_a)).content.decode()
    assert world.form_a.title in body and world.form_a.introduction in body
    assert _url("opinion-form-qr-svg", world.form_a) in body
    assert public_url(world.form_a) in body


def test_leader_reads_but_may_not_close_the_form_or_triage(client, world):
    opinion, _code = submit(world.form_a)
    client.force_login(world.leader_a)
    detail = client.get(_url("opinion-form-detail", world.form_a)).content.decode()
    assert 'id="toggle-form"' not in detail
    assert client.post(_url("opinion-form-toggle", world.form_a)).status_code == 403
    page = client.get(_url("opinion-detail", opinion)).content.decode()
    assert 'id="reply-form"' not in page and 'id="reject-form"' not in page
    assert client.post(_url("opinion-reply", opinion), {"reply": "x"}).status_code == 403
    assert client.post(_url("opinion-reject", opinion), {"reason": "x"}).status_code == 403
    assert OpinionForm.objects.get(pk=world.form_a.pk).is_open
    assert Finding.objects.get().status == FindingStatus.NEW


def test_guidance_group_reads_the_inbox_of_its_units(client, world):
    submit(world.form_a, "指导组可见的意见")
    guide = make_user(world.city)
    make_guidance_group(
        world.city, members=[guide.person], campaign=world.campaign, units=[world.a]
    )
    client.force_login(guide)
    inbox = client.get(_url("opinion-inbox", world.form_a))
    assert inbox.status_code == 200 and "指导组可见的意见" in inbox.content.decode()
    assert client.get(_url("opinion-inbox", world.form_b)).status_code == 404


def test_admin_closes_and_reopens_the_form(client, world):
    client.force_login(world.admin_a)
    client.post(_url("opinion-form-toggle", world.form_a))
    assert not OpinionForm.objects.get(pk=world.form_a.pk).is_open
    assert 'id="public-message"' in client.get(public_url(world.form_a)).content.decode()
    client.post(_url("opinion-form-toggle", world.form_a))
    assert OpinionForm.objects.get(pk=world.form_a.pk).is_open


def test_form_list_shows_counts_and_narrows_to_a_unit(client, world):
    submit(world.form_a)
    submit(world.form_a)
    client.force_login(world.sysadmin)
    body = client.get(reverse("inspection:opinion-form-list")).content.decode()
    assert world.form_a.title in body and world.form_b.title in body
    narrowed = client.get(reverse("inspection:opinion-form-list"), {"unit": world.b.pk})
    assert world.form_a.title not in narrowed.content.decode()
    client.force_login(world.admin_a)
    own = client.get(reverse("inspection:opinion-form-list")).content.decode()
    assert world.form_a.title in own and world.form_b.title not in own


def test_inbox_shows_personal_fields_only_for_named_opinions(client, world):
    submit(world.form_a, "匿名意见")
    submit(
        world.form_a,
        "署名意见",
        anonymous=False,
        name="韩晓东",
        organization="农技站",
        phone="0635-1234567",
    )
    client.force_login(world.admin_a)
    body = client.get(_url("opinion-inbox", world.form_a)).content.decode()
    assert "韩晓东" in body and "农技站" in body and "0635-1234567" in body
    anonymous = Opinion.objects.get(text="匿名意见")
    page = client.get(_url("opinion-detail", anonymous)).content.decode()
    assert "韩晓东" not in page and "0635-1234567" not in page


def test_inbox_filters_by_status_and_keeps_its_query_count(client, world):
    client.force_login(world.admin_a)
    submit(world.form_a, target=world.targets[0])

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url("opinion-inbox", world.form_a)).status_code == 200
        return len(captured)

    few = count_queries()
    for n in range(6):
        opinion, _ = submit(world.form_a, f"意见{n}", target=world.targets[n % 5])
        if n % 2:
            opinion.finding.status = FindingStatus.DISMISSED
            opinion.finding.save()
    assert count_queries() == few
    new_only = client.get(_url("opinion-inbox", world.form_a), {"status": "new"})
    assert "意见1" not in new_only.content.decode() and "意见0" in new_only.content.decode()


def test_reply_through_the_page(client, world):
    opinion, _code = submit(world.form_a)
    client.force_login(world.admin_a)
    refused = client.post(_url("opinion-reply", opinion), {"reply": ""})
    assert 'id="id_reply-error"' in refused.content.decode()
    response = client.post(_url("opinion-reply", opinion), {"reply": "已列入整改计划。"})
    assert response.status_code == 302
    assert Opinion.objects.get(pk=opinion.pk).reply == "已列入整改计划。"


def test_reject_needs_a_reason_and_keeps_the_opinion(client, world):
    opinion, _code = submit(world.form_a)
    client.force_login(world.admin_a)
    refused = client.post(_url("opinion-reject", opinion), {"reason": "  "})
    assert 'id="id_reason-error"' in refused.content.decode()
    assert Finding.objects.get().status == FindingStatus.NEW
    client.post(_url("opinion-reject", opinion), {"reason": "已在其他渠道答复。"})
    finding = Finding.objects.get()
    assert finding.status == FindingStatus.DISMISSED
    assert finding.dismissed_reason == "已在其他渠道答复。"
    page = client.get(_url("opinion-detail", opinion)).content.decode()
    assert "已在其他渠道答复。" in page and 'id="reject-form"' not in page


@pytest.mark.parametrize(("duplicate", "status"), [("1", "duplicate"), ("0", "merged")])
def test_mark_duplicate_or_merge_keeps_both_opinions(client, world, duplicate, status):
    original, _ = submit(world.form_a, "申报材料太多")
    other, _ = submit(world.form_a, "申报材料繁琐")
    client.force_login(world.admin_a)
    page = client.get(_url("opinion-detail", other)).content.decode()
    assert f'value="{original.pk}"' in page
    response = client.post(
        _url("opinion-join", other), {"into": original.pk, "duplicate": duplicate}
    )
    assert response.status_code == 302
    finding = Finding.objects.get(opinion=other)
    assert finding.status == status and finding.merged_into == original.finding
    assert Opinion.objects.count() == 2
    page = client.get(_url("opinion-detail", original)).content.decode()
    assert _url("opinion-detail", other) in page  # "joined by" links back


def test_join_into_another_units_opinion_is_refused_next_to_the_field(client, world):
    mine, _ = submit(world.form_a)
    theirs, _ = submit(world.form_b)
    client.force_login(world.sysadmin)
    response = client.post(_url("opinion-join", mine), {"into": theirs.pk, "duplicate": "1"})
    assert response.status_code == 200
    assert 'id="id_into-error"' in response.content.decode()
    assert Finding.objects.get(opinion=mine).status == FindingStatus.NEW


def test_promote_links_to_the_findings_triage(client, world):
    opinion, _ = submit(world.form_a)
    client.force_login(world.admin_a)
    page = client.get(_url("opinion-detail", opinion)).content.decode()
    finding_url = reverse("inspection:finding-detail", kwargs={"pk": opinion.finding.pk})
    assert f'id="promote-link" href="{finding_url}"' in page


def test_responsible_person_without_a_grant_sees_no_forms(client, world):
    person = make_person(world.a)
    client.force_login(make_user(person=person))
    assert client.get(_url("opinion-form-detail", world.form_a)).status_code == 404
    body = client.get(reverse("inspection:opinion-form-list")).content.decode()
    assert world.form_a.title not in body
