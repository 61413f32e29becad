"""The pipeline (以学促研、以研促查、以查促改): each stage counted per unit of a scope."""

import re
from html import unescape

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import (
    make_guidance_group,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.dashboard.selectors import pipeline
from rectify.inspection.services.findings import record_finding
from rectify.inspection.services.research import topic_create
from rectify.inspection.tests.gaps_world import build_world
from rectify.ledger.models import Source
from rectify.study.services import meeting_create

pytestmark = pytest.mark.django_db

PIPELINE = reverse("dashboard:pipeline")


@pytest.fixture
def world():
    world = build_world()
    for unit, title in ((world.a1, "基层科协调研"), (world.a, "县级调研"), (world.b, "学会调研")):
        topic_create(
            campaign=world.campaign,
            unit=unit,
            title=title,
            lead=make_person(unit),
            acting_user=world.admin,
        )
    # Two study sessions in 东昌府区's subtree and a meeting that does not count as study.
    for unit, counts in ((world.a, True), (world.a1, True), (world.b, False)):
        meeting_create(
            campaign=world.campaign,
            unit=unit,
            title="集中学习",
            starts_at=timezone.now(),
            counts_for_coverage=counts,
            acting_user=world.admin,
        )
    for unit in (world.city, world.a1, world.a1, world.b):
        with transaction.atomic():
            record_finding(
                campaign=world.campaign,
                unit=unit,
                source=Source.SELF_EXAMINATION,
                text="发现",
                acting_user=world.admin,
            )
    return world


def _rows(result) -> dict:
    stages = ("study_sessions", "research_topics", "findings", "problems", "measures", "signed_off")
    return {
        (f"{row.unit} (own)" if row.own else str(row.unit)): [getattr(row, s) for s in stages]
        for row in result.rows
    }


def test_pipeline_counts_every_stage_per_child_subtree(world):
    result = pipeline(world.admin, world.campaign, world.city)

    # study, research, findings, problems, measures (live), problems signed off
    assert _rows(result) == {
        "市科协 (own)": [0, 0, 1, 1, 0, 0],
        "东昌府区科协": [2, 2, 2, 5, 7, 2],
        "临清市科协": [0, 1, 1, 1, 1, 1],
    }
    total = result.total
    assert (total.research_topics, total.findings, total.problems, total.measures) == (3, 4, 7, 8)
    assert total.signed_off == 3


def test_pipeline_links_list_exactly_the_counts_shown(client, world):
    client.force_login(world.admin)
    html = client.get(PIPELINE, {"campaign": world.campaign.slug}).content.decode()
    links = re.findall(r'<a href="(/(?:ledger|inspection)/[^"]+\?[^"]+)">(\d+)</a>', html)

    assert len(links) >= 7
    for href, count in links:
        listed = client.get(unescape(href))
        assert listed.status_code == 200, href
        assert listed.context["page_obj"].paginator.count == int(count), href


def test_pipeline_page_shows_the_study_column_and_drills_down(client, world):
    client.force_login(world.admin)
    response = client.get(PIPELINE, {"campaign": world.campaign.slug, "unit": world.a.pk})

    html = response.content.decode()
    assert "学习" in html or "Study" in html
    assert [row.unit for row in response.context["pipeline"].rows] == [world.a, world.a1]
    crumbs = re.search(r'<nav class="breadcrumb.*?</nav>', html, re.S).group(0)
    assert f"unit={world.city.pk}" in crumbs


def test_county_admin_reads_only_their_county(client, world):
    client.force_login(world.admin_a)

    assert client.get(PIPELINE).context["pipeline"].node == world.a
    assert client.get(PIPELINE, {"unit": world.b.pk}).status_code == 404
    assert client.get(PIPELINE, {"unit": world.city.pk}).status_code == 404


def test_guidance_group_reads_only_its_assigned_units(client, world):
    member = make_user(world.city)
    make_guidance_group(
        world.city,
        members=[member.person],
        campaign=world.campaign,
        units=[world.b],
        acting_user=world.admin,
    )
    client.force_login(member)

    response = client.get(PIPELINE, {"campaign": world.campaign.slug})
    assert _rows(response.context["pipeline"]) == {"临清市科协 (own)": [0, 1, 1, 1, 1, 1]}
    for campaign, unit in ((world.campaign, world.a), (world.other, world.b)):
        forged = {"campaign": campaign.slug, "unit": unit.pk}
        assert client.get(PIPELINE, forged).status_code == 404


def test_pipeline_queries_do_not_grow_with_the_children(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.admin)
    params = {"campaign": world.campaign.slug}
    client.get(PIPELINE, params)
    with CaptureQueriesContext(connection) as few:
        client.get(PIPELINE, params)
    for n in range(5):
        county = make_unit(f"县{n}", parent=world.city)
        make_problem(world.campaign, county, acting_user=world.admin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PIPELINE, params)
    assert len(response.context["pipeline"].rows) == 3 + 5
