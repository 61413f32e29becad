"""The measure table's rows: what a row shows, read as values and written as escaped HTML."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
)
from rectify.ledger.models import Measure, MeasureKind
from rectify.ledger.rows import measure_rows, render_rows
from rectify.ledger.selectors import measures_visible_to, with_light
from rectify.ledger.services.urging import measure_urge
from rectify.org.models import Person

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def world():
    root = make_unit("市科协")
    unit = make_unit(f"县科协{SCRIPT}", parent=root)
    campaign = make_campaign(root)
    admin = make_admin()
    problem = make_problem(campaign, unit, description=f"问题{SCRIPT}" + "长" * 60)
    wang, li = make_person(unit, "王五"), make_person(unit, f"李四{SCRIPT}")
    measure = make_measure(problem, content=f"措施{SCRIPT}", persons=[wang, li], acting_user=admin)
    return {"admin": admin, "unit": unit, "problem": problem, "measure": measure, "wang": wang}


def test_hostile_text_in_every_cell_is_escaped(world, client):
    client.force_login(world["admin"])
    for url in (
        reverse("ledger:measure-list"),
        reverse("ledger:person-responsibilities", args=[world["wang"].pk]),
        world["problem"].get_absolute_url(),
    ):
        html = client.get(url).text
        assert "<script>alert" not in html, url
        assert "措施&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_a_row_reads_what_the_model_would_show(world):
    measure = world["measure"]
    [row] = measure_rows(measures_visible_to(world["admin"]).filter(pk=measure.pk))
    assert (row.pk, row.unit_id) == (measure.pk, measure.unit_id)
    assert row.problem_id == measure.problem_id
    assert row.unit == str(world["unit"])
    assert row.problem == str(world["problem"])  # the first 40 characters
    assert row.content == measure.content
    assert row.deadline == measure.deadline
    assert row.light == "green"
    assert set(row.persons) == {"王五", f"李四{SCRIPT}"}
    assert (row.urge_count, row.last_urged_at, row.extension_count) == (0, None, 0)


def test_a_deleted_person_is_no_longer_named(world):
    Person.all_objects.filter(pk=world["wang"].pk).update(deleted_at=timezone.now())
    [row] = measure_rows(measures_visible_to(world["admin"]).filter(pk=world["measure"].pk))
    assert row.persons == (f"李四{SCRIPT}",)


def test_urges_show_their_count_and_local_day(world):
    measure = world["measure"]
    measure_urge(measure=measure, message="请加快", acting_user=world["admin"])
    measure_urge(measure=measure, message="再催", acting_user=world["admin"])
    [row] = measure_rows(measures_visible_to(world["admin"]).filter(pk=measure.pk))
    assert row.urge_count == 2
    html = render_rows([row], supervision=True)
    day = timezone.localtime(row.last_urged_at).date().isoformat()
    assert f'<td class="num urge-count">2 <span class="muted">({day})</span></td>' in html
    assert '<td class="num extension-count">0</td>' in html


def test_columns_follow_the_table_switches(world):
    problem = world["problem"]
    long_term = make_measure(problem, kind=MeasureKind.LONG_TERM, deadline=None)
    rows = measure_rows(measures_visible_to(world["admin"]).filter(pk=long_term.pk).order_by("pk"))
    cells = lambda html: re.findall(r"<td[^>]*>", html)  # noqa: E731
    in_problem = render_rows(rows, in_problem=True)
    assert len(cells(in_problem)) == 7  # no., measure, kind, deadline, persons, status, light
    assert "<td></td>" in in_problem  # a long-term measure has no deadline
    assert 'class="light light-grey"' in in_problem
    assert len(cells(render_rows(rows, show_campaign=True, supervision=True))) == 12


def test_an_empty_table_says_so():
    with translation.override("en"):
        assert "No measures match." in render_rows([])
    with translation.override("zh-hans"):
        assert "没有符合条件的整改措施。" in render_rows([])
    assert measure_rows(with_light(Measure.objects.none())) == []


def test_rows_cost_the_same_queries_whatever_their_number(world, django_assert_num_queries):
    problem = world["problem"]
    for _ in range(5):
        make_measure(problem, persons=[world["wang"]])
    page = measures_visible_to(world["admin"]).order_by("pk")
    with django_assert_num_queries(2):  # rows with their counters, names
        assert len(measure_rows(page[:2])) == 2
    with django_assert_num_queries(2):
        assert len(measure_rows(page[:6])) == 6
    for measure in Measure.objects.filter(problem=problem):
        measure_urge(measure=measure, message="请加快", acting_user=world["admin"])
    with django_assert_num_queries(3):  # and when the urged rows were last urged
        assert len(measure_rows(page[:2])) == 2
    with django_assert_num_queries(3):
        assert all(row.last_urged_at for row in measure_rows(page[:6]))
