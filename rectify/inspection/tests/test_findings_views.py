"""The triage pages as a user meets them: the queue, a finding, triage by POST, scope, escaping."""

import hashlib

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from rectify.core.testing import make_campaign, make_problem, make_user
from rectify.inspection.models import Finding, FindingStatus, Opinion, OpinionForm
from rectify.inspection.services.findings import (
    finding_attach,
    finding_dismiss,
    finding_join,
    finding_promote,
    record_finding,
)
from rectify.inspection.views.findings import problem_sources_panel
from rectify.ledger import panels
from rectify.ledger.models import Level, Problem, Source
from rectify.ledger.panels import problem_panels, register_problem_panel
from rectify.ledger.tests.conftest import build_city
from rectify.org.models import Role

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>'
#: The most queries the queue may make, whatever its number of rows.
QUEUE_MAX_QUERIES = 20


@pytest.fixture(autouse=True)
def _english(client):
    """Ask for English, so that the messages asserted here survive the zh-hans catalog:
    the pages, and the texts the services write (in the language of the request)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def city():
    return build_city()


def finding(city, text="联系科技工作者渠道少", *, unit=None, campaign=None, **fields):
    """A finding waiting in a queue (county A's in the city campaign unless told)."""
    fields.setdefault("source", Source.OPINIONS)
    fields.setdefault("target", (campaign or city.campaign).targets.first())
    with transaction.atomic():
        return record_finding(
            campaign=campaign or city.campaign, unit=unit or city.a, text=text, **fields
        )


def opinion_finding(city, text="希望简化申报材料"):
    """A finding that came from a solicited opinion of county A."""
    form = OpinionForm.objects.create(
        campaign=city.campaign, unit=city.a, title="征求意见", token=f"token-{text}"
    )
    receipt = hashlib.sha256(text.encode()).hexdigest()
    opinion = Opinion.objects.create(form=form, text=text, receipt_hash=receipt)
    return finding(city, text, opinion=opinion)


def queue(client, user, city, unit=None, **filters):
    client.force_login(user)
    query = {"campaign": city.campaign.slug, "unit": (unit or city.a).pk} | filters
    return client.get(reverse("inspection:finding-list"), query)


def rows(response) -> list[str]:
    return [f.text for f in response.context["page_obj"]]


def counts(response) -> dict[str, int]:
    return {value: n for value, _label, n in response.context["counts"]}


def fresh(obj):
    obj.refresh_from_db()
    return obj


# The queue


@pytest.fixture
def queue_rows(city):
    """County A: three findings to triage, one dismissed; noise in other queues."""
    t1, t2 = city.campaign.targets.all()[:2]
    made = {
        "opinion": finding(city, "意见一", target=t1, level=Level.UNIT),
        "opinion2": finding(city, "意见二", target=t2, level=Level.LEADER),
        "research": finding(city, "调研发现", source=Source.RESEARCH, target=t1),
        "dismissed": finding(city, "已驳回的发现"),
        "county_b": finding(city, "临清的发现", unit=city.b),
        "city": finding(city, "市级的发现", unit=city.city),
        "other_campaign": finding(city, "另一活动的发现", campaign=make_campaign(city.a)),
    }
    finding_dismiss(finding=made["dismissed"], reason="不属实", acting_user=city.admin_a)
    return made


def test_queue_shows_the_unit_s_findings_to_triage_with_exact_counts(city, client, queue_rows):
    response = queue(client, city.admin_a, city)
    assert response.status_code == 200
    assert sorted(rows(response)) == sorted(["意见一", "意见二", "调研发现"])
    assert counts(response) == {
        FindingStatus.NEW: 3,
        FindingStatus.PROMOTED: 0,
        FindingStatus.MERGED: 0,
        FindingStatus.DUPLICATE: 0,
        FindingStatus.DISMISSED: 1,
    }
    assert response.context["total"] == 4
    for noise in ("临清的发现", "市级的发现", "另一活动的发现", "已驳回的发现"):
        assert noise not in response.text


def test_queue_filters_by_source_target_level_and_status(city, client, queue_rows):
    by_source = queue(client, city.admin_a, city, source=Source.RESEARCH)
    assert rows(by_source) == ["调研发现"]
    assert counts(by_source)[FindingStatus.NEW] == 1
    assert counts(by_source)[FindingStatus.DISMISSED] == 0, "counts follow the other filters"
    t2 = city.campaign.targets.all()[1]
    assert rows(queue(client, city.admin_a, city, target=t2.pk)) == ["意见二"]
    assert rows(queue(client, city.admin_a, city, level=Level.LEADER)) == ["意见二"]
    dismissed = queue(client, city.admin_a, city, status=FindingStatus.DISMISSED)
    assert rows(dismissed) == ["已驳回的发现"]
    everything = queue(client, city.admin_a, city, status="")
    assert len(rows(everything)) == 4
    assert counts(everything)[FindingStatus.NEW] == 3


def test_dismissed_findings_stay_visible_with_their_reason(city, client, queue_rows):
    response = queue(client, city.admin_a, city, status=FindingStatus.DISMISSED)
    assert rows(response) == ["已驳回的发现"]
    page = client.get(queue_rows["dismissed"].get_absolute_url())
    assert "不属实" in page.text and "Dismissed" in page.text


def test_queue_opens_on_the_user_s_only_campaign_and_unit(city, client):
    finding(city, "意见一")
    finding(city, "市级的发现", unit=city.city)
    client.force_login(city.admin_a)
    response = client.get(reverse("inspection:finding-list"))
    assert response.context["unit"] == city.a
    assert response.context["campaign"] == city.campaign
    assert rows(response) == ["意见一"]
    # With two campaigns the user chooses.
    make_campaign(city.a)
    response = client.get(reverse("inspection:finding-list"))
    assert response.context["campaign"] is None and rows(response) == []
    assert "Choose a campaign and a unit" in response.text


def test_queue_of_another_county_shows_nothing_of_it(city, client, queue_rows):
    response = queue(client, city.admin_a, city, unit=city.b)
    assert response.status_code == 200
    assert rows(response) == []
    assert response.context["counts"] is None
    assert "临清的发现" not in response.text


def test_queue_rows_show_their_source_and_where_they_came_from(city, client):
    from_opinion = opinion_finding(city)
    by_hand = finding(city, "手工记录", source=Source.SUPERIOR)
    label, url = from_opinion.origin()
    assert label == f"Opinion No. {from_opinion.opinion_id}"
    try:
        expected = reverse("inspection:opinion-detail", kwargs={"pk": from_opinion.opinion_id})
    except NoReverseMatch:
        expected = None
    assert url == expected
    assert by_hand.origin() == ("Recorded by hand", None)
    response = queue(client, city.admin_a, city)
    assert label in response.text and "Solicited opinions" in response.text
    assert "Feedback from superiors" in response.text
    if expected:
        assert f'href="{expected}"' in response.text


def test_queue_queries_do_not_grow_with_its_rows(city, client):
    client.force_login(city.admin_a)
    query = {"campaign": city.campaign.slug, "unit": city.a.pk}

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("inspection:finding-list"), query)
        assert response.status_code == 200
        return len(captured)

    finding(city, "第一条")
    few = count_queries()
    for n in range(20):
        finding(city, f"发现{n}")
    many = count_queries()
    assert many == few
    assert many <= QUEUE_MAX_QUERIES


# The finding page and triage


def test_finding_page_shows_its_facts_what_joined_it_and_history(city, client):
    root = finding(city, "根发现", level=Level.LEADER)
    joined = finding(city, "并入的发现", source=Source.SELF_EXAMINATION)
    finding_join(finding=joined, into=root, acting_user=city.admin_a)
    client.force_login(city.admin_a)
    response = client.get(root.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "根发现" in text and "Solicited opinions" in text and "Individual leading cadre" in text
    assert "并入的发现" in text and "Self-examination" in text
    assert "To triage" in text and 'id="promote-form"' in text
    history = response.context["history"]
    assert [entry["action"] for entry in history] == ["created"]
    joined_page = client.get(joined.get_absolute_url())
    assert f"Joined finding {root.pk}" in joined_page.text
    assert 'id="promote-form"' not in joined_page.text, "a triaged finding offers no triage"


def test_promote_by_post_redirects_to_the_new_problem(city, client):
    found = finding(city)
    target = city.campaign.targets.last()
    client.force_login(city.admin_a)
    response = client.post(
        reverse("inspection:finding-promote", args=[found.pk]),
        {
            "target": target.pk,
            "description": "联系服务科技工作者渠道少",
            "level": Level.LEADERSHIP_GROUP,
            "root_cause": "服务意识不强",
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and response.url == problem.get_absolute_url()
    assert (problem.target, problem.source, problem.level) == (
        target,
        Source.OPINIONS,
        Level.LEADERSHIP_GROUP,
    )
    assert fresh(found).problem == problem and found.status == FindingStatus.PROMOTED


def test_promote_form_prefills_the_finding_and_shows_errors_by_the_field(city, client):
    found = finding(city, "原话", target=None, level=Level.MEMBER)
    client.force_login(city.admin_a)
    form = client.get(found.get_absolute_url()).context["promote_form"]
    assert form.initial["description"] == "原话" and form.initial["level"] == Level.MEMBER
    response = client.post(
        reverse("inspection:finding-promote", args=[found.pk]),
        {"target": "", "description": "x" * 5001, "level": Level.UNIT},
    )
    assert response.status_code == 200
    errors = response.context["promote_form"].errors
    assert set(errors) == {"target", "description"}
    assert not Problem.objects.exists()
    assert fresh(found).status == FindingStatus.NEW


def test_attach_by_post_links_the_finding_to_the_chosen_problem(city, client):
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    found = finding(city)
    client.force_login(city.admin_a)
    response = client.post(
        reverse("inspection:finding-attach", args=[found.pk]), {"problem": problem.pk}
    )
    assert response.status_code == 302 and response.url == problem.get_absolute_url()
    assert fresh(found).problem == problem


def test_attach_refuses_a_forged_problem_of_another_county(city, client):
    theirs = make_problem(city.campaign, city.b)
    found = finding(city)
    client.force_login(city.admin_a)
    response = client.post(
        reverse("inspection:finding-attach", args=[found.pk]), {"problem": theirs.pk}
    )
    assert response.status_code == 200
    assert "problem" in response.context["attach_form"].errors
    assert fresh(found).status == FindingStatus.NEW and found.problem is None
    assert not theirs.findings.exists()


@pytest.mark.parametrize("duplicate", [False, True])
def test_join_by_post_keeps_the_original_and_returns_to_the_queue(city, client, duplicate):
    root, other = finding(city, "根"), finding(city, "同类")
    client.force_login(city.admin_a)
    response = client.post(
        reverse("inspection:finding-join", args=[other.pk]),
        {"into": root.pk, "duplicate": "1" if duplicate else ""},
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("inspection:finding-list"))
    other = fresh(other)
    assert other.merged_into == root and other.text == "同类"
    assert other.status == (FindingStatus.DUPLICATE if duplicate else FindingStatus.MERGED)


def test_join_refuses_a_forged_finding_of_another_county(city, client):
    mine, theirs = finding(city), finding(city, unit=city.b)
    client.force_login(city.sysadmin)
    response = client.post(reverse("inspection:finding-join", args=[mine.pk]), {"into": theirs.pk})
    assert response.status_code == 200
    assert "into" in response.context["join_form"].errors
    assert fresh(mine).status == FindingStatus.NEW


def test_dismiss_by_post_needs_a_reason(city, client):
    found = finding(city)
    client.force_login(city.admin_a)
    url = reverse("inspection:finding-dismiss", args=[found.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "Say why this finding is dismissed." in response.text
    assert fresh(found).status == FindingStatus.NEW
    response = client.post(url, {"reason": "与第3条重复"})
    assert response.status_code == 302
    assert fresh(found).status == FindingStatus.DISMISSED
    assert found.dismissed_reason == "与第3条重复"


def test_triaging_twice_shows_the_refusal(city, client):
    found = finding(city)
    finding_dismiss(finding=found, reason="不属实", acting_user=city.admin_a)
    client.force_login(city.admin_a)
    response = client.post(
        reverse("inspection:finding-promote", args=[found.pk]),
        {"target": city.campaign.targets.first().pk, "description": "x", "level": Level.UNIT},
    )
    assert response.status_code == 200
    assert "already been triaged" in response.text
    assert not Problem.objects.exists()


# Scope


TRIAGE_POSTS = {
    "inspection:finding-promote": {"description": "x", "level": Level.UNIT},
    "inspection:finding-attach": {},
    "inspection:finding-join": {},
    "inspection:finding-dismiss": {"reason": "x"},
}


def test_another_county_s_admin_gets_404_on_the_finding_and_every_action(city, client):
    found = finding(city)
    mine = finding(city, unit=city.b)
    problem = make_problem(city.campaign, city.a)
    client.force_login(city.admin_b)
    assert client.get(found.get_absolute_url()).status_code == 404
    data = {"target": city.campaign.targets.first().pk, "problem": problem.pk, "into": mine.pk}
    for name, extra in TRIAGE_POSTS.items():
        response = client.post(reverse(name, args=[found.pk]), data | extra)
        assert response.status_code == 404, name
    assert fresh(found).status == FindingStatus.NEW
    assert Problem.objects.count() == 1 and not problem.findings.exists()
    assert fresh(mine).status == FindingStatus.NEW


def test_a_reader_without_change_rights_sees_the_finding_but_cannot_triage(city, client):
    found = finding(city)
    leader = make_user(city.a, Role.LEADER)
    client.force_login(leader)
    page = client.get(found.get_absolute_url())
    assert page.status_code == 200 and 'id="promote-form"' not in page.text
    response = client.post(
        reverse("inspection:finding-dismiss", args=[found.pk]), {"reason": "不属实"}
    )
    assert response.status_code == 403
    assert fresh(found).status == FindingStatus.NEW


# Escaping


def test_script_in_a_finding_is_rendered_inert_everywhere(city, client):
    found = finding(city, XSS)
    client.force_login(city.admin_a)
    pages = [queue(client, city.admin_a, city), client.get(found.get_absolute_url())]
    problem = finding_promote(finding=found, acting_user=city.admin_a, description="问题")
    pages.append(client.get(problem.get_absolute_url()))
    for response in pages:
        assert response.status_code == 200
        assert "<script>alert" not in response.text
        assert "<img src=x" not in response.text
        assert 'href="javascript:' not in response.text
        assert "&lt;script&gt;alert(" in response.text


# The problem page shows its sources


def test_problem_page_lists_its_source_findings_and_their_count(city, client):
    root = opinion_finding(city, "意见：渠道少")
    joined = opinion_finding(city, "意见：反映难")
    finding_join(finding=joined, into=root, acting_user=city.admin_a, duplicate=True)
    problem = finding_promote(finding=root, acting_user=city.admin_a)
    attached = finding(city, "调研：渠道少", source=Source.RESEARCH)
    finding_attach(finding=attached, problem=problem, acting_user=city.admin_a)
    finding(city, "无关的发现")
    client.force_login(city.admin_a)
    response = client.get(problem.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "Sources (3)" in text
    assert "Raised by 2 solicited opinions." in text
    for source in (root, joined, attached):
        assert source.text in text
        assert reverse("inspection:finding-detail", args=[source.pk]) in text
    assert "无关的发现" not in text
    # And the other way: each finding names its problem.
    assert problem.get_absolute_url() in client.get(joined.get_absolute_url()).text


def test_problem_without_findings_shows_no_sources_panel(city, client):
    problem = make_problem(city.campaign, city.a)
    client.force_login(city.admin_a)
    response = client.get(problem.get_absolute_url())
    assert response.status_code == 200 and 'id="problem-sources"' not in response.text


def test_problem_panels_skip_panels_with_nothing_to_show(city, monkeypatch):
    assert problem_sources_panel in panels._problem_panels, "registered by the app's ready()"
    monkeypatch.setattr(panels, "_problem_panels", [])
    problem = make_problem(city.campaign, city.a)

    def empty(problem, user):
        return None

    def shown(problem, user):
        return "some.html", {"n": problem.pk}

    assert register_problem_panel(empty) is empty
    register_problem_panel(empty)
    register_problem_panel(shown)
    assert problem_panels(problem, city.admin_a) == [("some.html", {"n": problem.pk})]


# Recording by hand


def test_a_unit_admin_records_a_finding_by_hand_into_the_queue(city, client):
    client.force_login(city.admin_a)
    url = reverse("inspection:finding-create")
    page = client.get(url, {"campaign": city.campaign.slug, "unit": city.a.pk})
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "campaign": city.campaign.slug,
            "unit": city.a.pk,
            "source": Source.SUPERIOR,
            "target": city.campaign.targets.first().pk,
            "level": Level.UNIT,
            "text": "市委巡察反馈：基层组织覆盖不够",
        },
    )
    found = Finding.objects.get()
    assert response.status_code == 302
    assert response.url == (
        f"{reverse('inspection:finding-list')}?campaign={city.campaign.slug}&unit={city.a.pk}"
    )
    assert (found.source, found.unit, found.created_by) == (Source.SUPERIOR, city.a, city.admin_a)
    assert "市委巡察反馈" in client.get(response.url).text


def test_recording_by_hand_refuses_other_units_other_sources_and_oversized_text(city, client):
    client.force_login(city.admin_b)
    data = {
        "campaign": city.campaign.slug,
        "unit": city.a.pk,
        "source": Source.OTHER,
        "target": "",
        "level": "",
        "text": "反馈",
    }
    url = reverse("inspection:finding-create")
    response = client.post(url, data)
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    response = client.post(url, data | {"unit": city.b.pk, "source": Source.OPINIONS})
    assert "source" in response.context["form"].errors
    response = client.post(url, data | {"unit": city.b.pk, "text": "长" * 5001})
    assert "text" in response.context["form"].errors
    other = make_campaign(city.city)
    response = client.post(url, data | {"unit": city.b.pk, "target": other.targets.first().pk})
    assert "target" in response.context["form"].errors
    assert not Finding.objects.exists()
