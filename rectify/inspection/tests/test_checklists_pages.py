"""The checklist pages as users meet them: writing, assigning, answering, progress and scope."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.demo import data
from rectify.demo.inspection_checklists import load as load_demo_checklists
from rectify.ledger.models import Level, Source

from ..models import TEXT_MAX_LENGTH, Checklist, ChecklistAnswer, Finding
from ..selectors.checklists import AssignRule
from ..services import checklists as services
from .checklist_tree import build_tree, login

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _english(client):
    """Ask for English, so that the messages asserted here survive the zh-hans catalog."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def tree():
    tree = build_tree()
    services.checklist_assign_by_rule(
        checklist=tree.checklist,
        unit=tree.city,
        rule=AssignRule.LEADERSHIP,
        acting_user=tree.admin_city,
    )
    tree.chair_a = login(tree.people["甲主席"])
    tree.assignment = tree.checklist.assignments.get(person=tree.people["甲主席"])
    return tree


def _answer_url(tree) -> str:
    return reverse("inspection:checklist-answer", kwargs={"pk": tree.assignment.pk})


def _answers_data(tree, count=10, *, action="save", **extra) -> dict:
    data = {"version": tree.assignment.version, "action": action}
    for n, question in enumerate(tree.questions[:count], 1):
        data[f"answer_{question.pk}"] = f"第{n}题：联系群众不够经常。"
    return data | extra


def _row(html: str, attribute: str, pk: int) -> list[str]:
    """The cells of the table row marked ``data-<attribute>="<pk>"``."""
    match = re.search(rf'<tr data-{attribute}="{pk}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {attribute} {pk}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


# --- writing the checklist -----------------------------------------------------------


def test_organizer_admin_creates_the_ten_questions_from_the_template(client):
    tree = build_tree()
    client.force_login(tree.admin_city)
    response = client.post(
        reverse("inspection:checklist-create"),
        {"action": "template", "campaign": tree.campaign.slug},
    )
    checklist = Checklist.objects.exclude(pk=tree.checklist.pk).get()
    assert response.url == reverse("inspection:checklist-detail", kwargs={"pk": checklist.pk})
    page = client.get(response.url).content.decode()
    assert page.count('<tr id="question-') == 10
    assert "理论学习有收获" in page and "清正廉洁作表率" in page


def test_a_county_admin_cannot_write_the_city_checklist(client, tree):
    client.force_login(tree.admin_a)
    assert client.get(reverse("inspection:checklist-create")).status_code == 403
    url = reverse("inspection:checklist-question-create", kwargs={"pk": tree.checklist.pk})
    response = client.post(url, {"target": tree.questions[0].target_id, "text": "新问题？"})
    assert response.status_code == 403
    assert tree.checklist.questions.count() == 10
    # …but may read it and assign it in the county.
    page = client.get(reverse("inspection:checklist-detail", kwargs={"pk": tree.checklist.pk}))
    assert page.status_code == 200
    assert reverse("inspection:checklist-assign", kwargs={"pk": tree.checklist.pk}) in page.text
    assert reverse("inspection:checklist-edit", kwargs={"pk": tree.checklist.pk}) not in page.text


def test_questions_are_added_edited_moved_and_deleted_through_the_pages(client, tree):
    client.force_login(tree.admin_city)
    target = tree.campaign.targets.get(code="T4")
    response = client.post(
        reverse("inspection:checklist-question-create", kwargs={"pk": tree.checklist.pk}),
        {"target": target.pk, "text": "第十一问？"},
    )
    assert response.status_code == 302
    added = tree.checklist.questions.last()
    assert (added.text, added.target) == ("第十一问？", target)
    client.post(
        reverse("inspection:checklist-question-edit", kwargs={"pk": added.pk}),
        {"target": target.pk, "text": "改过的第十一问？", "version": added.version, "reason": ""},
    )
    added.refresh_from_db()
    assert added.text == "改过的第十一问？"
    client.post(
        reverse("inspection:checklist-question-move", kwargs={"pk": added.pk}),
        {"direction": "up"},
    )
    assert list(tree.checklist.questions.values_list("pk", flat=True))[-2] == added.pk
    client.post(reverse("inspection:checklist-question-delete", kwargs={"pk": added.pk}))
    assert not tree.checklist.questions.filter(pk=added.pk).exists()


def test_an_answered_question_cannot_be_deleted_and_the_page_says_why(client, tree):
    client.force_login(tree.chair_a)
    client.post(_answer_url(tree), _answers_data(tree, count=1))
    client.force_login(tree.admin_city)
    question = tree.questions[0]
    response = client.post(
        reverse("inspection:checklist-question-delete", kwargs={"pk": question.pk}), follow=True
    )
    assert "has been answered" in response.text
    assert tree.checklist.questions.filter(pk=question.pk).exists()


# --- assigning -----------------------------------------------------------------------


def test_assigning_by_rule_and_by_hand_through_the_page(client, tree):
    client.force_login(tree.admin_a)
    url = reverse("inspection:checklist-assign", kwargs={"pk": tree.checklist.pk})
    assert client.get(url).status_code == 200
    before = tree.checklist.assignments.count()
    response = client.post(
        url, {"action": "rule", "unit": tree.a.pk, "rule": AssignRule.COUNTY_UP}, follow=True
    )
    assert "Assigned to 1 more person." in response.text
    response = client.post(
        url,
        {"action": "hand", "persons": [tree.people["甲科员"].pk, tree.people["甲一科员"].pk]},
        follow=True,
    )
    assert "Assigned to 2 more people." in response.text
    assert tree.checklist.assignments.count() == before + 3
    # Another county's person is not among the choices.
    response = client.post(url, {"action": "hand", "persons": [tree.people["乙科员"].pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert tree.checklist.assignments.count() == before + 3


def test_the_hand_picked_list_offers_the_people_of_the_chosen_unit(client, tree):
    client.force_login(tree.admin_a)
    url = reverse("inspection:checklist-assign", kwargs={"pk": tree.checklist.pk})
    page = client.get(url, {"around": tree.a1.pk}).text
    offered = re.search(r'<select name="persons".*?</select>', page, re.S).group(0)
    assert "甲一科员" in offered and "甲一部长" in offered
    assert "甲科员" not in offered
    page = client.get(url, {"around": tree.b.pk}).text  # not theirs: the default list
    offered = re.search(r'<select name="persons".*?</select>', page, re.S).group(0)
    assert "甲科员" in offered and "乙科员" not in offered


def test_someone_administering_no_unit_of_the_campaign_cannot_assign(client, tree):
    client.force_login(tree.leader_a)
    url = reverse("inspection:checklist-assign", kwargs={"pk": tree.checklist.pk})
    assert client.get(url).status_code == 403
    response = client.post(url, {"action": "rule", "unit": tree.a.pk, "rule": "everyone"})
    assert response.status_code == 403


# --- answering -----------------------------------------------------------------------


def test_the_assignee_finds_the_checklist_under_my_checklists(client, tree):
    client.force_login(tree.chair_a)
    page = client.get(reverse("inspection:checklist-mine")).text
    assert _answer_url(tree) in page
    assert "0 / 10" in page
    assert "Not answered yet" in page


def test_answering_as_a_draft_then_submitting(client, tree):
    client.force_login(tree.chair_a)
    response = client.post(_answer_url(tree), _answers_data(tree, count=4), follow=True)
    assert "Draft saved." in response.text
    assert ChecklistAnswer.objects.filter(assignment=tree.assignment).count() == 4
    tree.assignment.refresh_from_db()
    response = client.post(_answer_url(tree), _answers_data(tree, action="submit"), follow=True)
    assert "Answers submitted." in response.text
    tree.assignment.refresh_from_db()
    assert tree.assignment.submitted_at is not None
    assert 'id="answers-form"' not in response.text  # read-only now
    assert "第10题：联系群众不够经常。" in response.text


def test_submitting_with_questions_unanswered_says_which(client, tree):
    client.force_login(tree.chair_a)
    response = client.post(_answer_url(tree), _answers_data(tree, count=8, action="submit"))
    assert response.status_code == 200
    assert "still unanswered: 9, 10" in response.text
    tree.assignment.refresh_from_db()
    assert tree.assignment.submitted_at is None
    assert not ChecklistAnswer.objects.exists()


def test_marking_a_passage_creates_a_finding_shown_on_the_answer_page(client, tree):
    client.force_login(tree.chair_a)
    question = tree.questions[2]  # T2
    data = _answers_data(
        tree,
        count=3,
        **{f"passage_{question.pk}": "联系群众不够经常", f"level_{question.pk}": Level.LEADER},
    )
    response = client.post(_answer_url(tree), data, follow=True)
    finding = Finding.objects.get()
    assert finding.source == Source.SELF_EXAMINATION
    assert finding.target == question.target
    assert finding.level == Level.LEADER
    assert finding.answer == ChecklistAnswer.objects.get(question=question)
    assert finding.unit == tree.a
    block = response.text.split(f'id="q-{question.pk}"')[1].split("</li>\n")[0]
    assert "Individual leading cadre" in block
    assert "联系群众不够经常" in block


def test_a_passage_not_in_the_answer_is_refused_next_to_its_field(client, tree):
    client.force_login(tree.chair_a)
    question = tree.questions[0]
    data = _answers_data(
        tree,
        count=1,
        **{f"passage_{question.pk}": "回答里没有这句", f"level_{question.pk}": Level.LEADER},
    )
    response = client.post(_answer_url(tree), data)
    assert response.status_code == 200
    assert f'id="id_passage_{question.pk}-error"' in response.text
    assert not Finding.objects.exists()
    assert not ChecklistAnswer.objects.exists()


def test_an_oversized_answer_is_refused_with_a_clear_error(client, tree):
    client.force_login(tree.chair_a)
    question = tree.questions[0]
    data = _answers_data(tree, count=0, **{f"answer_{question.pk}": "长" * (TEXT_MAX_LENGTH + 1)})
    response = client.post(_answer_url(tree), data)
    assert response.status_code == 200
    assert f"at most {TEXT_MAX_LENGTH} characters" in response.text
    assert f'id="id_answer_{question.pk}-error"' in response.text
    assert not ChecklistAnswer.objects.exists()


def test_a_colleague_cannot_open_or_answer_another_assignment(client, tree):
    client.force_login(login(tree.people["甲科员"]))
    assert client.get(_answer_url(tree)).status_code == 404
    assert client.post(_answer_url(tree), _answers_data(tree)).status_code == 404
    assert not ChecklistAnswer.objects.exists()


def test_the_unit_admin_reads_the_answers_but_cannot_answer(client, tree):
    client.force_login(tree.chair_a)
    client.post(_answer_url(tree), _answers_data(tree, count=2))
    client.force_login(tree.admin_a)
    page = client.get(_answer_url(tree))
    assert page.status_code == 200
    assert "第2题：联系群众不够经常。" in page.text
    assert 'id="answers-form"' not in page.text
    tree.assignment.refresh_from_db()
    response = client.post(_answer_url(tree), _answers_data(tree, count=1) | {"answer_0": "x"})
    assert response.status_code == 403
    assert ChecklistAnswer.objects.count() == 2


def test_another_county_admin_gets_404_on_the_assignment(client, tree):
    client.force_login(tree.admin_b)
    assert client.get(_answer_url(tree)).status_code == 404
    assert client.post(_answer_url(tree), _answers_data(tree)).status_code == 404


def test_script_in_answers_and_passages_is_rendered_inert(client, tree):
    client.force_login(tree.chair_a)
    question = tree.questions[0]
    data = _answers_data(
        tree,
        count=0,
        **{
            f"answer_{question.pk}": f"问题在于：{XSS}",
            f"passage_{question.pk}": XSS,
            f"level_{question.pk}": Level.LEADERSHIP_GROUP,
        },
    )
    client.post(_answer_url(tree), data)
    assert ChecklistAnswer.objects.get().text == f"问题在于：{XSS}"  # kept as typed
    assert Finding.objects.get().text == XSS
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    for user in (tree.chair_a, tree.admin_a):  # the form, and the read-only page
        client.force_login(user)
        page = client.get(_answer_url(tree)).text
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert escaped in page


# --- progress ------------------------------------------------------------------------


def _progress_url(tree, unit=None) -> str:
    if unit is None:
        return reverse("inspection:checklist-progress", kwargs={"pk": tree.checklist.pk})
    kwargs = {"pk": tree.checklist.pk, "unit_pk": unit.pk}
    return reverse("inspection:checklist-progress-unit", kwargs=kwargs)


def test_progress_counts_are_exact_per_unit_and_per_person(client, tree):
    # Assigned (leadership): 城书记 | 甲主席 甲一部长 | 乙主席
    client.force_login(tree.chair_a)
    client.post(_answer_url(tree), _answers_data(tree, action="submit"))
    head = login(tree.people["甲一部长"])
    assignment = tree.checklist.assignments.get(person=tree.people["甲一部长"])
    services.answers_save(
        assignment=assignment,
        texts={q.pk: "回答" for q in tree.questions[:3]},
        expected_version=assignment.version,
        acting_user=head,
    )
    client.force_login(tree.admin_city)
    assert client.get(_progress_url(tree)).url == _progress_url(tree, tree.city)
    page = client.get(_progress_url(tree, tree.city)).text
    assert _row(page, "unit", tree.city.pk)[1:] == ["1", "0", "0", "1"]
    assert _row(page, "unit", tree.a.pk)[1:] == ["2", "1", "1", "1"]
    assert _row(page, "unit", tree.b.pk)[1:] == ["1", "0", "0", "1"]
    assert _row(page, "person", tree.people["甲一部长"].pk)[3:] == ["3 / 10", "Draft"]
    assert _row(page, "person", tree.people["乙主席"].pk)[3:] == ["0 / 10", "Not answered yet"]
    pending = client.get(_progress_url(tree, tree.a) + "?pending=1").text
    assert f'data-person="{tree.people["甲一部长"].pk}"' in pending
    assert f'data-person="{tree.people["甲主席"].pk}"' not in pending


def test_a_leader_follows_progress_of_their_own_subtree(client, tree):
    client.force_login(tree.leader_a)
    assert client.get(_progress_url(tree)).url == _progress_url(tree, tree.a)
    assert client.get(_progress_url(tree, tree.a)).status_code == 200
    assert client.get(_progress_url(tree, tree.city)).status_code == 404


def test_another_county_admin_cannot_see_this_county_progress(client, tree):
    client.force_login(tree.admin_b)
    assert client.get(_progress_url(tree, tree.a)).status_code == 404
    assert client.get(_progress_url(tree, tree.a1)).status_code == 404
    page = client.get(_progress_url(tree, tree.b)).text
    assert f'data-person="{tree.people["甲主席"].pk}"' not in page
    assert f'data-unit="{tree.a.pk}"' not in page


def test_an_outsider_gets_404_for_checklist_and_progress(client, tree):
    client.force_login(tree.admin_outside)
    assert client.get(_progress_url(tree)).status_code == 404
    detail = reverse("inspection:checklist-detail", kwargs={"pk": tree.checklist.pk})
    assert client.get(detail).status_code == 404


def test_an_assignee_without_a_role_sees_no_progress(client, tree):
    client.force_login(tree.chair_a)
    assert client.get(_progress_url(tree)).status_code == 404
    assert client.get(_progress_url(tree, tree.a)).status_code == 404


def test_the_progress_page_makes_as_many_queries_for_many_people_as_for_few(client, tree):
    client.force_login(tree.admin_city)
    url = _progress_url(tree, tree.city)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    services.checklist_assign_by_rule(
        checklist=tree.checklist,
        unit=tree.city,
        rule=AssignRule.EVERYONE,
        acting_user=tree.admin_city,
    )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).text
    assert page.count("<tr data-person=") == 10
    assert len(many) == len(few)


# --- demo ------------------------------------------------------------------------------


def test_the_demo_checklist_loads_once_with_answers_findings_and_people_not_answered():
    from django.core.management import call_command

    from rectify.campaigns.models import Campaign
    from rectify.org.models import Person, Unit

    call_command("load_demo", quiet=True)
    campaign = Campaign.objects.get(slug=data.CAMPAIGN["slug"])
    units = {unit.code: unit for unit in Unit.objects.all()}
    people = {
        spec.key: Person.objects.get(unit=units[spec.unit], name=data.PERSON_NAMES[spec.key])
        for spec in data.PEOPLE
    }
    targets = {target.code: target for target in campaign.targets.all()}
    admin = Person.objects.get(name=data.PERSON_NAMES["sd.admin"]).user
    args = {"campaign": campaign, "units": units, "people": people, "targets": targets}
    # load_demo made it already: loading the stage again adds nothing.
    assert load_demo_checklists(**args, admin=admin) == 0
    checklist = Checklist.objects.get(campaign=campaign)
    leaders = {people[k].pk for k in ("lc.secretary", "lc.vice1", "lc.vice2", "lc.secgen")}
    assert set(checklist.assignments.values_list("person", flat=True)) == leaders
    findings = Finding.objects.filter(answer__assignment__checklist=checklist)
    assert findings.count() == 2
    assert set(findings.values_list("level", flat=True)) == {Level.LEADERSHIP_GROUP, Level.LEADER}
    answered = set(
        checklist.assignments.filter(answers__isnull=False).values_list("person", flat=True)
    )
    assert answered == {people["lc.secretary"].pk, people["lc.vice1"].pk}
    assert checklist.assignments.filter(submitted_at__isnull=False).count() == 1
