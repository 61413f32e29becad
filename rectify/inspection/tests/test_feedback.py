"""Guidance-group feedback: members of an assigned group record it, each point becomes a finding."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext, override

from rectify.core.testing import make_campaign
from rectify.inspection.models import Finding, FindingStatus, GuidanceFeedback
from rectify.inspection.services.feedback import MAX_POINTS, FeedbackPoint, feedback_record
from rectify.inspection.services.findings import finding_dismiss
from rectify.ledger.models import Level, Source

from .opinions_world import XSS_PAYLOADS
from .research_world import build_world

pytestmark = pytest.mark.django_db

LIST_URL = reverse("inspection:feedback-list")


@pytest.fixture
def world():
    return build_world()


def create_url(unit) -> str:
    return reverse("inspection:feedback-create", kwargs={"pk": unit.pk})


def field_error(html: str, field: str) -> str:
    found = re.search(rf'id="id_{field}-error">([^<]*)<', html)
    return found.group(1) if found else ""


def post_data(world, points, *, group=None, **fields):
    """The feedback form as a browser posts it, one formset row per point."""
    data = {
        "campaign": world.campaign.slug,
        "group": (group or world.group_a).pk,
        "given_on": world.today.isoformat(),
        "summary": "总体推进有力，但问题查摆不够深入。",
        "points-TOTAL_FORMS": len(points),
        "points-INITIAL_FORMS": len(points),
        "points-MIN_NUM_FORMS": 0,
        "points-MAX_NUM_FORMS": MAX_POINTS,
        **fields,
    }
    for index, point in enumerate(points):
        text, target, level = (point, "", "") if isinstance(point, str) else point
        data[f"points-{index}-text"] = text
        data[f"points-{index}-target"] = target
        data[f"points-{index}-level"] = level
    return data


def record(world, texts=("一", "二"), user=None, group=None, unit=None, campaign=None):
    return feedback_record(
        campaign=campaign or world.campaign,
        unit=unit or world.a,
        group=group or world.group_a,
        points=[FeedbackPoint(text) for text in texts],
        acting_user=user or world.member_a,
    )


def test_assigned_member_records_feedback_one_finding_per_point(client, world):
    client.force_login(world.member_a)
    form = client.get(create_url(world.a))
    assert form.status_code == 200
    target = world.targets[1]
    points = [
        "班子成员调研不够深入。",
        ("学习与业务结合不紧。", target.pk, Level.LEADERSHIP_GROUP),
        "",  # an empty row is skipped
        "整改台账更新不及时。",
    ]
    response = client.post(create_url(world.a), post_data(world, points))
    feedback = GuidanceFeedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == feedback.get_absolute_url()
    assert (feedback.unit, feedback.group, feedback.campaign) == (
        world.a,
        world.group_a,
        world.campaign,
    )
    assert feedback.recorded_by == world.member_a
    findings = list(Finding.objects.order_by("id"))
    assert [f.text for f in findings] == [
        "班子成员调研不够深入。",
        "学习与业务结合不紧。",
        "整改台账更新不及时。",
    ]
    for finding in findings:
        assert (finding.source, finding.feedback, finding.unit, finding.status) == (
            Source.GUIDANCE_GROUP,
            feedback,
            world.a,
            FindingStatus.NEW,
        )
        assert finding.research_topic is None and finding.opinion is None
    assert (findings[1].target, findings[1].level) == (target, Level.LEADERSHIP_GROUP)
    assert (findings[0].target, findings[0].level) == (None, "")


def test_member_of_a_group_assigned_elsewhere_is_refused(client, world):
    client.force_login(world.member_b)
    # The unit is outside everything the group reads: as if it did not exist.
    assert client.get(create_url(world.a)).status_code == 404
    response = client.post(create_url(world.a), post_data(world, ["伪造"], group=world.group_b))
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        record(world, user=world.member_b, group=world.group_b)
    assert not GuidanceFeedback.objects.exists()
    assert not Finding.objects.exists()


def test_unit_admins_cannot_forge_feedback_as_a_group(client, world):
    for user in (world.admin_a, world.admin_city, world.sysadmin):
        client.force_login(user)
        assert client.get(create_url(world.a)).status_code == 403
        response = client.post(create_url(world.a), post_data(world, ["伪造"]))
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            record(world, user=user)
    assert not GuidanceFeedback.objects.exists()
    assert not Finding.objects.exists()


def test_a_member_cannot_speak_for_another_group(client, world):
    client.force_login(world.member_a)
    response = client.post(create_url(world.a), post_data(world, ["伪造"], group=world.group_b))
    assert response.status_code == 200
    assert field_error(response.content.decode(), "group")
    with pytest.raises(PermissionDenied):
        record(world, group=world.group_b)
    assert not GuidanceFeedback.objects.exists()


def test_assignment_holds_for_its_campaign_only(client, world):
    other = make_campaign(world.city, acting_user=world.sysadmin)
    client.force_login(world.member_a)
    response = client.post(create_url(world.a), post_data(world, ["别的活动"], campaign=other.slug))
    assert response.status_code == 200  # the form asks for a campaign it may use
    with pytest.raises(PermissionDenied):
        record(world, campaign=other)
    assert not GuidanceFeedback.objects.exists()


def test_unit_staff_see_the_points_and_their_triage(client, world):
    feedback = record(world, texts=("调研不深入", "台账不及时"))
    first = feedback.points.order_by("id").first()
    finding_dismiss(finding=first, reason="已在自查中整改", acting_user=world.admin_a)
    with override("zh-hans"):
        dismissed, to_triage = str(FindingStatus.DISMISSED.label), str(FindingStatus.NEW.label)
    for user in (world.staff_a, world.admin_a, world.admin_city, world.member_a):
        client.force_login(user)
        html = client.get(feedback.get_absolute_url()).content.decode()
        assert "调研不深入" in html and "台账不及时" in html, user
        assert "已在自查中整改" in html
        assert dismissed in html and to_triage in html
        listing = client.get(LIST_URL).content.decode()
        assert feedback.get_absolute_url() in listing
    for user in (world.admin_b, world.member_b):
        client.force_login(user)
        assert client.get(feedback.get_absolute_url()).status_code == 404
        assert feedback.get_absolute_url() not in client.get(LIST_URL).content.decode()


def test_member_sees_where_to_give_feedback(client, world):
    client.force_login(world.member_a)
    html = client.get(LIST_URL).content.decode()
    assert create_url(world.a) in html
    assert create_url(world.b) not in html
    client.force_login(world.admin_a)
    assert create_url(world.a) not in client.get(LIST_URL).content.decode()


def test_script_in_summary_and_points_stays_text(client, world):
    payload = " ".join(XSS_PAYLOADS)
    client.force_login(world.member_a)
    client.post(create_url(world.a), post_data(world, [payload], summary=payload))
    feedback = GuidanceFeedback.objects.get()
    assert feedback.summary == payload
    client.force_login(world.staff_a)
    for page in (feedback.get_absolute_url(), LIST_URL):
        html = client.get(page).content.decode()
        for raw in XSS_PAYLOADS:
            assert raw not in html, page
    assert "&lt;script&gt;" in client.get(feedback.get_absolute_url()).content.decode()


def test_bad_input_is_refused_next_to_its_field(client, world):
    client.force_login(world.member_a)
    future = (world.today + dt.timedelta(days=1)).isoformat()
    cases = [
        (post_data(world, ["一点"], given_on=future), "given_on"),
        (post_data(world, ["长" * 5001]), "points-0-text"),
        (post_data(world, [("", world.targets[0].pk, "")]), "points-0-text"),
    ]
    for data, field in cases:
        response = client.post(create_url(world.a), data)
        assert response.status_code == 200, field
        assert field_error(response.content.decode(), field), field
    empty = client.post(create_url(world.a), post_data(world, ["", " "]))
    with override("zh-hans"):
        assert gettext("Give at least one point.") in empty.content.decode()
    too_many = client.post(create_url(world.a), post_data(world, ["点"] * (MAX_POINTS + 1)))
    assert too_many.status_code == 200
    assert not GuidanceFeedback.objects.exists()
    assert not Finding.objects.exists()


def test_service_refuses_feedback_without_points(world):
    with pytest.raises(ValidationError) as caught:
        record(world, texts=(" ",))
    assert "points" in caught.value.message_dict
    assert not GuidanceFeedback.objects.exists()
