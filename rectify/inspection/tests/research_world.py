"""The research and feedback tests' world: a city over two counties, a campaign, a topic in
county A, and guidance groups assigned to one county each."""

import datetime as dt
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_guidance_group,
    make_person,
    make_unit,
    make_user,
)
from rectify.inspection.services.research import topic_create
from rectify.org.models import Role, UnitKind


def build_world() -> SimpleNamespace:
    """市科协 over 东昌府区 (A) and 临清市 (B); a topic of A led by a person with a login.

    Group A is assigned county A on the campaign (its member gives feedback
    there); group B is assigned county B only.
    """
    sysadmin = make_admin()
    city = make_unit("市科协", kind=UnitKind.CITY)
    county_a = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY)
    county_b = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY)
    campaign = make_campaign(city, acting_user=sysadmin)
    admin_a = make_user(county_a, Role.UNIT_ADMIN)
    lead = make_user(person=make_person(county_a, "赵调研", position="副主席"))
    member_a = make_user(person=make_person(city, "钱指导"))
    member_b = make_user(person=make_person(city, "孙指导"))
    group_a = make_guidance_group(
        city,
        name="第一巡回指导组",
        members=[member_a.person],
        campaign=campaign,
        units=[county_a],
        acting_user=sysadmin,
    )
    group_b = make_guidance_group(
        city,
        name="第二巡回指导组",
        members=[member_b.person],
        campaign=campaign,
        units=[county_b],
        acting_user=sysadmin,
    )
    today = timezone.localdate()
    topic = topic_create(
        campaign=campaign,
        unit=county_a,
        title="基层科协组织建设调研",
        lead=lead.person,
        planned_start=today - dt.timedelta(days=10),
        planned_end=today + dt.timedelta(days=20),
        acting_user=admin_a,
    )
    return SimpleNamespace(
        sysadmin=sysadmin,
        city=city,
        a=county_a,
        b=county_b,
        campaign=campaign,
        targets=list(campaign.targets.all()),
        admin_city=make_user(city, Role.UNIT_ADMIN),
        admin_a=admin_a,
        admin_b=make_user(county_b, Role.UNIT_ADMIN),
        staff_a=make_user(county_a, Role.LEADER),
        lead=lead,
        member_a=member_a,
        member_b=member_b,
        group_a=group_a,
        group_b=group_b,
        topic=topic,
        today=today,
    )


def pdf(name: str = "调研报告.pdf", content: bytes = b"%PDF-1.4 report") -> SimpleUploadedFile:
    """A small accepted file."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")
