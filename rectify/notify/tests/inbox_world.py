"""A city, two counties and everyone who may hear of a county's measure (or must not)."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from rectify.core.testing import (
    make_campaign,
    make_guidance_group,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.org.models import Role

TODAY = timezone.localdate()


def build_world(*, sign_off_levels: int = 2, extension_approver: str = "leader"):
    """市科协 over 东昌府区科协 (with an office) and 临清市科协, one campaign, one measure.

    - ``city_leader`` leads the city, ``leader`` the county, ``other_leader`` the other county;
      ``leader_zeren`` leads the county and answers for the measure too;
    - ``guide`` is a member and ``group_leader`` the leader of the group assigned the county;
      ``outsider`` guides the other county on this campaign, ``elsewhere_guide`` the
      county on another campaign;
    - ``zeren`` and ``zeren2`` answer for the measure with logins, ``no_login`` without;
    - ``admin`` administers the county (not a leader).
    """
    city = make_unit("市科协")
    county = make_unit("东昌府区科协", parent=city)
    office = make_unit("东昌府区学会部", parent=county)
    other = make_unit("临清市科协", parent=city)
    campaign = make_campaign(
        city, sign_off_levels=sign_off_levels, extension_approver=extension_approver
    )
    other_campaign = make_campaign(city)
    guide, group_leader = make_user(city), make_user(city)
    outsider, elsewhere_guide = make_user(city), make_user(city)
    make_guidance_group(
        city,
        members=[guide.person],
        leader=group_leader.person,
        campaign=campaign,
        units=[county],
    )
    make_guidance_group(city, members=[outsider.person], campaign=campaign, units=[other])
    make_guidance_group(
        city, members=[elsewhere_guide.person], campaign=other_campaign, units=[county]
    )
    zeren = make_user(person=make_person(office, "王责任"))
    zeren2 = make_user(person=make_person(office, "李责任"))
    leader_zeren = make_user(county, Role.LEADER)
    no_login = make_person(office, "赵无号")
    problem = make_problem(campaign, office, found_on=TODAY - dt.timedelta(days=60))
    measure = make_measure(
        problem,
        persons=[zeren.person, zeren2.person, leader_zeren.person, no_login],
        content="制定并落实年度学习计划",
    )
    return SimpleNamespace(
        city=city,
        county=county,
        office=office,
        other=other,
        campaign=campaign,
        problem=problem,
        measure=measure,
        city_leader=make_user(city, Role.LEADER),
        leader=make_user(county, Role.LEADER),
        other_leader=make_user(other, Role.LEADER),
        leader_zeren=leader_zeren,
        admin=make_user(county, Role.UNIT_ADMIN),
        guide=guide,
        group_leader=group_leader,
        outsider=outsider,
        elsewhere_guide=elsewhere_guide,
        zeren=zeren,
        zeren2=zeren2,
        no_login=no_login,
    )
