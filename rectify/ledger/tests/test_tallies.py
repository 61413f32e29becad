"""The ledger's tallies stay equal to the ledger through every kind of write, and can be rebuilt."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rectify.core.testing import make_measure, make_person, make_problem
from rectify.ledger import services, tallies
from rectify.ledger.models import Measure, MeasureKind, MeasureStatus, Problem, Tally
from rectify.ledger.services import MeasureDraft, ProblemDraft, ledger_bulk_create

pytestmark = pytest.mark.django_db


def assert_kept(campaign) -> None:
    assert tallies.stored([campaign.pk]) == tallies.expected([campaign.pk])


def row(campaign, unit, target) -> dict:
    """The stored counts of ``unit``'s subtree against ``target``, by column."""
    return tallies.of_subtree(campaign.pk, unit.pk, target.pk)


def signed_off(measure, user):
    return services.measure_set_status(
        measure=measure,
        status=MeasureStatus.SIGNED_OFF,
        expected_version=measure.version,
        acting_user=user,
    )


def test_a_problem_counts_in_its_unit_and_every_ancestor(city):
    first, second = city.campaign.targets.all()[:2]
    problem = make_problem(city.campaign, city.a, target=first, acting_user=city.admin_a)
    make_measure(problem, acting_user=city.admin_a)
    make_measure(problem, acting_user=city.admin_a)

    for unit in (city.a, city.city):
        counted = row(city.campaign, unit, first)
        assert {column: n for column, n in counted.items() if n} == {
            "problems": 1,
            "source_other": 1,
            "level_unit": 1,
            "measures": 2,
            "status_not_started": 2,
            "kind_deadline": 2,
        }
    assert row(city.campaign, city.b, first)["problems"] == 0
    assert row(city.campaign, city.city, second)["problems"] == 0
    assert_kept(city.campaign)


def test_signing_off_every_measure_signs_off_the_problem_and_reopening_takes_it_back(city):
    target = city.campaign.targets.first()
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    one = make_measure(problem, acting_user=city.admin_a)
    two = make_measure(problem, acting_user=city.admin_a)

    signed_off(one, city.sysadmin)
    assert row(city.campaign, city.city, target)["problems_signed_off"] == 0
    two = signed_off(two, city.sysadmin)
    counts = row(city.campaign, city.city, target)
    assert counts["problems_signed_off"] == 1
    assert counts["problems_done"] == 1
    assert counts["status_signed_off"] == 2
    assert_kept(city.campaign)

    services.measure_set_status(
        measure=two,
        status=MeasureStatus.IN_PROGRESS,
        expected_version=two.version,
        acting_user=city.sysadmin,
    )
    counts = row(city.campaign, city.city, target)
    assert (counts["problems_signed_off"], counts["status_signed_off"]) == (0, 1)
    assert (counts["problems_done"], counts["status_in_progress"]) == (0, 1)
    assert_kept(city.campaign)


def test_deleting_and_restoring_move_the_counts_and_nothing_else(city):
    target = city.campaign.targets.first()
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    kept = make_measure(problem, acting_user=city.admin_a)
    dropped = make_measure(problem, acting_user=city.admin_a)
    signed_off(kept, city.sysadmin)

    services.measure_delete(measure=dropped, acting_user=city.admin_a)
    # The one live measure left is signed off: so is the problem.
    assert row(city.campaign, city.a, target)["problems_signed_off"] == 1
    assert row(city.campaign, city.a, target)["measures"] == 1
    assert_kept(city.campaign)

    services.problem_delete(problem=problem, acting_user=city.admin_a)
    assert row(city.campaign, city.city, target)["problems"] == 0
    assert row(city.campaign, city.city, target)["measures"] == 0
    assert_kept(city.campaign)

    services.problem_restore(
        problem=Problem.all_objects.get(pk=problem.pk), acting_user=city.admin_a
    )
    assert row(city.campaign, city.city, target)["problems"] == 1
    assert_kept(city.campaign)

    services.measure_restore(
        measure=Measure.all_objects.get(pk=dropped.pk), acting_user=city.admin_a
    )
    assert row(city.campaign, city.city, target)["measures"] == 2
    assert row(city.campaign, city.city, target)["problems_signed_off"] == 0
    assert_kept(city.campaign)


def test_moving_a_problem_to_another_target_moves_its_counts(city):
    first, second = city.campaign.targets.all()[:2]
    problem = make_problem(city.campaign, city.a, target=first, acting_user=city.admin_a)
    make_measure(problem, acting_user=city.admin_a)

    services.problem_update(
        problem=problem, expected_version=problem.version, acting_user=city.admin_a, target=second
    )

    assert row(city.campaign, city.city, first)["problems"] == 0
    assert row(city.campaign, city.city, second)["measures"] == 1
    assert_kept(city.campaign)


def test_days_count_creation_completion_and_the_day_of_sign_off(city):
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    measure = make_measure(problem, acting_user=city.admin_a)
    today = timezone.localdate()
    assert tallies.days_of(city.campaign.pk, city.city.pk) == {today: (1, 0, 0)}

    signed_off(measure, city.sysadmin)
    assert tallies.days_of(city.campaign.pk, city.city.pk) == {today: (1, 1, 1)}
    assert_kept(city.campaign)


def test_a_measure_completed_before_it_was_created_counts_as_completed_when_created(city):
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    measure = signed_off(make_measure(problem, acting_user=city.admin_a), city.sysadmin)
    today = timezone.localdate()
    week_ago = today - dt.timedelta(days=7)
    Measure.objects.filter(pk=measure.pk).update(completed_on=week_ago)
    tallies.rebuild([city.campaign.pk])
    # Closed the day it is opened, never before: no day holds more closed than opened.
    assert tallies.days_of(city.campaign.pk, city.city.pk) == {today: (1, 1, 1)}

    measure.refresh_from_db()
    services.measure_set_status(
        measure=measure,
        status=MeasureStatus.COMPLETED,
        expected_version=measure.version,
        acting_user=city.sysadmin,
    )
    assert tallies.days_of(city.campaign.pk, city.city.pk) == {today: (1, 1, 0)}
    assert_kept(city.campaign)


def test_changing_a_measure_to_long_term_without_a_date_turns_it_grey(city):
    target = city.campaign.targets.first()
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    measure = make_measure(problem, acting_user=city.admin_a)

    services.measure_update(
        measure=measure,
        expected_version=measure.version,
        acting_user=city.admin_a,
        kind=MeasureKind.LONG_TERM,
        deadline=None,
    )

    counts = row(city.campaign, city.city, target)
    assert (counts["kind_long_term"], counts["kind_deadline"], counts["grey"]) == (1, 0, 1)
    assert_kept(city.campaign)


def test_a_refused_write_leaves_the_tallies_as_they_were(city):
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    measure = make_measure(problem, acting_user=city.admin_a)
    before = tallies.stored([city.campaign.pk])

    with pytest.raises(Exception):  # noqa: B017 -- whichever refusal, nothing may change
        services.measure_set_status(
            measure=measure,
            status=MeasureStatus.SIGNED_OFF,
            expected_version=measure.version - 1,
            acting_user=city.sysadmin,
        )

    assert tallies.stored([city.campaign.pk]) == before


def test_a_bulk_import_counts_what_it_writes(city):
    first, second = city.campaign.targets.all()[:2]
    person = make_person(city.a)
    deadline = timezone.localdate() + dt.timedelta(days=10)
    drafts = [
        ProblemDraft(
            unit_id=unit.pk,
            target_id=target.pk,
            description=f"问题{n}",
            measures=[
                MeasureDraft(
                    content=f"措施{n}-{m}",
                    responsible_persons=[person.pk],
                    deadline=deadline,
                    status=status,
                )
                for m, status in enumerate(statuses)
            ],
        )
        for n, (unit, target, statuses) in enumerate(
            [
                (city.a, first, [MeasureStatus.COMPLETED, MeasureStatus.NOT_STARTED]),
                (city.a, second, []),
                (city.b, first, [MeasureStatus.IN_PROGRESS]),
            ]
        )
    ]

    ledger_bulk_create(campaign=city.campaign, problems=drafts, acting_user=city.sysadmin)

    counted = row(city.campaign, city.city, first)
    assert {column: n for column, n in counted.items() if n} == {
        "problems": 2,
        "source_other": 2,
        "level_unit": 2,
        "measures": 3,
        "status_completed": 1,
        "status_not_started": 1,
        "status_in_progress": 1,
        "kind_deadline": 3,
    }
    today = timezone.localdate()
    assert tallies.days_of(city.campaign.pk, city.city.pk) == {today: (3, 1, 0)}
    assert row(city.campaign, city.a, second)["problems"] == 1
    assert_kept(city.campaign)


def test_a_bulk_import_counts_done_signed_off_and_grey_measures(city):
    target = city.campaign.targets.first()
    person = make_person(city.a)
    deadline = timezone.localdate() + dt.timedelta(days=10)

    def measure(status, kind=MeasureKind.DEADLINE, due=deadline):
        return MeasureDraft(
            content="措施", responsible_persons=[person.pk], kind=kind, deadline=due, status=status
        )

    drafts = [
        ProblemDraft(
            unit_id=city.a.pk,
            target_id=target.pk,
            description="全部销号",
            measures=[measure(MeasureStatus.SIGNED_OFF), measure(MeasureStatus.CONFIRMED)],
        ),
        ProblemDraft(
            unit_id=city.a.pk,
            target_id=target.pk,
            description="长期坚持",
            measures=[
                measure(MeasureStatus.IN_PROGRESS, MeasureKind.LONG_TERM, None),
                measure(MeasureStatus.SIGNED_OFF, MeasureKind.LONG_TERM, None),
            ],
        ),
        ProblemDraft(unit_id=city.b.pk, target_id=target.pk, description="尚无措施"),
    ]

    ledger_bulk_create(campaign=city.campaign, problems=drafts, acting_user=city.sysadmin)

    counted = row(city.campaign, city.city, target)
    assert counted["problems"] == 3
    assert counted["problems_done"] == 1
    assert counted["problems_signed_off"] == 0
    assert counted["grey"] == 2
    assert counted["status_signed_off"] == 2
    today = timezone.localdate()
    assert tallies.days_of(city.campaign.pk, city.a.pk) == {today: (4, 3, 2)}
    assert_kept(city.campaign)


def test_the_demo_campaign_is_tallied_as_its_ledger(db):
    call_command("load_demo", stdout=StringIO())
    campaign_ids = list(Tally.objects.values_list("campaign_id", flat=True).distinct())
    assert campaign_ids
    assert tallies.stored(campaign_ids) == tallies.expected(campaign_ids)


def test_the_command_finds_drift_and_rebuilds(city):
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    make_measure(problem, acting_user=city.admin_a)
    out = StringIO()
    call_command("rebuild_tallies", "--check", stdout=out)
    assert "match the ledger" in out.getvalue()

    Tally.objects.filter(unit=city.city).update(problems=7)
    with pytest.raises(CommandError, match="differ from the ledger"):
        call_command("rebuild_tallies", "--check", stdout=StringIO())

    call_command("rebuild_tallies", "--campaign", city.campaign.slug, stdout=StringIO())
    assert_kept(city.campaign)
    with pytest.raises(CommandError, match="No campaign"):
        call_command("rebuild_tallies", "--campaign", "no-such-campaign", stdout=StringIO())
