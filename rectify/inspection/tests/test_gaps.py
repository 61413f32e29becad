"""The gap matrix (对照目标找差距): counts, warnings, links, drill-down and scope."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.core.testing import make_guidance_group, make_problem, make_unit, make_user
from rectify.inspection.selectors.gaps import gap_matrix
from rectify.org.models import Role

from .gaps_world import build_world

pytestmark = pytest.mark.django_db

MATRIX = reverse("inspection:gap-matrix")


@pytest.fixture
def world():
    return build_world()


def _figures(matrix) -> dict:
    """``{row label: [(open, signed off) or None when empty, per target]}``."""
    figures = {}
    for row in matrix.rows:
        label = f"{row.unit} (own)" if row.own else str(row.unit)
        figures[label] = [None if c.empty else (c.open, c.signed_off) for c in row.cells]
    return figures


def test_matrix_counts_open_and_signed_off_per_child_subtree(world):
    matrix = gap_matrix(world.admin, world.campaign, world.city)

    assert _figures(matrix) == {
        "市科协 (own)": [(1, 0), None, None, None, None],
        "东昌府区科协": [(1, 2), (1, 0), (1, 0), None, None],
        "临清市科协": [None, (0, 1), None, None, None],
    }
    assert [(c.open, c.signed_off) for c in matrix.total.cells] == [
        (2, 2), (1, 1), (1, 0), (0, 0), (0, 0)
    ]  # fmt: skip
    assert [row.empty_targets for row in matrix.rows] == [4, 2, 4]
    assert matrix.warnings == 10


def test_drilling_down_counts_the_child_and_its_own_children(world):
    matrix = gap_matrix(world.admin, world.campaign, world.a)

    assert _figures(matrix) == {
        "东昌府区科协 (own)": [(0, 1), (1, 0), None, None, None],
        "办公室": [(1, 1), None, (1, 0), None, None],
    }


def test_page_marks_empty_cells_as_warnings_with_a_count_per_unit(client, world):
    client.force_login(world.admin)
    response = client.get(MATRIX, {"campaign": world.campaign.slug})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="gap-cell gap-empty"') == 10 + 2  # rows, then the total's t4, t5
    assert 'id="gap-warnings"' in html
    rows = re.findall(r'<tr[^>]*data-unit="(\d+)">(.*?)</tr>', html, re.S)
    empty_counts = {int(pk): re.findall(r'<td class="num[^"]*">(\d+)</td>', body)[-1]
                    for pk, body in rows}  # fmt: skip
    assert empty_counts == {world.city.pk: "4", world.a.pk: "2", world.b.pk: "4"}


def test_a_unit_with_a_problem_against_every_target_shows_no_warning(world):
    for target in world.targets:
        make_problem(world.campaign, world.b, target=target, acting_user=world.admin)
    matrix = gap_matrix(world.admin, world.campaign, world.city)

    assert [row.empty_targets for row in matrix.rows] == [4, 2, 0]


def _problem_links(html: str) -> list[tuple[str, int]]:
    """``(href, count shown)`` of every link from the page to the problem list."""
    problems = reverse("ledger:problem-list")
    return [
        (unescape(href), int(count))
        for href, count in re.findall(rf'<a href="({problems}\?[^"]+)"[^>]*>(\d+)</a>', html)
    ]


@pytest.mark.parametrize("node", ["city", "a"])
def test_every_count_links_to_a_problem_list_of_exactly_that_count(client, world, node):
    client.force_login(world.admin)
    unit = getattr(world, node)
    html = client.get(MATRIX, {"campaign": world.campaign.slug, "unit": unit.pk}).content.decode()

    links = _problem_links(html)
    assert len(links) >= 6, "the matrix should link its counts"
    for href, count in links:
        listed = client.get(href)
        assert listed.status_code == 200, href
        assert listed.context["page_obj"].paginator.count == count, href


def test_links_name_campaign_unit_target_and_status(client, world):
    client.force_login(world.admin)
    html = client.get(MATRIX, {"campaign": world.campaign.slug}).content.decode()
    t1 = world.targets[0]

    hrefs = {href for href, _count in _problem_links(html)}
    base = f"/ledger/problems/?campaign={world.campaign.slug}"
    assert f"{base}&unit={world.a.pk}&target={t1.pk}&status=open" in hrefs
    assert f"{base}&unit={world.city.pk}&below=false&target={t1.pk}&status=open" in hrefs
    assert f"{base}&unit={world.city.pk}&target={t1.pk}&status=signed_off" in hrefs  # the total


def test_clicking_a_unit_recentres_the_matrix_with_a_breadcrumb_back(client, world):
    client.force_login(world.admin)
    html = client.get(MATRIX, {"campaign": world.campaign.slug}).content.decode()
    drill = f"?campaign={world.campaign.slug}&amp;unit={world.a.pk}"
    assert f'<a href="{drill}">东昌府区科协</a>' in html

    inside = client.get(MATRIX + unescape(drill)).content.decode()
    crumbs = re.search(r'<nav class="breadcrumb[^>]*>(.*?)</nav>', inside, re.S).group(1)
    assert f"unit={world.city.pk}" in crumbs and "市科协" in crumbs
    assert "<strong>东昌府区科协</strong>" in crumbs
    assert f'data-unit="{world.a1.pk}"' in inside and f'data-unit="{world.b.pk}"' not in inside


def test_county_admin_sees_their_county_by_default_and_no_other(client, world):
    client.force_login(world.admin_a)

    response = client.get(MATRIX)
    assert response.context["matrix"].node == world.a
    assert [row.unit for row in response.context["matrix"].rows] == [world.a, world.a1]
    assert client.get(MATRIX, {"unit": world.b.pk}).status_code == 404
    assert client.get(MATRIX, {"unit": world.city.pk}).status_code == 404
    assert client.get(MATRIX, {"unit": "x"}).status_code == 404
    assert client.get(MATRIX, {"campaign": "no-such-campaign"}).status_code == 404


def test_guidance_group_sees_only_its_units_and_only_for_their_campaign(client, world):
    member = make_user(world.city)
    make_guidance_group(
        world.city,
        members=[member.person],
        campaign=world.campaign,
        units=[world.a1],
        acting_user=world.admin,
    )
    client.force_login(member)

    response = client.get(MATRIX, {"campaign": world.campaign.slug})
    assert response.context["matrix"].node == world.a1
    assert _figures(response.context["matrix"]) == {
        "办公室 (own)": [(1, 1), None, (1, 0), None, None]
    }
    assert response.context["breadcrumb"] == []
    for unit in (world.a, world.city, world.b):
        forged = {"campaign": world.campaign.slug, "unit": unit.pk}
        assert client.get(MATRIX, forged).status_code == 404
    # Assigned for one campaign only: nothing of the unit in the other.
    other = {"campaign": world.other.slug, "unit": world.a1.pk}
    assert client.get(MATRIX, other).status_code == 404
    assert client.get(MATRIX, {"campaign": world.other.slug}).context.get("node") is None


def test_matrix_queries_do_not_grow_with_the_children(client, world, django_assert_max_num_queries):
    client.force_login(world.admin)
    params = {"campaign": world.campaign.slug}
    client.get(MATRIX, params)
    with CaptureQueriesContext(connection) as few:
        client.get(MATRIX, params)
    for n in range(6):
        county = make_unit(f"县{n}", parent=world.city)
        make_problem(world.campaign, county, acting_user=world.admin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MATRIX, params)
    assert len(response.context["matrix"].rows) == 3 + 6


def test_unit_and_target_names_are_rendered_inert(client, world):
    world.b.name = '<script>alert("x")</script>'
    world.b.save(update_fields=["name"])
    client.force_login(world.admin)
    html = client.get(MATRIX).content.decode()

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_other_campaign_problems_and_unassigned_children_stay_out(world):
    outsider = make_unit("外单位")
    matrix = gap_matrix(world.admin, world.other, world.city)

    assert _figures(matrix)["东昌府区科协"][0] == (1, 0)
    assert outsider not in [row.unit for row in matrix.rows]


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(MATRIX)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unit_administrator_role_is_not_needed_to_read(client, world):
    leader = make_user(world.b, Role.LEADER)
    client.force_login(leader)
    response = client.get(MATRIX)
    assert response.context["matrix"].node == world.b
