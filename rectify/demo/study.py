"""The demo's study stage: the reference deployment meeting, and a few fictional sessions after it.

The meeting of 2019-09-16 is built from the facts in ``REFERENCE.md``: the
city association's working meeting for the campaign, presided over by the
party-group member and vice chair 潘云霞, with the party-group secretary
王延飞 and 刘全来, leader of the city's seventh roving guidance group,
speaking; attended by the guidance group's members and the association's
offices and directly affiliated units. Its topics and minutes are our own
summary of those facts. These two real people are added only for this
meeting; the later sessions are fictional and name placeholder people only,
so that coverage shows partial figures (some counties have not studied yet).

:func:`load` is idempotent: a meeting is matched by campaign, unit and title
and left alone when it exists.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from rectify.org.models import GuidanceGroup, Person, Rank, Unit
from rectify.org.services import person_create
from rectify.study import services
from rectify.study.models import Attendance, AttendanceStatus, InviteRule, Meeting, MeetingKind
from rectify.study.services import Mark

from . import data

#: The real people of the meeting who are not in the demo yet (REFERENCE.md), by role.
PRESIDER = {"name": "潘云霞", "position": "市科协党组成员、副主席"}
SECRETARY = {"name": "王延飞", "position": "市科协党组书记"}
#: The association's offices and directly affiliated units (市科协机关和直属单位).
ASSOCIATION_UNITS = (
    "SD-LC",
    "SD-LC-BGS",
    "SD-LC-ZZXC",
    "SD-LC-XHB",
    "SD-LC-KPB",
    "SD-LC-KJG",
    "SD-LC-ZXFW",
)

DEPLOYMENT_TITLE = "市科协“不忘初心、牢记使命”主题教育工作会议"
DEPLOYMENT_TOPICS = (
    "学习习近平总书记在“不忘初心、牢记使命”主题教育工作会议上的重要讲话；"
    "部署市科协主题教育。\n"
    "总要求：守初心、担使命，找差距、抓落实。\n"
    "目标要求：理论学习有收获、思想政治受洗礼、干事创业敢担当、为民服务解难题、清正廉洁作表率。"
)
DEPLOYMENT_MINUTES = (
    "潘云霞同志主持会议。\n"
    "王延飞同志作动员部署：对照五项目标要求查找差距；坚持问题导向，制定专项整改方案，"
    "列出问题清单、整改清单、责任清单，明确责任人和完成时限；把主题教育与“四服务”职责"
    "和科协改革结合起来，培树典型、形成品牌；力戒形式主义、官僚主义。\n"
    "刘全来同志代表市委第七巡回指导组提出要求：聚焦主题主线，坚持目标要求，"
    "把学习教育、调查研究、检视问题、整改落实贯通起来；分级分类推进，"
    "以县处级以上领导班子和领导干部为重点，全体党员全覆盖；"
    "以科技工作者的获得感和满意度检验主题教育成效。"
)


@dataclass(frozen=True)
class SessionSpec:
    """A fictional study session after the deployment meeting (placeholder people only)."""

    unit: str
    kind: str
    title: str
    day: dt.date
    presider: str
    topics: str
    #: The invitation: everyone of the unit's subtree, or the named person keys.
    invite: tuple[str, ...] = ()
    #: person key → reason for leave; absent keys; everyone else invited is present.
    leave: dict[str, str] = field(default_factory=dict)
    absent: tuple[str, ...] = ()


SESSIONS = (
    SessionSpec(
        unit="SD-LC",
        kind=MeetingKind.CONCENTRATED,
        title="市科协党组理论学习中心组集中学习",
        day=dt.date(2019, 9, 24),
        presider="lc.secretary",
        topics="围绕“{target}”，集中学习党章和《中国共产党纪律处分条例》。",
        invite=("lc.secretary", "lc.vice1", "lc.vice2", "lc.secgen"),
        leave={"lc.vice2": "赴省科协参加培训"},
    ),
    SessionSpec(
        unit="SD-LC-DCF",
        kind=MeetingKind.PARTY_LECTURE,
        title="东昌府区科协主题教育专题党课",
        day=dt.date(2019, 9, 27),
        presider="dcf.chair",
        topics="专题党课：对照“{target}”，讲初心使命与科协工作。",
        leave={"dcf.staff": "下乡开展科普活动"},
    ),
    SessionSpec(
        unit="SD-LC-LQ",
        kind=MeetingKind.SEMINAR,
        title="临清市科协主题教育专题研讨交流会",
        day=dt.date(2019, 10, 11),
        presider="lq.chair",
        topics="围绕“{target}”交流学习体会，查找服务科技工作者的差距。",
        leave={"lq.vice": "外出学习"},
        absent=("lq.staff",),
    ),
)


def _real_person(spec: dict, unit: Unit, admin) -> Person:
    """The real person of the meeting, added to the city association if missing."""
    person = Person.all_objects.filter(unit=unit, name=spec["name"]).first()
    if person is None:
        person = person_create(
            name=spec["name"],
            unit=unit,
            position=spec["position"],
            rank=Rank.COUNTY_LEVEL_AND_ABOVE,
            is_leadership_member=True,
            acting_user=admin,
        )
    return person


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _mark(meeting: Meeting, admin, leave: dict[int, str], absent: set[int]) -> None:
    """Everyone invited present, except those on leave (with their reason) or absent."""
    marks = []
    for row in Attendance.objects.filter(meeting=meeting):
        if row.person_id in leave:
            marks.append(Mark(row.pk, AttendanceStatus.LEAVE, leave[row.person_id]))
        elif row.person_id in absent:
            marks.append(Mark(row.pk, AttendanceStatus.ABSENT))
        else:
            marks.append(Mark(row.pk, AttendanceStatus.PRESENT))
    services.attendance_mark(meeting=meeting, marks=marks, acting_user=admin)


def _deployment_meeting(campaign, units, people, admin) -> bool:
    """The reference meeting of 2019-09-16; True when created now."""
    city = units["SD-LC"]
    if Meeting.all_objects.filter(campaign=campaign, unit=city, title=DEPLOYMENT_TITLE).exists():
        return False
    presider = _real_person(PRESIDER, city, admin)
    secretary = _real_person(SECRETARY, city, admin)
    spec = data.GUIDANCE_GROUP
    group = GuidanceGroup.objects.get(home_unit=units[spec["home_unit"]], name=spec["name"])
    meeting = services.meeting_create(
        campaign=campaign,
        unit=city,
        kind=MeetingKind.WORKING,
        title=DEPLOYMENT_TITLE,
        starts_at=_at(dt.date(2019, 9, 16), 9),
        presider=presider,
        speakers=[secretary, group.leader],
        topics=DEPLOYMENT_TOPICS,
        minutes=DEPLOYMENT_MINUTES,
        acting_user=admin,
        reason="演示数据：参考案例的部署会议",
    )
    staff = Person.objects.filter(unit__in=[units[code] for code in ASSOCIATION_UNITS])
    services.attendance_invite(meeting=meeting, persons=staff, acting_user=admin)
    services.attendance_invite_by_rule(
        meeting=meeting, rule=InviteRule.GUIDANCE_GROUP, group=group, acting_user=admin
    )
    _mark(meeting, admin, leave={}, absent=set())
    return True


def _session(spec: SessionSpec, campaign, units, people, targets, admin) -> bool:
    """A fictional later session; True when created now."""
    unit = units[spec.unit]
    if Meeting.all_objects.filter(campaign=campaign, unit=unit, title=spec.title).exists():
        return False
    meeting = services.meeting_create(
        campaign=campaign,
        unit=unit,
        kind=spec.kind,
        title=spec.title,
        starts_at=_at(spec.day, 15),
        presider=people[spec.presider],
        topics=spec.topics.format(target=targets["T1"].title),
        acting_user=admin,
        reason="演示数据",
    )
    if spec.invite:
        invited = [people[key] for key in spec.invite]
        services.attendance_invite(meeting=meeting, persons=invited, acting_user=admin)
    else:
        services.attendance_invite_by_rule(
            meeting=meeting, rule=InviteRule.SUBTREE, unit=unit, acting_user=admin
        )
    leave = {people[key].pk: reason for key, reason in spec.leave.items()}
    _mark(meeting, admin, leave=leave, absent={people[key].pk for key in spec.absent})
    return True


def load(*, campaign, units, people, targets, admin) -> int:
    """Add the study meetings of the demo that are missing; returns how many were created."""
    created = int(_deployment_meeting(campaign, units, people, admin))
    for spec in SESSIONS:
        created += _session(spec, campaign, units, people, targets, admin)
    return created
