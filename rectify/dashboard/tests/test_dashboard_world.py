"""The campaign dashboard on a small tree with known figures (see ``gaps_world``)."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import (
    make_guidance_group,
    make_measure,
    make_problem,
    make_unit,
    make_user,
)
from rectify.dashboard import selectors
from rectify.inspection.tests.gaps_world import build_world
from rectify.ledger import pressure
from rectify.ledger.models import ExtensionRequest, ExtensionStatus, Measure, MeasureStatus
from rectify.ledger.services import measure_urge

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard:campaign")
HOSTILE = "<script>alert('x')</script>整改"


@pytest.fixture
def world():
    world = build_world()
    overdue = make_measure(
        world.problems.a_open,
        content=HOSTILE,
        deadline=timezone.localdate() - dt.timedelta(days=3),
        acting_user=world.admin,
    )
    for _n in range(2):
        measure_urge(measure=overdue, message="请加快", acting_user=world.admin)
    pending = Measure.objects.filter(problem=world.problems.a1_half, status="not_started").get()
    measure_urge(measure=pending, message="请加快", acting_user=world.admin)
    ExtensionRequest.objects.create(
        measure=pending,
        old_deadline=pending.deadline,
        new_deadline=pending.deadline + dt.timedelta(days=10),
        reason="材料未齐",
        status=ExtensionStatus.APPROVED,
    )
    pressure.recount()  # the approved request was written around the service
    world.overdue, world.pending = overdue, pending
    return world


def test_figures_of_the_whole_tree(world):
    board = selectors.dashboard(world.admin, world.campaign, world.city)

    totals = board.totals
    assert (totals.problems, totals.problems_completed, totals.problems_signed_off) == (7, 1, 3)
    assert totals.measures == 9
    assert totals.measure_statuses["signed_off"] == 5
    assert round(totals.completion_rate, 3) == round(4 / 7, 3)
    assert board.lights["red"] == 1
    assert [m.pk for m in board.red_list] == [world.overdue.pk]
    assert {s.key: s.count for s in board.by_source}["other"] == 7
    assert sum(s.count for s in board.by_target) == 7
    assert [(row.unit.name, row.problems, row.red) for row in board.by_unit] == [
        ("市科协", 1, 0),
        ("东昌府区科协", 5, 1),
        ("临清市科协", 1, 0),
    ]
    assert board.most_urged.total == 2
    assert [(m.pk, m.times) for m in board.most_urged.measures] == [
        (world.overdue.pk, 2),
        (world.pending.pk, 1),
    ]
    assert [(m.pk, m.times) for m in board.most_extended.measures] == [(world.pending.pk, 1)]
    this_week = board.burndown[-1]
    assert this_week.open == 3  # in progress, not started, and the overdue one
    assert this_week.open == sum(totals.measure_statuses[s] for s in ("not_started", "in_progress"))
    assert this_week.signed_off == 5


def test_numbers_link_to_lists_that_count_the_same(client, world):
    member = make_user(world.city)
    make_guidance_group(
        world.city,
        members=[member.person],
        campaign=world.campaign,
        units=[world.a],
        acting_user=world.admin,
    )
    for user in (world.admin, world.admin_a, member):
        client.force_login(user)
        html = client.get(DASHBOARD, {"campaign": world.campaign.slug}).content.decode()
        links = re.findall(r'<a href="([^"]+)" data-count="(\d+)"', html)
        assert len(links) > 20
        for href, count in links:
            listed = client.get(unescape(href)).context["page_obj"].paginator.count
            assert listed == int(count), (user, href)


def test_guidance_group_reads_exactly_its_assigned_units(client, world):
    member = make_user(world.city)
    make_guidance_group(
        world.city,
        members=[member.person],
        campaign=world.campaign,
        units=[world.b],
        acting_user=world.admin,
    )
    client.force_login(member)

    board = client.get(DASHBOARD, {"campaign": world.campaign.slug}).context["board"]
    assert board.node == world.b
    assert (board.totals.problems, board.totals.measures, board.lights["red"]) == (1, 1, 0)
    for campaign, unit in ((world.campaign, world.a), (world.campaign, world.city)):
        forged = {"campaign": campaign.slug, "unit": unit.pk}
        assert client.get(DASHBOARD, forged).status_code == 404
    # Assigned in one campaign only: the other campaign shows nothing of B.
    other = client.get(DASHBOARD, {"campaign": world.other.slug, "unit": world.b.pk})
    assert other.status_code == 404


def test_hostile_text_is_shown_as_text(client, world):
    client.force_login(world.admin)
    html = client.get(DASHBOARD, {"campaign": world.campaign.slug}).content.decode()
    assert "<script>alert('x')" not in html
    assert "&lt;script&gt;alert(" in html


def test_selectors_refuse_a_node_out_of_scope(world):
    for figure in (selectors.totals, selectors.lights, selectors.by_unit, selectors.burndown):
        with pytest.raises(selectors.PermissionDenied):
            figure(world.admin_a, world.campaign, world.b)


def test_queries_do_not_grow_with_the_children(client, world, django_assert_max_num_queries):
    client.force_login(world.admin)
    params = {"campaign": world.campaign.slug}
    client.get(DASHBOARD, params)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD, params)
    for n in range(6):
        county = make_unit(f"县{n}", parent=world.city)
        problem = make_problem(world.campaign, county, acting_user=world.admin)
        make_measure(problem, acting_user=world.admin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(DASHBOARD, params)
    assert len(response.context["board"].by_unit) == 3 + 6
    assert response.context["board"].totals.measures == 9 + 6
    assert MeasureStatus.SIGNED_OFF in response.context["board"].totals.measure_statuses
