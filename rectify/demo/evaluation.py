"""Demo satisfaction evaluation: the city association's survey before and after rectification.

Ballots are fictional and go through the same services as a respondent's: a
token is issued and used for each. Before rectification the science museum
falls below the threshold (补课) and the consulting centre has too few ballots
to rate (样本不足); after rectification every unit is rated and improves.
"""

from django.db import transaction

from rectify.evaluation.models import Survey
from rectify.evaluation.services import (
    response_submit_with_token,
    round_create,
    survey_create,
    tokens_generate,
)

TITLE = "“不忘初心、牢记使命”主题教育整改落实满意度测评"
INTRODUCTION = (
    "请您对下列单位主题教育整改落实情况作出评价。测评采取无记名方式，"
    "每张测评码只能使用一次，您的答卷与测评码互不关联。"
)
UNITS = ("SD-LC", "SD-LC-KJG", "SD-LC-ZXFW")
#: Per round (name, {unit code: ballots per choice 满意 / 比较满意 / 基本满意 / 不满意 / 不了解}).
ROUNDS = (
    (
        "整改前",
        {
            "SD-LC": (5, 3, 2, 3, 1),
            "SD-LC-KJG": (1, 1, 1, 4, 1),
            "SD-LC-ZXFW": (1, 1, 0, 1, 0),
        },
    ),
    (
        "整改后",
        {
            "SD-LC": (9, 4, 2, 1, 0),
            "SD-LC-KJG": (4, 2, 2, 1, 1),
            "SD-LC-ZXFW": (3, 2, 1, 0, 0),
        },
    ),
)
#: Comments left in the last round, about the city association.
COMMENTS = (
    "项目网上申报已经开通，材料一次提交，比以前方便多了。",
    "希望学术交流活动继续向乡镇基层倾斜。",
)


def _ballots(survey: Survey, counts: tuple[int, ...], comments: tuple[str, ...]):
    """Answers of each ballot: the choice rates every question; comments go to the first ones."""
    choices = list(survey.choices.all())
    questions = list(survey.questions.all())
    index = 0
    for choice, count in zip(choices, counts, strict=True):
        for _i in range(count):
            comment = comments[index] if index < len(comments) else ""
            index += 1
            yield {q.pk: (choice.pk if q.is_rating else comment) for q in questions}


@transaction.atomic
def load(*, campaign, units, people, targets, admin) -> int:
    """Add the survey, its two rounds and their ballots; the rows created (0 if present)."""
    if Survey.objects.filter(campaign=campaign, title=TITLE).exists():
        return 0
    survey = survey_create(
        campaign=campaign,
        unit=units["SD-LC"],
        units=[units[code] for code in UNITS],
        title=TITLE,
        introduction=INTRODUCTION,
        first_round=ROUNDS[0][0],
        acting_user=admin,
    )
    created = 1
    round_ = survey.rounds.get()
    for number, (name, by_unit) in enumerate(ROUNDS):
        if number:
            round_ = round_create(survey=survey, name=name, acting_user=admin)
            created += 1
        last = number == len(ROUNDS) - 1
        for code, counts in by_unit.items():
            comments = COMMENTS if last and code == "SD-LC" else ()
            issued = tokens_generate(
                round_=round_, unit=units[code], count=sum(counts) + 2, acting_user=admin
            )
            created += len(issued)
            for (_token, token_code), answers in zip(
                issued, _ballots(survey, counts, comments), strict=False
            ):
                response_submit_with_token(code=token_code, answers=answers)
                created += 1
    return created
