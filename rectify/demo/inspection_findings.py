"""Demo findings recorded by hand in the city association's triage queue.

One is attached to an existing demo problem (so the problem page shows its
source), one is dismissed with its reason, and two wait to be triaged.
Findings are matched by exact text within campaign and unit, and triaged only
while they still wait, so a second run adds nothing.
"""

from dataclasses import dataclass

from django.db import transaction

from rectify.inspection.models import Finding, FindingStatus
from rectify.inspection.services.findings import finding_attach, finding_create, finding_dismiss
from rectify.ledger.models import Level, Problem, Source

#: The unit whose queue the demo fills.
UNIT = "SD-LC"


@dataclass(frozen=True)
class FindingSpec:
    """A hand-recorded finding; ``attach_to`` names a demo problem by its description."""

    source: str
    target: str
    level: str
    text: str
    attach_to: str = ""
    dismiss_reason: str = ""


FINDINGS = [
    FindingSpec(
        Source.SUPERIOR,
        "T4",
        Level.LEADERSHIP_GROUP,
        "市委主题教育领导小组办公室反馈：联系科技工作者的渠道偏少，"
        "基层科技人员反映诉求后迟迟得不到回应。",
        attach_to="服务科技工作者“最后一公里”没有打通，联系科技工作者渠道少，"
        "了解一线科技人员诉求不及时。",
    ),
    FindingSpec(
        Source.OTHER,
        "T5",
        Level.MEMBER,
        "机关食堂就餐登记不规范，个别外来人员未登记就餐。",
        dismiss_reason="经核实，外来人员为来访学会工作人员，已按规定登记并缴费，不构成问题。",
    ),
    FindingSpec(
        Source.SUPERIOR,
        "T3",
        Level.LEADERSHIP_GROUP,
        "上级调研反馈：科技志愿服务队伍建设滞后，志愿服务活动多集中在科普日前后，常态化不够。",
    ),
    FindingSpec(
        Source.OTHER,
        "T1",
        Level.LEADER,
        "来信反映：个别领导干部参加集中学习时常以事务性工作请假，学习笔记内容较少。",
    ),
]


@transaction.atomic
def load(*, campaign, units, people, targets, admin) -> int:
    """Record the demo findings of :data:`FINDINGS` missing so far; the number created."""
    unit = units[UNIT]
    created = 0
    for spec in FINDINGS:
        finding = Finding.objects.filter(campaign=campaign, unit=unit, text=spec.text).first()
        if finding is None:
            finding = finding_create(
                campaign=campaign,
                unit=unit,
                source=spec.source,
                target=targets[spec.target],
                level=spec.level,
                text=spec.text,
                acting_user=admin,
            )
            created += 1
        if finding.status != FindingStatus.NEW:
            continue
        if spec.attach_to:
            problem = Problem.objects.get(campaign=campaign, unit=unit, description=spec.attach_to)
            finding_attach(finding=finding, problem=problem, acting_user=admin)
        elif spec.dismiss_reason:
            finding_dismiss(finding=finding, reason=spec.dismiss_reason, acting_user=admin)
    return created
