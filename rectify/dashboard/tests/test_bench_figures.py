"""The dashboard benchmark's floor, ``bench/ledger_figures.py``, counts the figures the page shows.

The benchmark times the dashboard against the aggregate SQL that counts its
figures straight from the ledger; these tests keep that SQL right as the
ledger changes (on the demo, for three scopes) and show that its check fails
when a figure differs.
"""

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F

from rectify.campaigns.models import Campaign
from rectify.dashboard.selectors import dashboard
from rectify.demo import data
from rectify.inspection.selectors.gaps import node_for
from rectify.ledger import pressure
from rectify.ledger.models import ExtensionRequest, ExtensionStatus, Measure, Tally
from rectify.ledger.services import measure_urge, unit_urge_red
from rectify.org.models import Unit

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[3] / "bench" / "ledger_figures.py"


@pytest.fixture(scope="module")
def ledger_figures():
    spec = importlib.util.spec_from_file_location("ledger_figures", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def campaign(monkeypatch):
    monkeypatch.setenv("RECTIFY_DEMO_PASSWORD", "demo-password")
    call_command("load_demo", quiet=True)
    return Campaign.objects.get(slug=data.CAMPAIGN["slug"])


def _board(campaign, username: str):
    user = get_user_model().objects.get(username=username)
    node, _roots = node_for(user, campaign, "")
    return dashboard(user, campaign, node)


@pytest.mark.parametrize("username", ["admin", "city", "dongchangfu"])
def test_the_ledger_counts_every_figure_the_dashboard_shows(ledger_figures, campaign, username):
    board = _board(campaign, username)
    assert board.totals.problems > 0 and board.totals.measures > 0
    ledger_figures.check(board)


def test_the_check_names_a_figure_that_differs(ledger_figures, campaign):
    board = _board(campaign, "dongchangfu")
    # A drifted tally: one problem too many against a target, in the county's own row.
    drifted = Tally.objects.filter(campaign=campaign, unit=board.node).first()
    Tally.objects.filter(pk=drifted.pk).update(problems=F("problems") + 1)
    with pytest.raises(AssertionError, match="problems"):
        ledger_figures.check(_board(campaign, "dongchangfu"))


def test_every_statement_is_sql_the_benchmark_can_replay(ledger_figures, campaign):
    board = _board(campaign, "city")
    for name, statement in ledger_figures.statements(board.campaign, board.node).items():
        sql, params = ledger_figures.sql_of(statement)
        assert sql.lstrip().upper().startswith("SELECT"), name
        assert sql.count("%s") == len(params), name


def test_the_ledger_ranks_the_most_pressed_measures_as_the_dashboard(ledger_figures, campaign):
    admin = get_user_model().objects.get(username="admin")
    city = Unit.objects.get(code="SD-LC")
    assert unit_urge_red(unit=city, message="逾期请说明", acting_user=admin) > 1
    # The demo's most urged measure, urged once more: the top of the list.
    red = Measure.objects.filter(urges__isnull=False).order_by("-urge_count", "pk").first()
    times = red.urge_count + 1
    extended = Measure.objects.filter(extension_count__gt=0).exclude(pk=red.pk).count()
    measure_urge(measure=red, message="请本周内报送", acting_user=admin)
    ExtensionRequest.objects.create(
        measure=red,
        old_deadline=red.deadline - dt.timedelta(days=10),
        new_deadline=red.deadline,
        reason="需协调",
        status=ExtensionStatus.APPROVED,
    )
    pressure.recount()  # the approved request was written around the service
    for username in ("admin", "dongchangfu"):
        board = _board(campaign, username)
        ledger_figures.check(board)
    board = _board(campaign, "admin")
    assert (board.most_urged.measures[0].pk, board.most_urged.measures[0].times) == (red.pk, times)
    assert board.most_extended.total == extended + 1
