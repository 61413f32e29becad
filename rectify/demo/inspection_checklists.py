"""The demo's self-examination: 十个扪心自问 assigned to the city association's leadership group.

The party-group secretary (the ``leader`` login) has a draft half written,
with one passage marked as a finding, so that the demo can finish and submit
it; one vice chair has answered and submitted, with a passage marked; the
others have not answered yet. The answers are fictional, written for the demo.
"""

from django.contrib.auth import get_user_model

from rectify.campaigns.models import Campaign, Target
from rectify.inspection.checklist_templates import SHIGE_MENXIN_ZIWEN
from rectify.inspection.models import Checklist, ChecklistAnswer
from rectify.inspection.services.checklists import (
    answers_save,
    checklist_assign_persons,
    checklist_create_from_template,
)
from rectify.ledger.models import Level
from rectify.org.models import Person, Unit
from rectify.org.services import login_create

from . import data

#: The unit whose leadership group is asked.
UNIT = "SD-LC"

#: Fictional answers, one per question of the template, in its order.
ANSWERS = [
    "原著原文学了一遍，但系统学习不够，有时以会代学，对新思想的核心要义理解还停留在字面上。",
    "学用结合还不够紧密，运用新思想研究科协改革、服务科技工作者的具体举措不多。",
    "能够坚决贯彻上级决策部署，但在结合本单位实际细化落实方面还有差距。",
    "初心没有动摇，但日常事务多了，主动加强党性锻炼的自觉性有所下降。",
    "面对学会改革中的难题，有时存在等靠思想，主动破题的办法不多。",
    "会议和文件仍然偏多，有的工作重部署轻落实、重留痕轻实效。",
    "深入基层调研次数偏少，到县区科协和企业听取科技工作者意见不够经常。",
    "对科技工作者反映的人才评价、项目申报等问题回应还不够及时，办结率有待提高。",
    "能够遵守中央八项规定精神，公务接待和经费使用按规定执行，未发现违规问题。",
    "对分管领域党风廉政建设抓得还不够细，日常提醒和监督不够经常。",
]

#: Who answered what: (person key, how many questions answered, submitted,
#: [(question index, passage quoted from the answer, level)]).
PROGRESS = [
    (
        "lc.secretary",
        5,
        False,
        [(4, "有时存在等靠思想，主动破题的办法不多", Level.LEADERSHIP_GROUP)],
    ),
    (
        "lc.vice1",
        len(ANSWERS),
        True,
        [(6, "深入基层调研次数偏少，到县区科协和企业听取科技工作者意见不够经常", Level.LEADER)],
    ),
]

#: The login made for an answering person who has none (its password is unusable).
LOGIN_PREFIX = "demo-"


def _answerer(person: Person, key: str, admin) -> tuple[object, int]:
    """The person's login, made (with an unusable password) when they have none."""
    if person.user_id:
        return person.user, 0
    username = LOGIN_PREFIX + key.replace(".", "-")
    existing = get_user_model().objects.filter(username=username).first()
    if existing is not None:
        return existing, 0
    return login_create(person=person, username=username, password=None, acting_user=admin), 1


def load(
    *,
    campaign: Campaign,
    units: dict[str, Unit],
    people: dict[str, Person],
    targets: dict[str, Target],
    admin,
) -> int:
    """Create the checklist, assign it and fill some answers; the rows created (0 on a rerun)."""
    created = 0
    checklist = Checklist.objects.filter(
        campaign=campaign, title=SHIGE_MENXIN_ZIWEN["title"]
    ).first()
    if checklist is None:
        checklist = checklist_create_from_template(campaign=campaign, acting_user=admin)
        created += 1 + checklist.questions.count()
    leaders = [people[spec.key] for spec in data.PEOPLE if spec.unit == UNIT and spec.leadership]
    created += checklist_assign_persons(checklist=checklist, persons=leaders, acting_user=admin)
    questions = list(checklist.questions.all())
    for key, answered, submit, marks in PROGRESS:
        assignment = checklist.assignments.get(person=people[key])
        if ChecklistAnswer.objects.filter(assignment=assignment).exists():
            continue  # answered on an earlier run, or by a demo user since
        user, logins = _answerer(people[key], key, admin)
        answers_save(
            assignment=assignment,
            texts={q.pk: text for q, text in zip(questions[:answered], ANSWERS, strict=False)},
            marks={questions[i].pk: (passage, level) for i, passage, level in marks},
            expected_version=assignment.version,
            submit=submit,
            acting_user=user,
        )
        created += logins + answered + len(marks)
    return created
