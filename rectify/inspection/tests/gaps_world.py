"""A small tree with known problems, open and signed off, for the gap matrix and pipeline tests.

::

    市科协 (campaign over it)            own: p_city (target 1, no measure: open)
    ├── 东昌府区科协 (county A)           p_a_signed (t1, signed off), p_a_open (t2, in progress)
    │   └── 办公室 (section A1)           p_a1_signed (t1, 2 measures signed off),
    │                                    p_a1_half (t1, 1 of 2 signed off: open),
    │                                    p_a1_done (t3, completed, not signed off: open)
    └── 临清市科协 (county B)             p_b_signed (t2, signed off; a deleted measure is ignored),
                                         a deleted problem (t1) that counts nowhere

A second campaign over the city holds one problem of A1 that the first never counts.
"""

from types import SimpleNamespace

from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import MeasureStatus
from rectify.ledger.services import measure_delete, measure_set_status, problem_delete
from rectify.org.models import Role, UnitKind


def set_status(measure, status: str, admin):
    """Move ``measure`` to ``status`` as a system administrator (the ledger's own service)."""
    measure.refresh_from_db()
    return measure_set_status(
        measure=measure, status=status, expected_version=measure.version, acting_user=admin
    )


def signed_off_measure(problem, admin):
    """A measure of ``problem``, signed off."""
    return set_status(make_measure(problem, acting_user=admin), MeasureStatus.SIGNED_OFF, admin)


def build_world() -> SimpleNamespace:
    """See the module's docstring."""
    admin = make_admin()
    city = make_unit("市科协", kind=UnitKind.CITY)
    a = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY)
    a1 = make_unit("办公室", parent=a, kind=UnitKind.OFFICE)
    b = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY)
    campaign = make_campaign(city, acting_user=admin)
    t1, t2, t3, t4, t5 = campaign.targets.order_by("order")

    def problem(unit, target):
        return make_problem(campaign, unit, target=target, acting_user=admin)

    p_city = problem(city, t1)
    p_a_signed = problem(a, t1)
    signed_off_measure(p_a_signed, admin)
    p_a_open = problem(a, t2)
    set_status(make_measure(p_a_open, acting_user=admin), MeasureStatus.IN_PROGRESS, admin)
    p_a1_signed = problem(a1, t1)
    signed_off_measure(p_a1_signed, admin)
    signed_off_measure(p_a1_signed, admin)
    p_a1_half = problem(a1, t1)
    signed_off_measure(p_a1_half, admin)
    make_measure(p_a1_half, acting_user=admin)
    p_a1_done = problem(a1, t3)
    set_status(make_measure(p_a1_done, acting_user=admin), MeasureStatus.COMPLETED, admin)
    p_b_signed = problem(b, t2)
    signed_off_measure(p_b_signed, admin)
    measure_delete(measure=make_measure(p_b_signed, acting_user=admin), acting_user=admin)
    problem_delete(problem=problem(b, t1), acting_user=admin)

    other = make_campaign(city, acting_user=admin)
    make_problem(other, a1, target=other.targets.first(), acting_user=admin)

    return SimpleNamespace(
        admin=admin,
        city=city,
        a=a,
        a1=a1,
        b=b,
        campaign=campaign,
        other=other,
        targets=[t1, t2, t3, t4, t5],
        problems=SimpleNamespace(
            city=p_city,
            a_signed=p_a_signed,
            a_open=p_a_open,
            a1_signed=p_a1_signed,
            a1_half=p_a1_half,
            a1_done=p_a1_done,
            b_signed=p_b_signed,
        ),
        admin_a=make_user(a, Role.UNIT_ADMIN),
        admin_b=make_user(b, Role.UNIT_ADMIN),
        person_c=make_person(city),
    )
