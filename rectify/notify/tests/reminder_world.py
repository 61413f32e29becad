"""A city whose measures show every light, and everyone the daily run writes to (or must not)."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_guidance_group,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger import pressure
from rectify.ledger.models import MeasureStatus, ProgressNote, Urge
from rectify.ledger.services.signoff import measure_send_back, measure_submit
from rectify.notify.models import Delivery
from rectify.org.models import Role


def days(n: int) -> dt.date:
    """Today plus ``n`` days (negative: in the past)."""
    return timezone.localdate() + dt.timedelta(days=n)


def build_world() -> SimpleNamespace:
    """市科协 over 东昌府区科协 and 临清市科协, one two-level campaign.

    In 东昌府区科协: ``red`` (overdue for ten days, urged, no answer), ``new_red``
    (due yesterday), ``yellow`` (due in three days, urged and answered),
    ``green``, ``completed`` (waits for the leader), ``confirmed`` (waits for
    the guidance group) and ``sent_back`` (submitted, then sent back).
    In 临清市科协 one red measure that nobody in the first county may hear of.

    - ``zeren`` (English, with email) answers for red, new_red and yellow;
      ``zeren2`` (Chinese, with email) for yellow, green and sent_back;
      ``no_login`` for new_red, without a login;
    - ``leader`` leads 东昌府区科协, ``admin`` administers the city (no review);
    - ``guide`` belongs to the group assigned 东昌府区科协 on the campaign;
    - ``other_zeren`` answers for the other county's red measure.
    """
    staff = make_admin()
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    other = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city, sign_off_levels=2, acting_user=staff)
    zeren = make_user(person=make_person(county, "王责任", email="wang@example.org", language="en"))
    zeren2 = make_user(person=make_person(county, "李责任", email="li@example.org"))
    no_login = make_person(county, "赵无号", email="zhao@example.org")
    other_zeren = make_user(person=make_person(other, "钱外县", email="qian@example.org"))
    leader = make_user(county, Role.LEADER)
    admin = make_user(city, Role.UNIT_ADMIN)
    guide = make_user(city)
    make_guidance_group(
        city, members=[guide.person], campaign=campaign, units=[county], acting_user=staff
    )
    problem = make_problem(campaign, county, found_on=days(-60), acting_user=staff)

    def measure(content, deadline, persons, **fields):
        return make_measure(
            problem, content=content, deadline=deadline, persons=persons, acting_user=staff,
            **fields,
        )  # fmt: skip

    w = SimpleNamespace(
        staff=staff,
        city=city,
        county=county,
        other=other,
        campaign=campaign,
        zeren=zeren,
        zeren2=zeren2,
        no_login=no_login,
        other_zeren=other_zeren,
        leader=leader,
        admin=admin,
        guide=guide,
    )
    w.red = measure("建立理论学习制度", days(-10), [zeren.person])
    w.new_red = measure("完善科普台账", days(-1), [zeren.person, no_login])
    w.yellow = measure("修订财务报销制度", days(3), [zeren.person, zeren2.person])
    w.green = measure("推动学会党建", days(30), [zeren2.person])
    w.completed = measure("落实诉求办理", days(-5), [zeren2.person], status=MeasureStatus.COMPLETED)
    w.confirmed = measure(
        "健全廉政风险清单", days(-5), [zeren2.person], status=MeasureStatus.CONFIRMED
    )
    w.sent_back = measure("组织开展专题研讨", days(20), [zeren2.person])
    measure_submit(
        measure=w.sent_back,
        statement="已完成",
        no_evidence_reason="会议记录未归档",
        expected_version=w.sent_back.version,
        acting_user=zeren2,
    )
    w.sent_back.refresh_from_db()
    measure_send_back(
        measure=w.sent_back,
        reason="佐证不足",
        expected_version=w.sent_back.version,
        acting_user=leader,
    )
    Urge.objects.create(measure=w.red, by=leader, message="请抓紧")
    Urge.objects.create(measure=w.yellow, by=leader, message="请报告进展")
    pressure.recount()  # the urges went in around the service that counts them
    ProgressNote.objects.create(measure=w.yellow, text="已起草", author=zeren.person.user)
    other_problem = make_problem(campaign, other, found_on=days(-60), acting_user=staff)
    w.other_red = make_measure(
        other_problem,
        content="外县措施",
        deadline=days(-3),
        persons=[other_zeren.person],
        acting_user=staff,
    )
    # The send-back above was mailed at once; the daily run is what these tests watch.
    Delivery.objects.all().delete()
    return w


def add_recipients(w: SimpleNamespace, n: int) -> list:
    """``n`` more responsible persons with logins and email, each with a red and a yellow
    measure, and ``n`` more leaders of the county."""
    problem = w.red.problem
    users = []
    for i in range(n):
        user = make_user(person=make_person(w.county, f"责任人{i}", email=f"p{i}@example.org"))
        for deadline in (days(-4), days(2)):
            make_measure(
                problem,
                content=f"措施{i}-{deadline}",
                deadline=deadline,
                persons=[user.person],
                acting_user=w.staff,
            )
        make_user(w.county, Role.LEADER)
        users.append(user)
    return users
