"""Self-examination checklists through their services: template, questions, assignment,
answers, passages marked as findings, and progress counts."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rectify.core.services import StaleEditError
from rectify.ledger.models import Level, Source
from rectify.org.services import person_update

from ..models import (
    TEXT_MAX_LENGTH,
    ChecklistAnswer,
    ChecklistAssignment,
    ChecklistQuestion,
    Finding,
    FindingStatus,
)
from ..selectors.checklists import (
    AssignRule,
    my_assignments,
    person_progress,
    progress_start,
    unit_progress,
)
from ..services import checklists as services
from .checklist_tree import build_tree, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return build_tree()


def _assigned_names(tree) -> set[str]:
    return set(tree.checklist.assignments.values_list("person__name", flat=True))


def _assignment(tree, name: str) -> ChecklistAssignment:
    return tree.checklist.assignments.get(person=tree.people[name])


def _assign(tree, *names: str) -> None:
    services.checklist_assign_persons(
        checklist=tree.checklist,
        persons=[tree.people[n] for n in names],
        acting_user=tree.admin_city,
    )


def _answer(tree, name, user, count=None, *, submit=False, marks=None):
    """``name`` answers the first ``count`` questions (all by default)."""
    assignment = _assignment(tree, name)
    questions = tree.questions[: len(tree.questions) if count is None else count]
    return services.answers_save(
        assignment=assignment,
        texts={q.pk: f"第{n}题的回答：学习不够深入。" for n, q in enumerate(questions, 1)},
        marks=marks,
        expected_version=assignment.version,
        submit=submit,
        acting_user=user,
    )


# --- the template and its questions -------------------------------------------------


def test_template_creates_ten_questions_two_per_target(tree):
    questions = tree.questions
    assert tree.checklist.title == "十个扪心自问"
    assert len(questions) == 10
    assert Counter(q.target.code for q in questions) == {f"T{n}": 2 for n in range(1, 6)}
    assert [q.target.code for q in questions] == [f"T{n // 2 + 1}" for n in range(10)]
    assert all(q.target.campaign_id == tree.campaign.pk for q in questions)
    assert len({q.text for q in questions}) == 10
    assert [q.order for q in questions] == list(range(10))
    assert tree.checklist.history.get().history_user == tree.admin_city


def test_template_is_refused_for_a_campaign_missing_a_target(tree):
    tree.campaign.targets.filter(code="T5").update(code="X5")
    with pytest.raises(ValidationError, match="T5"):
        services.checklist_create_from_template(campaign=tree.campaign, acting_user=tree.admin_city)
    assert tree.campaign.checklists.count() == 1


def test_only_the_organizer_administrators_write_checklists(tree):
    with pytest.raises(PermissionDenied):
        services.checklist_create_from_template(campaign=tree.campaign, acting_user=tree.admin_a)
    with pytest.raises(PermissionDenied):
        services.question_add(
            checklist=tree.checklist,
            target=tree.questions[0].target,
            text="还有什么？",
            acting_user=tree.admin_a,
        )
    assert tree.campaign.checklists.count() == 1
    assert tree.checklist.questions.count() == 10


def test_checklist_create_makes_an_empty_checklist(tree):
    checklist = services.checklist_create(
        campaign=tree.campaign, title="  支部书记自查  ", acting_user=tree.admin_city
    )
    assert checklist.title == "支部书记自查"
    assert checklist.questions.count() == 0


def test_questions_are_added_at_the_end_edited_with_history_and_moved(tree):
    t3 = tree.campaign.targets.get(code="T3")
    added = services.question_add(
        checklist=tree.checklist, target=t3, text="第十一问？", acting_user=tree.admin_city
    )
    assert added.order == 10
    first = tree.questions[0]
    original = first.text
    services.question_edit(
        question=first,
        target=t3,
        text="改写后的问题？",
        expected_version=first.version,
        acting_user=tree.admin_city,
        reason="措辞调整",
    )
    first.refresh_from_db()
    assert (first.text, first.target) == ("改写后的问题？", t3)
    assert first.history.first().prev_record.text == original
    assert first.history.first().history_change_reason == "措辞调整"
    services.question_move(question=added, offset=-1, acting_user=tree.admin_city)
    order = list(tree.checklist.questions.values_list("pk", flat=True))
    assert order[-2:] == [added.pk, tree.questions[-1].pk]
    services.question_move(question=first, offset=-1, acting_user=tree.admin_city)
    assert tree.checklist.questions.first().pk == first.pk  # the top stays the top


def test_a_stale_question_edit_is_refused(tree):
    question = tree.questions[0]
    seen = question.version
    services.question_edit(
        question=question,
        target=question.target,
        text="甲的改法？",
        expected_version=seen,
        acting_user=tree.admin_city,
    )
    with pytest.raises(StaleEditError):
        services.question_edit(
            question=question,
            target=question.target,
            text="乙的改法？",
            expected_version=seen,
            acting_user=tree.admin_city,
        )
    question.refresh_from_db()
    assert question.text == "甲的改法？"


def test_a_question_of_another_campaigns_target_is_refused(tree):
    from rectify.core.testing import make_campaign

    other = make_campaign(tree.b, acting_user=tree.sysadmin)
    with pytest.raises(ValidationError):
        services.question_add(
            checklist=tree.checklist,
            target=other.targets.first(),
            text="跨活动？",
            acting_user=tree.admin_city,
        )


def test_a_question_is_deleted_only_while_unanswered(tree):
    _assign(tree, "甲主席")
    user = login(tree.people["甲主席"])
    _answer(tree, "甲主席", user, count=1)
    answered, unanswered = tree.questions[0], tree.questions[1]
    with pytest.raises(ValidationError, match="已有人回答"):
        services.question_delete(question=answered, acting_user=tree.admin_city)
    pk = unanswered.pk
    services.question_delete(question=unanswered, acting_user=tree.admin_city)
    assert tree.checklist.questions.count() == 9
    deleted = ChecklistQuestion.history.get(id=pk, history_type="-")
    assert deleted.history_user == tree.admin_city


# --- assignment ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "rule", "expected"),
    [
        ("a", AssignRule.COUNTY_UP, {"甲调研员"}),
        ("a", AssignRule.LEADERSHIP, {"甲主席", "甲一部长"}),
        ("a", AssignRule.EVERYONE, {"甲主席", "甲调研员", "甲科员", "甲一部长", "甲一科员"}),
        ("a1", AssignRule.EVERYONE, {"甲一部长", "甲一科员"}),
        ("city", AssignRule.COUNTY_UP, {"城书记", "城调研员", "甲调研员", "乙主席"}),
        ("city", AssignRule.LEADERSHIP, {"城书记", "甲主席", "甲一部长", "乙主席"}),
    ],
)
def test_assignment_by_rule_picks_exactly_the_right_people(tree, unit, rule, expected):
    added = services.checklist_assign_by_rule(
        checklist=tree.checklist, unit=getattr(tree, unit), rule=rule, acting_user=tree.admin_city
    )
    assert added == len(expected)
    assert _assigned_names(tree) == expected


def test_assignment_by_rule_everyone_of_the_city_leaves_out_the_deleted_and_outsiders(tree):
    services.checklist_assign_by_rule(
        checklist=tree.checklist,
        unit=tree.city,
        rule=AssignRule.EVERYONE,
        acting_user=tree.admin_city,
    )
    assert _assigned_names(tree) == set(tree.people) - {"甲离任", "外单位主任"}


def test_assignment_is_idempotent_and_adds_only_newcomers(tree):
    args = {"checklist": tree.checklist, "unit": tree.a, "rule": AssignRule.LEADERSHIP}
    assert services.checklist_assign_by_rule(**args, acting_user=tree.admin_a) == 2
    assert services.checklist_assign_by_rule(**args, acting_user=tree.admin_a) == 0
    _assign(tree, "甲主席", "甲科员")  # by hand, over one already assigned
    person_update(person=tree.people["甲调研员"], is_leadership_member=True)
    assert services.checklist_assign_by_rule(**args, acting_user=tree.admin_a) == 1
    assert tree.checklist.assignments.count() == 4
    assert _assigned_names(tree) == {"甲主席", "甲一部长", "甲科员", "甲调研员"}


def test_the_assignment_unit_is_the_person_unit(tree):
    services.checklist_assign_by_rule(
        checklist=tree.checklist, unit=tree.a, rule=AssignRule.EVERYONE, acting_user=tree.admin_a
    )
    assert _assignment(tree, "甲一部长").unit == tree.a1
    assert _assignment(tree, "甲主席").unit == tree.a
    assert _assignment(tree, "甲主席").assigned_by == tree.admin_a


def test_only_administrators_of_the_subtree_assign(tree):
    with pytest.raises(PermissionDenied):
        services.checklist_assign_by_rule(
            checklist=tree.checklist,
            unit=tree.city,
            rule=AssignRule.EVERYONE,
            acting_user=tree.admin_a,
        )
    with pytest.raises(PermissionDenied):
        services.checklist_assign_by_rule(
            checklist=tree.checklist,
            unit=tree.a,
            rule=AssignRule.EVERYONE,
            acting_user=tree.leader_a,
        )
    with pytest.raises(PermissionDenied):
        services.checklist_assign_persons(
            checklist=tree.checklist,
            persons=[tree.people["甲主席"], tree.people["乙主席"]],
            acting_user=tree.admin_a,
        )
    assert tree.checklist.assignments.count() == 0


def test_assignment_by_hand_refuses_people_outside_the_campaign(tree):
    with pytest.raises(ValidationError, match="外单位主任"):
        services.checklist_assign_persons(
            checklist=tree.checklist,
            persons=[tree.people["城书记"], tree.people["外单位主任"]],
            acting_user=tree.sysadmin,
        )
    assert tree.checklist.assignments.count() == 0


def test_assignment_by_hand_picks_exactly_the_chosen(tree):
    _assign(tree, "甲科员", "乙科员")
    assert _assigned_names(tree) == {"甲科员", "乙科员"}
    assert _assignment(tree, "乙科员").unit == tree.b


# --- answers and findings -------------------------------------------------------------


def test_the_assignee_sees_the_checklist_among_their_own(tree):
    _assign(tree, "甲主席", "甲科员")
    user = login(tree.people["甲主席"])
    _answer(tree, "甲主席", user, count=3)
    (mine,) = my_assignments(user)
    assert (mine.person.name, mine.answered, mine.question_count) == ("甲主席", 3, 10)


def test_answers_are_saved_as_a_draft_with_history(tree):
    _assign(tree, "甲主席")
    user = login(tree.people["甲主席"])
    _answer(tree, "甲主席", user, count=2)
    assignment = _assignment(tree, "甲主席")
    assert assignment.submitted_at is None
    answer = assignment.answers.get(question=tree.questions[0])
    services.answers_save(
        assignment=assignment,
        texts={tree.questions[0].pk: "  改过的回答。  ", tree.questions[1].pk: ""},
        expected_version=assignment.version,
        acting_user=user,
    )
    answer.refresh_from_db()
    assert answer.text == "改过的回答。"
    assert [h.text for h in answer.history.all()] == ["改过的回答。", "第1题的回答：学习不够深入。"]
    assert answer.history.first().history_user == user
    emptied = assignment.answers.get(question=tree.questions[1])
    assert emptied.text == ""  # kept, blank: its history still says what it was
    assert my_assignments(user).get().answered == 1


def test_submitting_needs_every_question_answered_and_then_locks(tree):
    _assign(tree, "甲主席")
    user = login(tree.people["甲主席"])
    with pytest.raises(ValidationError, match="10"):
        _answer(tree, "甲主席", user, count=9, submit=True)
    assert not ChecklistAnswer.objects.exists()  # nothing half-saved
    _answer(tree, "甲主席", user, submit=True)
    assignment = _assignment(tree, "甲主席")
    assert assignment.submitted_at is not None
    with pytest.raises(ValidationError, match="已提交"):
        _answer(tree, "甲主席", user, count=1)


def test_a_stale_answer_save_is_refused(tree):
    _assign(tree, "甲主席")
    user = login(tree.people["甲主席"])
    assignment = _assignment(tree, "甲主席")
    seen = assignment.version
    _answer(tree, "甲主席", user, count=1)
    with pytest.raises(StaleEditError):
        services.answers_save(
            assignment=assignment,
            texts={tree.questions[0].pk: "旧标签页的回答"},
            expected_version=seen,
            acting_user=user,
        )
    assert assignment.answers.get().text == "第1题的回答：学习不够深入。"


def test_nobody_but_the_assignee_answers(tree):
    _assign(tree, "甲主席")
    colleague = login(tree.people["甲科员"])
    for user in (colleague, tree.admin_a, tree.admin_city):
        with pytest.raises(PermissionDenied):
            _answer(tree, "甲主席", user, count=1)
    assert not ChecklistAnswer.objects.exists()


def test_an_oversized_answer_is_refused_with_its_field_named(tree):
    _assign(tree, "甲主席")
    user = login(tree.people["甲主席"])
    assignment = _assignment(tree, "甲主席")
    question = tree.questions[0]
    with pytest.raises(ValidationError) as caught:
        services.answers_save(
            assignment=assignment,
            texts={question.pk: "长" * (TEXT_MAX_LENGTH + 1), tree.questions[1].pk: "短"},
            expected_version=assignment.version,
            acting_user=user,
        )
    assert list(caught.value.message_dict) == [f"answer_{question.pk}"]
    assert str(TEXT_MAX_LENGTH) in caught.value.message_dict[f"answer_{question.pk}"][0]
    assert not ChecklistAnswer.objects.exists()


def test_marking_a_passage_creates_a_finding_of_the_assignee_unit(tree):
    _assign(tree, "甲一部长")
    user = login(tree.people["甲一部长"])
    question = tree.questions[6]  # T4
    assignment = _assignment(tree, "甲一部长")
    services.answers_save(
        assignment=assignment,
        texts={question.pk: "调研次数偏少。\r\n到基层听取意见不够经常，服务不到位。"},
        marks={question.pk: ("到基层听取意见不够经常", Level.LEADER)},
        expected_version=assignment.version,
        acting_user=user,
    )
    finding = Finding.objects.get()
    answer = assignment.answers.get(question=question)
    assert finding.source == Source.SELF_EXAMINATION
    assert finding.target == question.target
    assert finding.target.code == "T4"
    assert finding.level == Level.LEADER
    assert finding.answer == answer
    assert finding.unit == tree.a1
    assert finding.campaign == tree.campaign
    assert finding.text == "到基层听取意见不够经常"
    assert finding.status == FindingStatus.NEW
    assert finding.created_by == user
    assert list(answer.findings.all()) == [finding]


def test_a_passage_across_a_line_break_is_still_a_passage_of_the_answer(tree):
    _assign(tree, "甲主席")
    user = login(tree.people["甲主席"])
    question = tree.questions[0]
    assignment = _assignment(tree, "甲主席")
    services.answers_save(
        assignment=assignment,
        texts={question.pk: "学得不深。\r\n用得不够。"},
        marks={question.pk: ("学得不深。 用得不够。", Level.LEADERSHIP_GROUP)},
        expected_version=assignment.version,
        acting_user=user,
    )
    assert Finding.objects.get().level == Level.LEADERSHIP_GROUP


@pytest.mark.parametrize(
    ("passage", "level", "field"),
    [
        ("回答里没有这句话", Level.LEADER, "passage"),
        ("学习不够深入", Level.UNIT, "level"),
        ("学习不够深入", "", "level"),
    ],
)
def test_a_bad_mark_saves_nothing(tree, passage, level, field):
    _assign(tree, "甲主席")
    user = login(tree.people["甲主席"])
    question = tree.questions[0]
    with pytest.raises(ValidationError) as caught:
        _answer(tree, "甲主席", user, marks={question.pk: (passage, level)})
    assert f"{field}_{question.pk}" in caught.value.message_dict
    assert not Finding.objects.exists()
    assert not ChecklistAnswer.objects.exists()  # the answers went with it


def test_the_same_passage_is_not_marked_twice(tree):
    _assign(tree, "甲主席")
    user = login(tree.people["甲主席"])
    question = tree.questions[0]
    mark = {question.pk: ("学习不够深入", Level.LEADER)}
    _answer(tree, "甲主席", user, count=1, marks=mark)
    with pytest.raises(ValidationError, match="已标记"):
        _answer(tree, "甲主席", user, count=1, marks=mark)
    assert Finding.objects.count() == 1


# --- progress -------------------------------------------------------------------------


@pytest.fixture
def answered(tree):
    """Leadership members and county-level cadres of the city assigned; some answered."""
    for rule in (AssignRule.LEADERSHIP, AssignRule.COUNTY_UP):
        services.checklist_assign_by_rule(
            checklist=tree.checklist, unit=tree.city, rule=rule, acting_user=tree.admin_city
        )
    # 城书记 城调研员 | 甲主席 甲调研员 甲一部长 | 乙主席
    _answer(tree, "城书记", login(tree.people["城书记"]), submit=True)
    _answer(tree, "甲主席", login(tree.people["甲主席"]))  # all answered, not submitted
    _answer(tree, "甲一部长", login(tree.people["甲一部长"]), submit=True)
    _answer(tree, "乙主席", login(tree.people["乙主席"]), count=4)
    return tree


def _counts(rows) -> dict[str, tuple[int, int, int]]:
    return {row.unit.name: (row.assigned, row.complete, row.submitted) for row in rows}


def test_unit_progress_rolls_up_each_branch_exactly(answered):
    tree = answered
    rows = unit_progress(tree.admin_city, tree.checklist, tree.city)
    assert rows[0].own and rows[0].unit == tree.city
    assert _counts(rows) == {
        "市科协": (2, 1, 1),
        "东昌府区科协": (3, 2, 1),
        "临清市科协": (1, 0, 0),
    }
    assert [row.pending for row in rows] == [1, 2, 1]
    rows = unit_progress(tree.admin_a, tree.checklist, tree.a)
    assert _counts(rows) == {"东昌府区科协": (2, 1, 0), "东昌府区科协学会部": (1, 1, 1)}


def test_person_progress_says_who_has_not_answered(answered):
    tree = answered
    everyone = person_progress(tree.admin_city, tree.checklist, tree.city)
    assert {a.person.name: (a.answered, a.question_count) for a in everyone} == {
        "城书记": (10, 10),
        "城调研员": (0, 10),
        "甲主席": (10, 10),
        "甲调研员": (0, 10),
        "甲一部长": (10, 10),
        "乙主席": (4, 10),
    }
    pending = person_progress(tree.admin_a, tree.checklist, tree.a, pending_only=True)
    assert {a.person.name for a in pending} == {"甲主席", "甲调研员"}


def test_progress_is_counted_in_one_query_whatever_the_number_of_people(answered):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tree = answered
    user = tree.sysadmin
    with CaptureQueriesContext(connection) as few:
        unit_progress(user, tree.checklist, tree.city)
    services.checklist_assign_by_rule(
        checklist=tree.checklist, unit=tree.city, rule=AssignRule.EVERYONE, acting_user=user
    )
    with CaptureQueriesContext(connection) as many:
        rows = unit_progress(user, tree.checklist, tree.city)
    assert sum(row.assigned for row in rows) == 10
    assert len(many) == len(few) == 2  # the counts, then the branches' units


def test_progress_opens_on_the_user_own_part_of_the_campaign(answered):
    tree = answered
    assert progress_start(tree.admin_city, tree.campaign) == tree.city
    assert progress_start(tree.admin_a, tree.campaign) == tree.a
    assert progress_start(tree.leader_a, tree.campaign) == tree.a
    assert progress_start(tree.admin_outside, tree.campaign) is None
    assert progress_start(login(tree.people["甲科员"]), tree.campaign) is None
