"""Demo opinion solicitation: the city association's open form and its workers' opinions.

Fictional, like the rest of the demo ledger. Most opinions wait in the triage
queue; one is answered and one is marked a duplicate, so that every state
shows. Submitter names are placeholders, never the reference case's people.
"""

from rectify.inspection.models import FindingStatus, Opinion, OpinionForm
from rectify.inspection.services.findings import finding_join
from rectify.inspection.services.opinions import (
    opinion_form_create,
    opinion_reply,
    opinion_submit,
)

UNIT = "SD-LC"
TITLE = "“不忘初心、牢记使命”主题教育征求意见表"
INTRODUCTION = (
    "为深入开展“不忘初心、牢记使命”主题教育，聊城市科协面向全市广大科技工作者征求意见建议。"
    "请围绕理论学习、担当作为、服务科技工作者、清正廉洁等方面，对市科协领导班子和机关工作"
    "提出意见建议。可以匿名提交；提交后请保存回执码，凭回执码查看办理和整改情况。"
)

#: (target code or None, text, anonymous, name, organization)
OPINIONS = [
    (
        "T4",
        "科技工作者申报市级科技项目、评选优秀科技工作者，材料要求多、跑腿多，"
        "希望市科协能提供网上申报和材料一次提交，减少重复报送。",
        True,
        "",
        "",
    ),
    (
        "T4",
        "基层科技工作者参加学术交流的机会少，县区学会活动经费不足，"
        "建议市科协每年安排面向基层的学术交流活动，并向乡镇农技人员倾斜。",
        False,
        "韩晓东",
        "聊城市农业技术推广站",
    ),
    (
        "T3",
        "市科协机关个别同志服务意识不强，到机关咨询学会年检事项时，"
        "答复不一致，让人来回跑了三趟，希望明确办事流程并一次性告知。",
        True,
        "",
        "",
    ),
    (
        "T1",
        "科普讲座和理论学习内容有些照本宣科，与科技工作者的实际工作结合不紧，"
        "建议多采用案例和座谈的方式，增强学习效果。",
        False,
        "何秀英",
        "聊城市某中学",
    ),
    (
        "T4",
        "网上申报科技项目的系统经常打不开，提交材料要跑好几次，希望改进申报方式。",
        True,
        "",
        "",
    ),
    (
        None,
        "市科技馆周末开放时间短，中小学生和家长反映预约难，建议延长周末和假期开放时间。",
        True,
        "",
        "",
    ),
]

#: The reply given to the second opinion (the one that named its sender).
REPLY = (
    "感谢您的建议。市科协已将“学术交流向基层倾斜”列入主题教育整改措施，"
    "拟于明年上半年组织“科技工作者下基层”学术交流活动，届时将通知各县区学会。"
)


def load(*, campaign, units, people, targets, admin) -> int:
    """Add the city association's opinion form and opinions; the rows created (0 if present)."""
    unit = units[UNIT]
    created = 0
    form = OpinionForm.objects.filter(campaign=campaign, unit=unit, title=TITLE).first()
    if form is None:
        form = opinion_form_create(
            campaign=campaign, unit=unit, title=TITLE, introduction=INTRODUCTION, acting_user=admin
        )
        created += 1
    opinions = []
    for target_code, text, anonymous, name, organization in OPINIONS:
        opinion = Opinion.objects.filter(form=form, text=text).first()
        if opinion is None:
            opinion, _code = opinion_submit(
                form=form,
                text=text,
                target=targets[target_code] if target_code else None,
                anonymous=anonymous,
                name=name,
                organization=organization,
                client=None,
            )
            created += 2  # the opinion and its finding
        opinions.append(opinion)
    if not opinions[1].reply:
        opinion_reply(opinion=opinions[1], reply=REPLY, acting_user=admin)
    duplicate, original = opinions[4].finding, opinions[0].finding
    if duplicate.merged_into_id is None and duplicate.status == FindingStatus.NEW:
        finding_join(finding=duplicate, into=original, duplicate=True, acting_user=admin)
    return created
