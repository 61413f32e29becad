"""No recent progress (无近期进展): open measures with no report within the campaign's window."""

import datetime as dt

import pytest
from django.utils import timezone

from rectify.core.testing import make_admin, make_campaign, make_measure, make_problem, make_unit
from rectify.ledger.lights import stalled_q
from rectify.ledger.models import Measure, MeasureStatus, ProgressNote

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _aged(measure, days):
    Measure.objects.filter(pk=measure.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )
    return measure


@pytest.fixture
def measures():
    root = make_unit("市科协")
    campaign = make_campaign(root)  # the default window: 14 days
    problem = make_problem(campaign, root, found_on=TODAY - dt.timedelta(days=60))
    silent = _aged(make_measure(problem, content="久无进展"), 20)
    reported = _aged(make_measure(problem, content="近期有进展"), 20)
    ProgressNote.objects.create(
        measure=reported, text="进展", reported_on=TODAY - dt.timedelta(days=5)
    )
    old_report = _aged(make_measure(problem, content="进展过旧"), 40)
    ProgressNote.objects.create(
        measure=old_report, text="进展", reported_on=TODAY - dt.timedelta(days=35)
    )
    new = make_measure(problem, content="新措施")
    done = _aged(make_measure(problem, content="已完成", status=MeasureStatus.COMPLETED), 20)
    return {
        "campaign": campaign,
        "silent": silent,
        "old": old_report,
        "others": (reported, new, done),
    }


def test_only_open_measures_silent_past_the_window_are_flagged(measures):
    flagged = set(Measure.objects.filter(stalled_q()))
    assert flagged == {measures["silent"], measures["old"]}


def test_the_window_is_the_campaigns(measures):
    measures["campaign"].progress_stale_days = 30
    measures["campaign"].save()
    assert set(Measure.objects.filter(stalled_q())) == {measures["old"]}


def test_the_measure_list_filters_and_counts_them(client, measures):
    client.force_login(make_admin())
    page = client.get("/ledger/measures/")
    assert page.context["stalled"] == 2
    assert "无近期进展" in page.content.decode()
    page = client.get("/ledger/measures/", {"stalled": "true"})
    assert {m.content for m in page.context["page_obj"]} == {"久无进展", "进展过旧"}


@pytest.mark.parametrize("windows", ["one window", "several windows"])
@pytest.mark.parametrize(
    ("local_time", "flagged"),
    [((23, 59), True), ((0, 0), False), ((0, 30), False)],
)
def test_the_window_opens_at_local_midnight(measures, local_time, flagged, windows):
    """The edge is a local day: 00:30 in Beijing is the previous day in UTC, and still
    counts as created on the window's first day. With several windows each row's
    campaign sets it; with one, it is a constant: the same edge."""
    if windows == "several windows":
        make_campaign(make_unit("县科协"), progress_stale_days=30)
    first_day = TODAY - dt.timedelta(days=14)
    day = first_day - dt.timedelta(days=1) if local_time == (23, 59) else first_day
    created = timezone.make_aware(dt.datetime.combine(day, dt.time(*local_time)))
    edge = measures["silent"]
    Measure.objects.filter(pk=edge.pk).update(created_at=created)
    assert Measure.objects.filter(stalled_q(), pk=edge.pk).exists() is flagged
    assert Measure.objects.filter(created_at__date__lt=first_day, pk=edge.pk).exists() is flagged


def test_each_campaign_keeps_its_own_window(measures):
    other = make_campaign(make_unit("县科协"), name="另一次活动")
    other.progress_stale_days = 30
    other.save()
    problem = make_problem(other, other.organizer, found_on=TODAY - dt.timedelta(days=60))
    quiet = _aged(make_measure(problem, content="二十天无进展"), 20)
    older = _aged(make_measure(problem, content="四十天无进展"), 40)
    flagged = set(Measure.objects.filter(stalled_q()))
    assert measures["silent"] in flagged and older in flagged and quiet not in flagged
