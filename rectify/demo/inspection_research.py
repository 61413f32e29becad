"""Demo research topics (调查研究) and guidance-group feedback (巡回指导组反馈).

Fictional, like the rest of the demo ledger: topics of the city association
and two counties in every status (one with its report submitted and the
findings it produced), and one feedback of the reference case's guidance
group to the city association, whose three points wait in the triage queue.
Topics are led by placeholder people, never the reference case's.
"""

import datetime as dt
from dataclasses import dataclass

from rectify.inspection.models import GuidanceFeedback, ResearchStatus, ResearchTopic
from rectify.inspection.services.feedback import FeedbackPoint, feedback_record
from rectify.inspection.services.research import (
    topic_create,
    topic_record_finding,
    topic_report_save,
)
from rectify.ledger.models import Level
from rectify.org.models import GuidanceGroup

from . import data


@dataclass(frozen=True)
class TopicSpec:
    """A demo topic; ``report`` and ``findings`` ((target code, level, text)) only when written."""

    unit: str
    title: str
    lead: str
    start: str
    end: str
    status: str
    report: str = ""
    findings: tuple[tuple[str, str, str], ...] = ()


TOPICS = [
    TopicSpec(
        "SD-LC",
        "科技工作者创新创业服务需求调研",
        "lc.secretary",
        "2019-09-20",
        "2019-10-31",
        ResearchStatus.REPORTED,
        report=(
            "调研组走访了全市12家企业研发机构、6个县区学会，召开座谈会4次，"
            "发放问卷320份，收回有效问卷296份。\n"
            "一、科技工作者最关心的是项目申报、人才评价和学术交流，"
            "其中68%的受访者认为项目申报材料繁琐、重复报送。\n"
            "二、县区学会活动经费不足，面向基层的学术交流活动偏少。\n"
            "三、市科协服务企业“科技之家”建设覆盖面不够，部分企业不了解服务渠道。\n"
            "建议：推行项目网上申报、材料一次提交；设立基层学术交流专项；"
            "扩大“科技之家”覆盖面。"
        ),
        findings=(
            ("T4", Level.LEADERSHIP_GROUP, "服务科技工作者的办事流程繁琐，项目申报材料重复报送。"),
            ("T4", Level.UNIT, "面向基层的学术交流活动偏少，县区学会活动经费保障不足。"),
        ),
    ),
    TopicSpec(
        "SD-LC",
        "学会治理与服务能力提升调研",
        "lc.vice1",
        "2019-09-25",
        "2019-11-15",
        ResearchStatus.IN_PROGRESS,
        report="已完成对8个市级学会的走访，正在整理学会换届、年检和财务管理方面的情况。",
    ),
    TopicSpec(
        "SD-LC-DCF",
        "基层科普阵地建设情况调研",
        "dcf.chair",
        "2019-09-23",
        "2019-10-25",
        ResearchStatus.IN_PROGRESS,
    ),
    TopicSpec(
        "SD-LC-LQ",
        "乡镇科协“三长”队伍建设调研",
        "lq.chair",
        "2019-10-08",
        "2019-11-30",
        ResearchStatus.PLANNED,
    ),
]

FEEDBACK_UNIT = "SD-LC"
FEEDBACK_DATE = dt.date(2019, 10, 28)
FEEDBACK_SUMMARY = (
    "市科协主题教育总体推进有序，学习教育扎实，调查研究有成果。"
    "指导组在列席会议、查阅资料、个别谈话中发现以下问题，请对照整改。"
)
#: (target code, level, text) of each point.
FEEDBACK_POINTS = [
    ("T1", Level.LEADERSHIP_GROUP, "理论学习与业务工作结合不够紧密，学习研讨发言联系实际不够。"),
    ("T3", Level.LEADER, "个别班子成员检视问题辣味不足，查摆问题多是工作层面，思想根源剖析不深。"),
    ("T4", "", "整改台账更新不及时，部分措施未明确完成时限和责任人。"),
]


def load(*, campaign, units, people, targets, admin) -> int:
    """Add the demo topics and the guidance group's feedback; the rows created (0 if present)."""
    created = sum(_topic(spec, campaign, units, people, targets, admin) for spec in TOPICS)
    return created + _feedback(campaign, units, people, targets)


def _topic(spec: TopicSpec, campaign, units, people, targets, admin) -> int:
    """One demo topic with its report and findings; the rows created (0 if it exists)."""
    unit = units[spec.unit]
    if ResearchTopic.all_objects.filter(campaign=campaign, unit=unit, title=spec.title).exists():
        return 0
    topic = topic_create(
        campaign=campaign,
        unit=unit,
        title=spec.title,
        lead=people[spec.lead],
        planned_start=dt.date.fromisoformat(spec.start),
        planned_end=dt.date.fromisoformat(spec.end),
        status=(
            ResearchStatus.PLANNED
            if spec.status == ResearchStatus.PLANNED
            else ResearchStatus.IN_PROGRESS
        ),
        acting_user=admin,
    )
    if spec.report:
        topic_report_save(
            topic=topic,
            report=spec.report,
            submit=spec.status == ResearchStatus.REPORTED,
            expected_version=topic.version,
            acting_user=admin,
        )
    for code, level, text in spec.findings:
        topic_record_finding(
            topic=topic, text=text, target=targets[code], level=level, acting_user=admin
        )
    return 1 + len(spec.findings)


def _feedback(campaign, units, people, targets) -> int:
    """The guidance group's feedback to the city association, recorded by its member."""
    spec = data.GUIDANCE_GROUP
    group = GuidanceGroup.objects.get(home_unit=units[spec["home_unit"]], name=spec["name"])
    unit = units[FEEDBACK_UNIT]
    if GuidanceFeedback.objects.filter(
        campaign=campaign, unit=unit, group=group, given_on=FEEDBACK_DATE
    ).exists():
        return 0
    member = people[spec["members"][0]]
    feedback_record(
        campaign=campaign,
        unit=unit,
        group=group,
        given_on=FEEDBACK_DATE,
        summary=FEEDBACK_SUMMARY,
        points=[
            FeedbackPoint(text=text, target=targets[code] if code else None, level=level)
            for code, level, text in FEEDBACK_POINTS
        ],
        acting_user=member.user,
    )
    return 1 + len(FEEDBACK_POINTS)
