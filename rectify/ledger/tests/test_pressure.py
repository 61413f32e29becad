"""A measure's counters of urges and approved extensions: kept by the services, never lost."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rectify.ledger import pressure
from rectify.ledger.models import ExtensionRequest, ExtensionStatus, Measure, Urge
from rectify.ledger.services import (
    extension_decide,
    extension_request,
    measure_update,
    measure_urge,
    unit_urge_red,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(urging_county):
    return urging_county


def _counters(measure) -> tuple[int, int]:
    measure.refresh_from_db()
    return measure.urge_count, measure.extension_count


def test_urging_one_measure_or_a_unit_counts_on_each_measure_and_writes_no_history(world):
    first, second = world["red"]
    history = Measure.history.count()
    measure_urge(measure=first, message="请加快", acting_user=world["leader"])
    measure_urge(measure=first, message="本周内报送", acting_user=world["leader"])
    assert unit_urge_red(unit=world["county"], message="逾期请说明", acting_user=world["leader"])
    assert _counters(first) == (3, 0)
    assert _counters(second) == (1, 0)
    assert _counters(world["later"]) == (0, 0)
    # An urge is not an edit of the measure: its history and version stay as they were.
    assert Measure.history.count() == history
    assert first.version == 1


def test_an_approved_extension_counts_a_refused_one_does_not(world):
    measure, leader = world["red"][0], world["leader"]

    def ask(days):
        return extension_request(
            measure=measure,
            new_deadline=TODAY + dt.timedelta(days=days),
            reason="需协调外部单位",
            acting_user=world["zeren"],
        )

    extension_decide(
        request=ask(10), approve=False, expected_version=measure.version, acting_user=leader
    )
    assert _counters(measure) == (0, 0)
    extension_decide(
        request=ask(20), approve=True, expected_version=measure.version, acting_user=leader
    )
    assert _counters(measure) == (0, 1)


def test_saving_a_measure_loaded_before_an_urge_keeps_the_urge_counted(world):
    loaded = Measure.objects.get(pk=world["later"].pk)
    measure_urge(measure=world["later"], message="请加快", acting_user=world["leader"])
    measure_update(
        measure=loaded,
        content="修订后的措施",
        expected_version=loaded.version,
        acting_user=world["admin"],
    )
    loaded.refresh_from_db()
    assert (loaded.content, loaded.urge_count) == ("修订后的措施", 1)


def test_recount_sets_the_counters_from_the_rows_and_only_rewrites_what_drifted(world):
    first, second = world["red"]
    later = world["later"]
    measure_urge(measure=first, message="请加快", acting_user=world["leader"])
    # Rows written around the services (a bulk load), and a counter gone wrong.
    Urge.objects.create(measure=second, message="批量导入的催办")
    ExtensionRequest.objects.create(
        measure=second,
        old_deadline=second.deadline - dt.timedelta(days=5),
        new_deadline=second.deadline,
        reason="导入",
        status=ExtensionStatus.APPROVED,
    )
    ExtensionRequest.objects.create(
        measure=later,
        old_deadline=later.deadline,
        new_deadline=later.deadline + dt.timedelta(days=5),
        reason="导入",
        status=ExtensionStatus.REFUSED,
    )
    Measure.objects.filter(pk=later.pk).update(urge_count=7)

    assert pressure.recount() == 2
    assert [_counters(m) for m in (first, second, later)] == [(1, 0), (1, 1), (0, 0)]
    assert pressure.recount() == 0


def test_the_tallies_command_finds_and_mends_miscounted_measures(world):
    measure = world["red"][0]
    measure_urge(measure=measure, message="请加快", acting_user=world["leader"])
    call_command("rebuild_tallies", "--check", stdout=StringIO())
    Measure.objects.filter(pk=measure.pk).update(urge_count=0)
    with pytest.raises(CommandError, match="1 measures' counts of urges"):
        call_command("rebuild_tallies", "--check", stdout=StringIO())
    out = StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert "1 measures' counts of urges and extensions corrected" in out.getvalue()
    assert _counters(measure) == (1, 0)
    call_command("rebuild_tallies", "--check", stdout=StringIO())
