"""The study pages: forms through services, scope on every id, hostile text rendered inert."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import (
    make_campaign,
    make_guidance_group,
    make_person,
    make_unit,
    make_user,
)
from rectify.org.models import Rank, Role

from .. import services
from ..models import Attendance, AttendanceStatus, InviteRule, Meeting, StudyRequirement
from .conftest import new_meeting

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


@pytest.fixture
def dcf_admin(tree):
    return make_user(tree.dcf, Role.UNIT_ADMIN)


@pytest.fixture
def meeting(tree):
    """A meeting of 东昌府区 with a file and two people invited."""
    upload = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin, files=[upload])
    services.attendance_invite(
        meeting=meeting,
        persons=[make_person(tree.dcf, "甲"), make_person(tree.section, "乙")],
        acting_user=tree.admin,
    )
    return meeting


def _urls(meeting):
    pk = {"pk": meeting.pk}
    names = ("detail", "edit", "delete", "restore", "invite", "mark", "mark-rest", "signin")
    urls = [reverse(f"study:meeting-{name}", kwargs=pk) for name in names]
    urls.append(reverse("study:file-download", kwargs={"pk": meeting.files.get().pk}))
    return urls


def test_another_countys_admin_gets_404_on_every_page_of_the_meeting(client, tree, meeting):
    client.force_login(make_user(tree.lq, Role.UNIT_ADMIN))
    for url in _urls(meeting):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"reason": "x", "rule-rule": "subtree"}).status_code == 404, url
    coverage = client.get(reverse("study:coverage"), {"unit": tree.dcf.pk})
    assert coverage.status_code == 404
    listed = client.get(reverse("study:meeting-list")).content.decode()
    assert meeting.get_absolute_url() not in listed
    meeting.refresh_from_db()
    assert meeting.version == 1 and not meeting.is_deleted


def test_own_county_admin_reaches_every_page(client, tree, meeting, dcf_admin):
    client.force_login(dcf_admin)
    for url in _urls(meeting):
        assert client.get(url).status_code in (200, 405), url
    listed = client.get(reverse("study:meeting-list")).content.decode()
    assert meeting.get_absolute_url() in listed


def test_forged_attendance_ids_of_another_meeting_change_nothing(client, tree, meeting, dcf_admin):
    other = new_meeting(tree.campaign, tree.lq, acting_user=tree.admin)
    services.attendance_invite(
        meeting=other, persons=[make_person(tree.lq)], acting_user=tree.admin
    )
    theirs = Attendance.objects.get(meeting=other)
    client.force_login(dcf_admin)
    response = client.post(
        reverse("study:meeting-mark", kwargs={"pk": meeting.pk}),
        {
            "mark-TOTAL_FORMS": "1",
            "mark-INITIAL_FORMS": "1",
            "mark-0-attendance": theirs.pk,
            "mark-0-version": theirs.version,
            "mark-0-status": "present",
            "mark-0-reason": "",
        },
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == AttendanceStatus.INVITED


def test_attendance_is_marked_on_the_meeting_page(client, tree, meeting, dcf_admin):
    client.force_login(dcf_admin)
    page = client.get(reverse("study:meeting-detail", kwargs={"pk": meeting.pk}))
    formset = page.context["mark_formset"]
    data = {"mark-TOTAL_FORMS": "2", "mark-INITIAL_FORMS": "2", "page": "1"}
    for index, form in enumerate(formset.forms):
        data |= {
            f"mark-{index}-attendance": form.initial["attendance"],
            f"mark-{index}-version": form.initial["version"],
            f"mark-{index}-status": "leave" if index else "present",
            f"mark-{index}-reason": "",
        }
    url = reverse("study:meeting-mark", kwargs={"pk": meeting.pk})
    client.post(url, data)  # leave without a reason: refused, nothing saved
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {
        "invited"
    }
    data["mark-1-reason"] = "病假"
    assert client.post(url, data).status_code == 302
    assert sorted(Attendance.objects.filter(meeting=meeting).values_list("status", "reason")) == [
        ("leave", "病假"),
        ("present", ""),
    ]


def test_meeting_is_created_and_edited_through_the_pages(client, tree, dcf_admin):
    client.force_login(dcf_admin)
    url = reverse("study:meeting-create")
    assert client.get(url).status_code == 200
    speaker = make_person(tree.dcf, "讲课人")
    response = client.post(
        url,
        {
            "campaign": tree.campaign.slug,
            "unit": tree.dcf.pk,
            "kind": "party_lecture",
            "title": "专题党课",
            "starts_at": "2019-10-10T09:00",
            "place": "三楼会议室",
            "speakers": [speaker.pk],
            "counts_for_coverage": "on",
            "files": [SimpleUploadedFile("课件.pdf", b"%PDF-1.4")],
        },
    )
    meeting = Meeting.objects.get(title="专题党课")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert list(meeting.speakers.all()) == [speaker] and meeting.files.count() == 1
    edit = reverse("study:meeting-edit", kwargs={"pk": meeting.pk})
    form = {
        "kind": "party_lecture",
        "title": "专题党课（改）",
        "starts_at": "2019-10-10T09:00",
        "version": meeting.version,
        "counts_for_coverage": "on",
    }
    assert client.post(edit, form).status_code == 302
    stale = client.post(edit, form | {"title": "第三次"})
    page = stale.content.decode()
    assert stale.status_code == 200
    assert "reload" in page or "刷新" in page
    meeting.refresh_from_db()
    assert meeting.title == "专题党课（改）"


def test_another_countys_unit_cannot_be_chosen_for_a_meeting(client, tree, dcf_admin):
    client.force_login(dcf_admin)
    response = client.post(
        reverse("study:meeting-create"),
        {
            "campaign": tree.campaign.slug,
            "unit": tree.lq.pk,
            "kind": "other",
            "title": "越权",
            "starts_at": "2019-10-10T09:00",
        },
    )
    assert response.status_code == 200
    assert not Meeting.objects.filter(title="越权").exists()


def test_invitations_by_rule_through_the_page(client, tree, meeting, dcf_admin):
    make_person(tree.section, "学会部长", is_leadership_member=True)
    client.force_login(dcf_admin)
    url = reverse("study:meeting-invite", kwargs={"pk": meeting.pk})
    response = client.post(url, {"rule-rule": InviteRule.KEY_GROUP, "rule-unit": tree.dcf.pk})
    assert response.status_code == 302
    names = set(Attendance.objects.filter(meeting=meeting).values_list("person__name", flat=True))
    assert "学会部长" in names
    client.post(url, {"rule-rule": InviteRule.SUBTREE, "rule-unit": tree.lq.pk})
    assert not Attendance.objects.filter(meeting=meeting, person__unit=tree.lq).exists()


def test_hostile_text_is_rendered_inert(client, tree, dcf_admin):
    person = make_person(tree.dcf, XSS)
    meeting = new_meeting(
        tree.campaign,
        tree.dcf,
        acting_user=tree.admin,
        title=XSS,
        minutes=XSS,
        topics=XSS,
        place=XSS,
    )
    services.attendance_invite(meeting=meeting, persons=[person], acting_user=tree.admin)
    client.force_login(dcf_admin)
    pages = [
        reverse("study:meeting-detail", kwargs={"pk": meeting.pk}),
        reverse("study:meeting-list"),
        reverse("study:coverage") + f"?unit={tree.dcf.pk}&campaign={tree.campaign.slug}",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert XSS not in page, url
        assert "&lt;script&gt;" in page, url


def test_guidance_group_members_read_their_campaign_and_change_nothing(client, tree, meeting):
    member = make_user(tree.city)
    make_guidance_group(
        tree.city, members=[member.person], campaign=tree.campaign, units=[tree.dcf]
    )
    other_campaign = make_campaign(tree.city, acting_user=tree.admin)
    hidden = new_meeting(other_campaign, tree.dcf, acting_user=tree.admin, title="别的活动")
    client.force_login(member)
    assert client.get(reverse("study:meeting-detail", kwargs={"pk": meeting.pk})).status_code == 200
    assert client.get(reverse("study:meeting-detail", kwargs={"pk": hidden.pk})).status_code == 404
    assert client.get(reverse("study:meeting-edit", kwargs={"pk": meeting.pk})).status_code == 403
    coverage = client.get(
        reverse("study:coverage"), {"campaign": tree.campaign.slug, "unit": tree.dcf.pk}
    )
    assert coverage.status_code == 200
    elsewhere = client.get(
        reverse("study:coverage"), {"campaign": other_campaign.slug, "unit": tree.dcf.pk}
    )
    assert elsewhere.status_code == 404


def test_only_the_organizers_admins_set_the_requirement(client, tree, dcf_admin):
    url = reverse("study:requirement", kwargs={"slug": tree.campaign.slug})
    client.force_login(dcf_admin)
    assert client.get(url).status_code == 403
    city_admin = make_user(tree.city, Role.UNIT_ADMIN)
    client.force_login(city_admin)
    assert client.get(url).status_code == 200
    data = {"default_sessions": "2", f"rank_{Rank.COUNTY_LEVEL_AND_ABOVE}": "4", "version": ""}
    assert client.post(url, data).status_code == 302
    requirement = StudyRequirement.objects.get(campaign=tree.campaign)
    assert requirement.by_rank() == {"county_up": 4, "general": 2, "other": 2}
    stale = client.post(url, data | {"default_sessions": "3"})  # opened before the first save
    assert stale.status_code == 200
    requirement.refresh_from_db()
    assert requirement.default_sessions == 2


def test_coverage_page_queries_do_not_grow_with_children(client, tree):
    meeting = new_meeting(
        tree.campaign,
        tree.city,
        acting_user=tree.admin,
        starts_at=timezone.now() - dt.timedelta(days=1),
    )
    services.attendance_invite_by_rule(
        meeting=meeting, rule=InviteRule.SUBTREE, unit=tree.city, acting_user=tree.admin
    )
    client.force_login(tree.admin)
    url = reverse("study:coverage")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"unit": tree.city.pk}).status_code == 200
        return len(captured)

    make_person(tree.lq)
    before = queries()
    for i in range(6):
        make_person(make_unit(f"新县{i}", parent=tree.city))
    assert queries() == before
