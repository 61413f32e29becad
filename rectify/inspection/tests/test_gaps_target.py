"""The page beneath one target of the gap matrix: its findings by status and its problems."""

import re
from html import unescape

import pytest
from django.db import transaction
from django.urls import reverse

from rectify.core.testing import make_campaign, make_unit
from rectify.inspection.models import FindingStatus
from rectify.inspection.services.findings import finding_attach, finding_dismiss, record_finding
from rectify.ledger.models import Source

from .gaps_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    t1 = world.targets[0]

    def finding(unit, text, target=t1):
        with transaction.atomic():
            return record_finding(
                campaign=world.campaign,
                unit=unit,
                source=Source.OPINIONS,
                text=text,
                target=target,
                acting_user=world.admin,
            )

    finding(world.a1, "办事效率低")
    finding(world.a1, '<script>alert("x")</script>')
    finding_dismiss(finding=finding(world.a, "已解决"), reason="重复反映", acting_user=world.admin)
    attached = finding(world.a1, "学习不深入")
    finding_attach(finding=attached, problem=world.problems.a1_half, acting_user=world.admin)
    finding(world.b, "另一县的问题")
    finding(world.a1, "另一目标", target=world.targets[1])
    return world


def _url(target, unit) -> str:
    return reverse("inspection:gap-target", kwargs={"pk": target.pk}) + f"?unit={unit.pk}"


def test_target_page_counts_findings_by_status_and_lists_the_problems(client, world):
    client.force_login(world.admin)
    t1 = world.targets[0]
    response = client.get(_url(t1, world.a))

    gaps = response.context["gaps"]
    assert gaps.finding_counts == {
        FindingStatus.NEW: 2,
        FindingStatus.PROMOTED: 1,
        FindingStatus.MERGED: 0,
        FindingStatus.DUPLICATE: 0,
        FindingStatus.DISMISSED: 1,
    }
    assert [f.status for f in gaps.findings] == ["new", "new", "promoted", "dismissed"]
    assert (gaps.problem_total, gaps.problem_open, gaps.problem_signed_off) == (3, 1, 2)
    # Newest first, each with its status derived from its measures.
    newest = gaps.problems[0]
    assert (newest.pk, newest.derived_status) == (world.problems.a1_half.pk, "in_progress")
    assert {p.pk for p in gaps.problems} == {
        world.problems.a_signed.pk,
        world.problems.a1_signed.pk,
        world.problems.a1_half.pk,
    }
    html = response.content.decode()
    assert "重复反映" in html  # a dismissed finding keeps its reason in sight
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;" in html


def test_target_page_counts_link_to_lists_of_exactly_that_count(client, world):
    client.force_login(world.admin)
    html = client.get(_url(world.targets[0], world.city)).content.decode()
    problems = reverse("ledger:problem-list")
    links = re.findall(rf'<a href="({problems}\?[^"]+)"[^>]*>(\d+)</a>', html)

    assert len(links) == 3
    for href, count in links:
        assert client.get(unescape(href)).context["page_obj"].paginator.count == int(count)


def test_a_target_without_problems_is_a_warning(client, world):
    client.force_login(world.admin)
    html = client.get(_url(world.targets[4], world.city)).content.decode()

    assert 'id="no-problem-warning"' in html


def test_target_page_refuses_other_units_and_campaigns(client, world):
    client.force_login(world.admin_a)
    t1 = world.targets[0]

    assert client.get(_url(t1, world.a)).status_code == 200
    default = client.get(reverse("inspection:gap-target", kwargs={"pk": t1.pk}))
    assert default.context["node"] == world.a
    assert client.get(_url(t1, world.b)).status_code == 404
    assert client.get(_url(t1, world.city)).status_code == 404
    elsewhere = make_campaign(make_unit("外市科协"), acting_user=world.admin)
    assert client.get(_url(elsewhere.targets.first(), world.a)).status_code == 404
