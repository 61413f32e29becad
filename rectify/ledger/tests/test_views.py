"""The ledger pages as a user meets them: lists, forms, scope, evidence and query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import (
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
)
from rectify.ledger.models import Evidence, Measure, MeasureKind, MeasureStatus, Problem
from rectify.ledger.services import progress_record

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
#: The most queries a list page may make, whatever its number of rows (one is the inbox badge,
#: one the urge and extension counts of the page's rows).
LIST_MAX_QUERIES = 20


@pytest.fixture(autouse=True)
def _english(client):
    """Ask for English, so that the messages asserted here survive the zh-hans catalog."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _login(client, user):
    client.force_login(user)
    return client


def _problem_data(city, **overrides) -> dict:
    data = {
        "campaign": city.campaign.slug,
        "unit": city.a.pk,
        "target": city.campaign.targets.first().pk,
        "description": "理论学习不够深入",
        "source": "self",
        "level": "unit",
        "found_on": (TODAY - dt.timedelta(days=2)).isoformat(),
        "concerned_person": "",
        "root_cause": "",
    }
    return data | overrides


def _measure_data(city, **overrides) -> dict:
    data = {
        "content": "制定学习计划",
        "expected_outcome": "",
        "kind": MeasureKind.DEADLINE,
        "deadline": (TODAY + dt.timedelta(days=20)).isoformat(),
        "responsible_leader": "",
        "responsible_department": "",
        "responsible_persons": [city.zeren_person.pk],
    }
    return data | overrides


# Lists


def test_light_filter_shows_only_red_measures(city, client):
    problem = make_problem(city.campaign, city.a, found_on=TODAY - dt.timedelta(days=30))
    make_measure(problem, content="逾期的措施", deadline=TODAY - dt.timedelta(days=1))
    make_measure(problem, content="按期的措施", deadline=TODAY + dt.timedelta(days=30))
    make_measure(problem, content="长期的措施", kind=MeasureKind.LONG_TERM, deadline=None)
    response = _login(client, city.admin_a).get(reverse("ledger:measure-list"), {"light": "red"})
    assert response.status_code == 200
    rows = list(response.context["page_obj"])
    assert [m.content for m in rows] == ["逾期的措施"]
    assert "按期的措施" not in response.text
    assert response.context["lights"][2] == ("red", "Red", 1, False)


def test_lists_show_only_the_users_county(city, client):
    make_measure(make_problem(city.campaign, city.a, description="东昌府的问题"))
    make_measure(make_problem(city.campaign, city.b, description="临清的问题"))
    _login(client, city.admin_a)
    problems = client.get(reverse("ledger:problem-list")).text
    assert "东昌府的问题" in problems
    assert "临清的问题" not in problems
    measures = client.get(reverse("ledger:measure-list"))
    assert {m.unit_id for m in measures.context["page_obj"]} == {city.a.pk}


def test_filter_choices_are_narrowed_to_scope(city, client):
    outsider = make_campaign(city.b, organizer=city.b)
    response = _login(client, city.admin_a).get(
        reverse("ledger:problem-list"), {"campaign": outsider.slug}
    )
    assert response.status_code == 200
    assert "campaign" in response.context["filter"].form.errors
    assert list(response.context["page_obj"]) == []


def test_problem_list_sorts_by_the_filter_ordering(city, client):
    first = make_problem(city.campaign, city.a)
    second = make_problem(city.campaign, city.a)
    response = _login(client, city.admin_a).get(reverse("ledger:problem-list"), {"o": "-id"})
    assert [p.pk for p in response.context["page_obj"]] == [second.pk, first.pk]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("list_name", ["problem-list", "measure-list", "my-responsibilities"])
def test_list_query_count_does_not_grow_with_rows(
    city, client, list_name, django_assert_max_num_queries
):
    _login(client, city.zeren if list_name == "my-responsibilities" else city.admin_a)
    url = reverse(f"ledger:{list_name}")

    def add_rows(n):
        for _ in range(n):
            problem = make_problem(city.campaign, city.a, acting_user=city.sysadmin)
            persons = [city.zeren_person, make_person(city.a)]
            make_measure(problem, persons=persons, acting_user=city.sysadmin)

    add_rows(5)
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        few = _queries(client, url)
    add_rows(20)
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        many = _queries(client, url)
    assert many == few


# Forms


def test_deadline_measure_without_deadline_shows_field_error_and_saves_nothing(city, client):
    problem = make_problem(city.campaign, city.a)
    response = _login(client, city.admin_a).post(
        reverse("ledger:measure-create", args=[problem.pk]), _measure_data(city, deadline="")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["deadline"] == ["A deadline is required unless the measure is long-term."]
    assert 'id="id_deadline-error"' in response.text
    assert Measure.all_objects.count() == 0


def test_long_term_measure_needs_no_deadline(city, client):
    problem = make_problem(city.campaign, city.a)
    response = _login(client, city.admin_a).post(
        reverse("ledger:measure-create", args=[problem.pk]),
        _measure_data(city, kind=MeasureKind.LONG_TERM, deadline=""),
    )
    measure = Measure.objects.get()
    assert response.status_code == 302
    assert response.url == measure.get_absolute_url()
    assert list(measure.responsible_persons.all()) == [city.zeren_person]


def test_problem_created_through_the_form(city, client):
    response = _login(client, city.admin_a).post(
        reverse("ledger:problem-create"), _problem_data(city)
    )
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert (problem.unit, problem.campaign, problem.created_by) == (
        city.a,
        city.campaign,
        city.admin_a,
    )


def test_problem_create_asks_for_the_campaign_when_there_are_several(city, client):
    other = make_campaign(city.city)
    _login(client, city.admin_a)
    chooser = client.get(reverse("ledger:problem-create"))
    assert "form" not in chooser.context
    assert city.campaign.slug in chooser.text and other.slug in chooser.text
    form = client.get(reverse("ledger:problem-create"), {"campaign": other.slug}).context["form"]
    assert list(form.fields["target"].queryset) == list(other.targets.all())
    assert list(form.fields["unit"].queryset) == [city.a]


def test_problem_posted_to_a_campaign_out_of_scope_is_not_saved(city, client):
    foreign = make_campaign(make_unit("外市科协"))
    data = _problem_data(city, campaign=foreign.slug, target=foreign.targets.first().pk)
    response = _login(client, city.admin_a).post(reverse("ledger:problem-create"), data)
    assert response.status_code == 200
    assert "form" not in response.context
    assert Problem.all_objects.count() == 0


def test_stale_problem_edit_is_refused_and_the_first_edit_survives(city, client):
    problem = make_problem(city.campaign, city.a)
    url = reverse("ledger:problem-edit", args=[problem.pk])
    _login(client, city.admin_a)
    opened = client.get(url).context["form"].initial["version"]
    data = _problem_data(city, version=opened, description="第一次修改")
    assert client.post(url, data).status_code == 302
    response = client.post(url, data | {"description": "第二次修改"})
    assert response.status_code == 200
    assert "Someone else changed this item after you opened it." in response.text
    assert response.context["form"].non_field_errors()
    problem.refresh_from_db()
    assert problem.description == "第一次修改"
    assert problem.version == opened + 1


def test_stale_measure_edit_is_refused(city, client):
    measure = make_measure(make_problem(city.campaign, city.a), persons=[city.zeren_person])
    url = reverse("ledger:measure-edit", args=[measure.pk])
    _login(client, city.admin_a)
    data = _measure_data(city, version=measure.version)
    assert client.post(url, data | {"content": "甲"}).status_code == 302
    response = client.post(url, data | {"content": "乙"})
    assert "Someone else changed this item" in response.text
    measure.refresh_from_db()
    assert measure.content == "甲"


def test_forged_target_from_another_campaign_is_rejected(city, client):
    other = make_campaign(city.city)
    data = _problem_data(city, target=other.targets.first().pk)
    response = _login(client, city.admin_a).post(reverse("ledger:problem-create"), data)
    assert response.status_code == 200
    assert "target" in response.context["form"].errors
    assert Problem.all_objects.count() == 0


def test_forged_unit_of_another_county_is_rejected(city, client):
    data = _problem_data(city, unit=city.b.pk)
    response = _login(client, city.admin_a).post(reverse("ledger:problem-create"), data)
    assert "unit" in response.context["form"].errors
    assert Problem.all_objects.count() == 0


def test_script_in_a_text_field_is_shown_escaped(city, client):
    script = "<script>alert('x')</script>"
    problem = make_problem(city.campaign, city.a, description=script)
    make_measure(problem, content=script)
    _login(client, city.admin_a)
    for url in (
        reverse("ledger:problem-list"),
        problem.get_absolute_url(),
        reverse("ledger:measure-list"),
    ):
        text = client.get(url).text
        assert script not in text
        assert "&lt;script&gt;" in text


# Scope


def test_other_county_admin_gets_404_everywhere(city, client):
    problem = make_problem(city.campaign, city.a)
    measure = make_measure(problem)
    _login(client, city.admin_b)
    for url in (
        problem.get_absolute_url(),
        reverse("ledger:problem-edit", args=[problem.pk]),
        reverse("ledger:measure-create", args=[problem.pk]),
        measure.get_absolute_url(),
        reverse("ledger:measure-edit", args=[measure.pk]),
        reverse("ledger:unit-lists", args=[city.a.pk]),
        reverse("ledger:department-responsibilities", args=[city.a.pk]),
        reverse("ledger:person-responsibilities", args=[city.zeren_person.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("ledger:problem-delete", args=[problem.pk])).status_code == 404


def test_responsible_person_sees_but_may_not_edit(city, client):
    problem = make_problem(city.campaign, city.a)
    measure = make_measure(problem, persons=[city.zeren_person])
    _login(client, city.zeren)
    assert client.get(measure.get_absolute_url()).status_code == 200
    assert client.get(problem.get_absolute_url()).status_code == 200
    assert client.get(reverse("ledger:measure-edit", args=[measure.pk])).status_code == 403
    assert client.post(reverse("ledger:measure-delete", args=[measure.pk])).status_code == 403
    data = {"status": MeasureStatus.COMPLETED, "version": measure.version}
    assert client.post(reverse("ledger:measure-status", args=[measure.pk]), data).status_code == 403


def test_pages_need_a_login(city, client):
    response = client.get(reverse("ledger:measure-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Progress and evidence


def test_responsible_person_records_progress_with_several_files(city, client):
    measure = make_measure(make_problem(city.campaign, city.a), persons=[city.zeren_person])
    files = [
        SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 a", content_type="application/pdf"),
        SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff", content_type="image/jpeg"),
    ]
    response = _login(client, city.zeren).post(
        reverse("ledger:measure-progress", args=[measure.pk]),
        {"text": "召开专题会议", "reported_on": TODAY.isoformat(), "files": files},
    )
    assert response.status_code == 302
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == [
        "照片.jpg",
        "纪要.pdf",
    ]
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS
    page = client.get(measure.get_absolute_url()).text
    assert "召开专题会议" in page and "纪要.pdf" in page


def test_refused_file_type_shows_an_error_and_saves_nothing(city, client):
    measure = make_measure(make_problem(city.campaign, city.a), persons=[city.zeren_person])
    response = _login(client, city.zeren).post(
        reverse("ledger:measure-progress", args=[measure.pk]),
        {
            "text": "x",
            "reported_on": TODAY.isoformat(),
            "files": [SimpleUploadedFile("a.exe", b"MZ")],
        },
    )
    assert response.status_code == 200
    assert "files" in response.context["progress_form"].errors
    assert measure.progress_notes.count() == 0


def test_evidence_download_for_the_responsible_person_and_404_for_other_county(city, client):
    measure = make_measure(make_problem(city.campaign, city.a), persons=[city.zeren_person])
    upload = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    note = progress_record(measure=measure, text="已整改", acting_user=city.zeren, files=[upload])
    url = note.evidence.get().get_absolute_url()
    response = _login(client, city.zeren).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    assert _login(client, city.admin_b).get(url).status_code == 404


# Status, delete and restore


def test_admin_sets_the_status_and_the_light_turns_green(city, client):
    measure = make_measure(
        make_problem(city.campaign, city.a, found_on=TODAY - dt.timedelta(days=30)),
        deadline=TODAY - dt.timedelta(days=1),
    )
    _login(client, city.admin_a)
    data = {"status": MeasureStatus.COMPLETED, "version": measure.version, "reason": "已验收"}
    assert client.post(reverse("ledger:measure-status", args=[measure.pk]), data).status_code == 302
    page = client.get(measure.get_absolute_url())
    assert page.context["measure"].light == "green"
    assert "已验收" in page.text


def test_delete_is_post_only_and_restore_brings_the_problem_back(city, client):
    problem = make_problem(city.campaign, city.a)
    measure = make_measure(problem)
    _login(client, city.admin_a)
    delete_url = reverse("ledger:problem-delete", args=[problem.pk])
    assert client.get(delete_url).status_code == 405
    assert client.post(delete_url, {"reason": "重复录入"}).status_code == 302
    assert not Problem.objects.filter(pk=problem.pk).exists()
    assert not Measure.objects.filter(pk=measure.pk).exists()
    detail = client.get(problem.get_absolute_url())
    assert detail.status_code == 200
    assert "重复录入" in detail.text
    assert _login(client, city.zeren).get(problem.get_absolute_url()).status_code == 404
    _login(client, city.admin_a)
    assert client.post(reverse("ledger:problem-restore", args=[problem.pk])).status_code == 302
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_restoring_a_measure_of_a_deleted_problem_says_why_not(city, client):
    problem = make_problem(city.campaign, city.a)
    measure = make_measure(problem)
    _login(client, city.admin_a)
    client.post(reverse("ledger:problem-delete", args=[problem.pk]))
    response = client.post(reverse("ledger:measure-restore", args=[measure.pk]), follow=True)
    assert "Restore the problem first." in response.text
    assert not Measure.objects.filter(pk=measure.pk).exists()


# Responsibility lists


def test_responsibility_lists_of_person_department_and_self(city, client):
    problem = make_problem(city.campaign, city.a)
    mine = make_measure(problem, persons=[city.zeren_person], responsible_department=city.a)
    make_measure(problem)
    _login(client, city.admin_a)
    by_person = client.get(reverse("ledger:person-responsibilities", args=[city.zeren_person.pk]))
    assert [m.pk for m in by_person.context["page_obj"]] == [mine.pk]
    by_department = client.get(reverse("ledger:department-responsibilities", args=[city.a.pk]))
    assert [m.pk for m in by_department.context["page_obj"]] == [mine.pk]
    own = _login(client, city.zeren).get(reverse("ledger:my-responsibilities"))
    assert [m.pk for m in own.context["page_obj"]] == [mine.pk]
    assert city.campaign.name in own.text


def test_login_without_a_person_is_told_so(city, client):
    response = _login(client, city.sysadmin).get(reverse("ledger:my-responsibilities"))
    assert response.status_code == 200
    assert "Your login is not tied to a person" in response.text


def test_unit_lists_show_the_three_lists_of_the_subtree(city, client):
    problem = make_problem(city.campaign, city.a, description="甲县问题")
    make_measure(problem, content="甲县措施", persons=[city.zeren_person])
    make_measure(make_problem(city.campaign, city.b), content="乙县措施")
    url = reverse("ledger:unit-lists", args=[city.city.pk])
    response = _login(client, city.sysadmin).get(url, {"campaign": city.campaign.slug})
    assert response.status_code == 200
    assert "甲县问题" in response.text and "甲县措施" in response.text and "王责任" in response.text
    county = client.get(reverse("ledger:unit-lists", args=[city.a.pk]))
    assert "乙县措施" not in county.text
    assert client.get(url, {"campaign": "no-such-campaign"}).status_code == 404


def test_history_shows_who_changed_what_and_why(city, client):
    measure = make_measure(make_problem(city.campaign, city.a), persons=[city.zeren_person])
    _login(client, city.admin_a)
    data = _measure_data(city, version=measure.version, content="新的措施", reason="细化措施")
    client.post(reverse("ledger:measure-edit", args=[measure.pk]), data)
    history = client.get(measure.get_absolute_url()).context["history"]
    latest = history[0]
    assert latest["reason"] == "细化措施"
    assert latest["who"] == city.admin_a.person.name
    assert {"field": "measure", "old": measure.content, "new": "新的措施"} in [
        {**c, "field": str(c["field"])} for c in latest["changes"]
    ]
