"""Random walks through the sign-off workflow, with its invariants checked after every step.

A hypothesis state machine creates problems and measures and lets random
people report, submit, confirm, accept, send back, reopen, delete and restore.
Refused actions must change nothing; after every step:

- no problem reads signed off while one of its live measures is not;
- every signed-off measure's last acceptance was made by an allowed reviewer;
- the measure's history shows every status its reviews moved it to, in order;
- the lights computed in SQL agree with a plain-Python reference.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from rectify.core.services import StaleEditError
from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_guidance_group,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger import services, tallies
from rectify.ledger.models import (
    DONE_STATUSES,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    ProblemStatus,
    ReviewAction,
)
from rectify.ledger.selectors import problems_visible_to, with_light
from rectify.org.models import Role

TODAY = timezone.localdate()
REFUSED = (PermissionDenied, ValidationError, StaleEditError)
ACTORS = ("admin", "leader", "guide", "zeren", "other", "root")
#: One decision in four is made on a version someone else has already moved past.
STALE = st.sampled_from([False, False, False, True])


def mostly(*expected: str):
    """Usually one of the people expected to act, sometimes anyone (who must be refused)."""
    return st.one_of(st.sampled_from(expected), st.sampled_from(ACTORS))


def reference_light(measure: Measure, warning_days: int) -> str:
    """The light rules of DESIGN.md, in plain Python."""
    if measure.kind == MeasureKind.LONG_TERM and measure.deadline is None:
        return "grey"
    if measure.status in DONE_STATUSES:
        return "green"
    if measure.deadline < TODAY:
        return "red"
    if measure.deadline <= TODAY + dt.timedelta(days=warning_days):
        return "yellow"
    return "green"


class SignOffMachine(RuleBasedStateMachine):
    problems = Bundle("problems")
    measures = Bundle("measures")
    #: Successful decisions by action over the whole run, so the test can prove it got far.
    reached: dict[str, int] = {}

    def __init__(self):
        super().__init__()
        # Each example runs in a savepoint that teardown() rolls back.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        city = make_unit("市科协")
        self.county = make_unit("东昌府区科协", parent=city)
        self.campaign = make_campaign(city, sign_off_levels=2)
        self.root = make_admin()
        self.users = {
            "admin": make_user(self.county, Role.UNIT_ADMIN),
            "leader": make_user(self.county, Role.LEADER),
            "guide": make_user(make_unit("指导组驻地", parent=city)),
            "zeren": make_user(self.county),
            "other": make_user(self.county),
            "root": self.root,
        }
        make_guidance_group(
            city, members=[self.users["guide"].person], campaign=self.campaign, units=[city]
        )

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _try(self, measure: Measure, call) -> None:
        """Run a workflow call; a refusal must leave the measure exactly as it was."""
        before = Measure.all_objects.values("status", "version", "deleted_at").get(pk=measure.pk)
        try:
            with transaction.atomic():
                result = call()
        except REFUSED:
            after = Measure.all_objects.values("status", "version", "deleted_at").get(pk=measure.pk)
            assert after == before
        else:
            # A review's action, or a deadline request's status after the call.
            outcome = getattr(result, "action", None) or getattr(result, "status", None)
            if outcome:
                self.reached[outcome] = self.reached.get(outcome, 0) + 1

    @rule(target=problems)
    def create_problem(self):
        return make_problem(
            self.campaign,
            self.county,
            found_on=TODAY - dt.timedelta(days=60),
            acting_user=self.users["admin"],
        )

    @rule(
        target=measures,
        problem=problems,
        kind=st.sampled_from(MeasureKind.values),
        days=st.integers(min_value=-30, max_value=30),
        answers=st.sampled_from(["zeren", "leader"]),
    )
    def create_measure(self, problem, kind, days, answers):
        deadline = None if kind == MeasureKind.LONG_TERM else TODAY + dt.timedelta(days=days)
        return services.measure_create(
            problem=problem,
            content="措施",
            kind=kind,
            deadline=deadline,
            responsible_persons=[self.users[answers].person],
            acting_user=self.users["admin"],
        )

    @rule(measure=measures, actor=mostly("zeren"))
    def progress(self, measure, actor):
        self._try(
            measure,
            lambda: services.progress_record(
                measure=Measure.all_objects.get(pk=measure.pk),
                text="进展",
                acting_user=self.users[actor],
            ),
        )

    @rule(measure=measures, actor=mostly("zeren", "leader"), with_file=st.booleans())
    def submit(self, measure, actor, with_file):
        fresh = Measure.all_objects.get(pk=measure.pk)
        files = [SimpleUploadedFile("a.pdf", b"%PDF")] if with_file else []
        self._try(
            fresh,
            lambda: services.measure_submit(
                measure=fresh,
                statement="完成",
                files=files,
                mechanism="长效机制",
                expected_version=fresh.version,
                acting_user=self.users[actor],
            ),
        )

    def _decide(self, measure, actor, action, stale):
        fresh = Measure.all_objects.get(pk=measure.pk)
        user = self.root if actor == "root" else self.users[actor]
        version = fresh.version - 1 if stale else fresh.version
        calls = {
            ReviewAction.CONFIRM: lambda: services.measure_confirm(
                measure=fresh, expected_version=version, acting_user=user
            ),
            ReviewAction.ACCEPT: lambda: services.measure_accept(
                measure=fresh, expected_version=version, acting_user=user
            ),
            ReviewAction.SEND_BACK: lambda: services.measure_send_back(
                measure=fresh, reason="不到位", expected_version=version, acting_user=user
            ),
            ReviewAction.REOPEN: lambda: services.measure_reopen(
                measure=fresh, reason="反弹", expected_version=version, acting_user=user
            ),
        }
        self._try(fresh, calls[action])

    @rule(measure=measures, actor=mostly("leader"), stale=STALE)
    def confirm(self, measure, actor, stale):
        self._decide(measure, actor, ReviewAction.CONFIRM, stale)

    @rule(measure=measures, actor=mostly("guide"), stale=STALE)
    def accept(self, measure, actor, stale):
        self._decide(measure, actor, ReviewAction.ACCEPT, stale)

    @rule(measure=measures, actor=mostly("leader", "guide"), stale=STALE)
    def send_back(self, measure, actor, stale):
        self._decide(measure, actor, ReviewAction.SEND_BACK, stale)

    @rule(measure=measures, actor=mostly("guide", "admin"), stale=STALE)
    def reopen(self, measure, actor, stale):
        self._decide(measure, actor, ReviewAction.REOPEN, stale)

    @rule(
        measure=measures,
        ending=st.sampled_from(["submitted", "sent back", "confirmed", "signed off", "reopened"]),
    )
    def follow_the_expected_path(self, measure, ending):
        """Submit as whoever answers, then decide as the people whose turn it is."""
        fresh = Measure.all_objects.get(pk=measure.pk)
        leader_answers = fresh.responsible_persons.filter(user=self.users["leader"]).exists()
        self.submit(measure, "leader" if leader_answers else "zeren", with_file=True)
        if ending == "sent back":
            self.send_back(measure, "leader", stale=False)
        if ending in ("confirmed", "signed off", "reopened"):
            self.confirm(measure, "leader", stale=False)
        if ending in ("signed off", "reopened"):
            self.accept(measure, "guide", stale=False)
        if ending == "reopened":
            self.reopen(measure, "guide", stale=False)

    @rule(
        measure=measures,
        asker=mostly("zeren", "leader"),
        decider=mostly("leader"),
        days=st.integers(min_value=-3, max_value=40),
        approve=st.sampled_from([True, True, False]),
    )
    def extend(self, measure, asker, decider, days, approve):
        """Ask for a deadline change and decide it; lights must follow the current deadline."""
        fresh = Measure.all_objects.get(pk=measure.pk)
        if fresh.deadline is None:
            return
        new = fresh.deadline + dt.timedelta(days=days)
        self._try(
            fresh,
            lambda: services.extension_request(
                measure=fresh, new_deadline=new, reason="协调", acting_user=self.users[asker]
            ),
        )
        pending = fresh.extensions.filter(status="pending").first()
        if pending is not None:
            fresh = Measure.all_objects.get(pk=measure.pk)
            self._try(
                fresh,
                lambda: services.extension_decide(
                    request=pending,
                    approve=approve,
                    expected_version=fresh.version,
                    acting_user=self.users[decider],
                ),
            )

    @rule(measure=measures, delete=st.booleans())
    def delete_or_restore(self, measure, delete):
        fresh = Measure.all_objects.get(pk=measure.pk)
        service = services.measure_delete if delete else services.measure_restore
        self._try(fresh, lambda: service(measure=fresh, acting_user=self.users["admin"]))

    @invariant()
    def no_problem_closed_with_an_open_measure(self):
        problems = problems_visible_to(self.root).filter(campaign=self.campaign)
        for problem in problems:
            statuses = list(
                Measure.objects.filter(problem=problem).values_list("status", flat=True)
            )
            signed = bool(statuses) and all(s == MeasureStatus.SIGNED_OFF for s in statuses)
            assert (problem.derived_status == ProblemStatus.SIGNED_OFF) == signed
        assert Problem.objects.filter(campaign=self.campaign).count() == problems.count()
        # The tallies the gap matrix and the dashboard read count the same problems.
        assert tallies.stored([self.campaign.pk]) == tallies.expected([self.campaign.pk])

    @invariant()
    def every_sign_off_has_an_allowed_acceptance(self):
        allowed = {self.users["guide"].pk, self.root.pk}
        for measure in Measure.all_objects.filter(status=MeasureStatus.SIGNED_OFF):
            last = measure.reviews.last()
            assert last.action == ReviewAction.ACCEPT and last.to_status == MeasureStatus.SIGNED_OFF
            assert last.actor_id in allowed
            assert not measure.responsible_persons.filter(user_id=last.actor_id).exists()

    @invariant()
    def history_shows_every_transition(self):
        for measure in Measure.all_objects.all():
            statuses = list(
                measure.history.order_by("history_date", "history_id").values_list(
                    "status", flat=True
                )
            )
            remaining = iter(statuses)
            for review in measure.reviews.all():
                assert review.to_status in remaining, (review.to_status, statuses)

    @invariant()
    def lights_agree_with_the_reference(self):
        for measure in with_light(Measure.objects.all()):
            assert measure.light == reference_light(measure, self.campaign.warning_days)


@pytest.mark.django_db
def test_sign_off_workflow_keeps_its_invariants():
    SignOffMachine.reached = {}
    run_state_machine_as_test(
        SignOffMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            # Same walks on every run: CI stays reproducible and the coverage check below stable.
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # The walks must have gone through the whole workflow, or the invariants proved little.
    # Deadline requests must have been made too; their decisions are covered in test_extensions.
    expected = {*ReviewAction.values, "pending"}
    assert expected <= set(SignOffMachine.reached), SignOffMachine.reached
