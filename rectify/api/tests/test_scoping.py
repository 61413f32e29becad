"""Every list and detail of the API × another county's objects: 404 on detail, absent from
lists; the county's own objects are there (the control). Writes to them answer 404 too."""

import pytest
from django.urls import reverse

from rectify.api.urls import router
from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_guidance_group,
    make_measure,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import Measure, Problem

from .conftest import token_client

pytestmark = pytest.mark.django_db

#: Router basename → the key of the county's object it serves.
ENDPOINTS = {
    "unit": "unit",
    "person": "person",
    "campaign": "campaign",
    "target": "target",
    "problem": "problem",
    "measure": "measure",
    "progress-note": "progress_note",
    "evidence": "evidence",
    "review": "review",
    "urge": "urge",
    "extension": "extension",
    "finding": "finding",
    "opinion": "opinion",
    "meeting": "meeting",
    "attendance": "attendance",
    "survey": "survey",
}


def _lookup(basename: str, obj) -> str:
    return obj.slug if basename == "campaign" else obj.pk


def _detail(basename: str, obj) -> str:
    return reverse(f"api-v1:{basename}-detail", args=[_lookup(basename, obj)])


def _listed(client, basename: str, obj) -> set:
    """The ids (or slugs) the list shows on its largest page."""
    response = client.get(reverse(f"api-v1:{basename}-list"), {"page_size": 200})
    assert response.status_code == 200, response.content
    key = "slug" if basename == "campaign" else "id"
    return {row[key] for row in response.json()["results"]}


def test_every_registered_endpoint_is_walked():
    assert {basename for _prefix, _viewset, basename in router.registry} == set(ENDPOINTS)


@pytest.mark.parametrize("basename", sorted(ENDPOINTS))
def test_other_county_object_is_404_and_absent_from_list(counties, basename):
    user, mine, theirs = counties
    client = token_client(user)
    key = ENDPOINTS[basename]
    response = client.get(_detail(basename, theirs[key]))
    assert response.status_code == 404, f"{basename}: {response.content}"
    assert response.json()["error"]["code"] == "not_found"
    listed = _listed(client, basename, theirs[key])
    assert _lookup(basename, theirs[key]) not in listed
    # The control: the county's own object is listed and opens.
    assert _lookup(basename, mine[key]) in listed
    assert client.get(_detail(basename, mine[key])).status_code == 200


def test_evidence_downloads_only_within_scope(counties, client):
    user, mine, theirs = counties
    api = token_client(user)
    theirs_url = reverse("api-v1:evidence-download", args=[theirs["evidence"].pk])
    assert api.get(theirs_url).status_code == 404
    row = api.get(reverse("api-v1:evidence-detail", args=[mine["evidence"].pk])).json()
    response = api.get(row["api_download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"
    # The browser's link is the ledger's own scoped view.
    client.force_login(user)
    assert client.get(row["download_url"]).status_code == 200
    theirs_row = reverse("ledger:evidence-download", args=[theirs["evidence"].pk])
    assert client.get(theirs_row).status_code == 404


def test_other_county_survey_results_are_404(counties):
    user, mine, theirs = counties
    client = token_client(user)
    theirs_url = reverse("api-v1:survey-results", args=[theirs["survey"].pk])
    assert client.get(theirs_url).status_code == 404
    mine_url = reverse("api-v1:survey-results", args=[mine["survey"].pk])
    assert client.get(mine_url).status_code == 200


def test_writes_to_other_county_objects_answer_404_and_change_nothing(counties):
    user, _mine, theirs = counties
    client = token_client(user)
    problem, measure = theirs["problem"], theirs["measure"]
    before = (problem.version, measure.version, measure.status)
    attempts = [
        ("patch", reverse("api-v1:problem-detail", args=[problem.pk]),
         {"description": "x", "expected_version": problem.version}),
        ("patch", reverse("api-v1:measure-detail", args=[measure.pk]),
         {"content": "x", "expected_version": measure.version}),
        ("post", reverse("api-v1:measure-status", args=[measure.pk]),
         {"status": "completed", "expected_version": measure.version}),
        ("post", reverse("api-v1:measure-progress", args=[measure.pk]), {"text": "x"}),
        ("post", reverse("api-v1:measure-urge", args=[measure.pk]), {"message": "x"}),
        ("post", reverse("api-v1:measure-submit", args=[measure.pk]),
         {"statement": "x", "no_evidence_reason": "x", "expected_version": measure.version}),
        ("post", reverse("api-v1:measure-decide", args=[measure.pk]),
         {"action": "reopen", "text": "x", "expected_version": measure.version}),
        ("post", reverse("api-v1:measure-extension-request", args=[measure.pk]),
         {"new_deadline": "2040-01-01", "reason": "x"}),
        ("post", reverse("api-v1:extension-decide", args=[theirs["extension"].pk]),
         {"approve": True, "expected_version": measure.version}),
        ("get", reverse("api-v1:evidence-download", args=[theirs["evidence"].pk]), {}),
    ]  # fmt: skip
    for method, url, body in attempts:
        response = getattr(client, method)(url, body)
        assert response.status_code == 404, f"{method.upper()} {url}: {response.content}"
    problem.refresh_from_db()
    measure.refresh_from_db()
    assert before == (problem.version, measure.version, measure.status)
    assert not problem.history.filter(history_user=user).exists()
    assert measure.progress_notes.count() == 1 and not measure.urges.filter(by=user).exists()
    assert not measure.reviews.filter(actor=user).exists()
    theirs["extension"].refresh_from_db()
    assert theirs["extension"].status == "pending" and measure.extensions.count() == 1


def test_creating_in_other_county_is_refused_as_invalid_choice(counties):
    user, mine, theirs = counties
    client = token_client(user)
    response = client.post(
        reverse("api-v1:problem-list"),
        {
            "campaign": theirs["campaign"].slug,
            "unit": theirs["unit"].pk,
            "target": theirs["target"].pk,
            "description": "越权",
        },
    )
    assert response.status_code == 400
    assert {"campaign", "unit", "target"} <= set(response.json()["error"]["fields"])
    response = client.post(
        reverse("api-v1:measure-list"),
        {"problem": theirs["problem"].pk, "content": "越权", "responsible_persons": [
            mine["person"].pk], "deadline": "2030-01-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "problem" in response.json()["error"]["fields"]
    assert not Problem.objects.filter(description="越权").exists()
    assert not Measure.objects.filter(content="越权").exists()


def test_filter_by_other_county_unit_is_refused_not_ignored(counties):
    user, _mine, theirs = counties
    client = token_client(user)
    for basename in ("problem", "measure"):
        response = client.get(reverse(f"api-v1:{basename}-list"), {"unit": theirs["unit"].pk})
        assert response.status_code == 400, basename
        assert "unit" in response.json()["error"]["fields"]


def test_guidance_group_sees_its_assigned_campaign_only():
    admin = make_admin()
    city = make_unit("聊城市科协")
    county = make_unit("东昌府区科协", parent=city)
    assigned = make_campaign(city, acting_user=admin)
    other = make_campaign(city, acting_user=admin)
    member = make_user(city)
    make_guidance_group(city, members=[member.person], campaign=assigned, units=[county])
    seen = make_measure(make_problem(assigned, county, acting_user=admin), acting_user=admin)
    unseen = make_measure(make_problem(other, county, acting_user=admin), acting_user=admin)
    client = token_client(member)
    listed = _listed(client, "measure", seen)
    assert seen.pk in listed and unseen.pk not in listed
    assert client.get(_detail("measure", unseen)).status_code == 404
    assert client.get(_detail("problem", unseen.problem)).status_code == 404
    assert client.get(_detail("measure", seen)).status_code == 200
