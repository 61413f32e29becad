"""The OpenAPI schema, its interactive docs (local assets only), and schemathesis against it.

schemathesis generates requests for every operation of /api/schema/ (a few examples each, the
same ones on every run) and sends them to the WSGI application as a unit administrator: no
answer may be a server error, and every answer must conform to the schema.
"""

import re

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from rectify.api.services import token_create
from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.evaluation.services import survey_create
from rectify.ledger.services import progress_record
from rectify.org.models import Role
from rectify.wsgi import application

pytestmark = pytest.mark.django_db

#: Examples per operation: enough to send every operation odd values, small enough that a
#: whole run stays well under a minute (CI runs it on SQLite and on PostgreSQL).
EXAMPLES = 6


def test_schema_is_served_as_openapi_3(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/measures/{id}/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_docs_page_loads_only_local_assets(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert urls, "no asset found: the check would prove nothing"
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "cdn" not in html.lower()


@pytest.fixture
def in_test_transaction():
    """Requests sent straight to the WSGI app keep the test's connection and transaction.

    Django's own test client does the same: otherwise the end of the first request
    closes the connection the test's (rolled-back) transaction lives on.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def county(settings, in_test_transaction):
    """A unit administrator's token, over a county with a campaign, a problem and a measure."""
    settings.RECTIFY_API_RATE = "100000/min"
    admin = make_admin()
    unit = make_unit("东昌府区科协")
    campaign = make_campaign(unit, acting_user=admin)
    problem = make_problem(campaign, unit, acting_user=admin)
    measure = make_measure(problem, persons=[make_person(unit)], acting_user=admin)
    evidence = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    note = progress_record(measure=measure, text="进展", acting_user=admin, files=[evidence])
    survey = survey_create(
        campaign=campaign, unit=unit, units=[unit], title="满意度测评", acting_user=admin
    )
    user = make_user(unit, Role.UNIT_ADMIN)
    key = token_create(owner=user, name="schemathesis", acting_user=user).key
    # Real ids for the detail operations (besides the generated, mostly missing, ones).
    known = {
        "units": unit.pk,
        "campaigns": campaign.slug,
        "targets": campaign.targets.first().pk,
        "problems": problem.pk,
        "measures": measure.pk,
        "progress-notes": note.pk,
        "evidence": note.evidence.get().pk,
        "surveys": survey.pk,
    }
    return key, known


def _strategies(operation, known: dict):
    """Generated cases of ``operation``, and cases aimed at a real object when it has one."""
    strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
    resource = operation.path.removeprefix("/api/v1/").split("/")[0]
    params = [p for p in ("id", "slug") if "{" + p + "}" in operation.path]
    if params and resource in known:
        fixed = {params[0]: known[resource]}
        strategies.append(operation.as_strategy(path_parameters=fixed))
    return st.one_of(strategies)


def test_api_conforms_to_its_schema(county):
    key, known = county
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30, "the schema lost its operations: the run would prove little"
    headers = {"Authorization": f"Bearer {key}"}
    for operation in operations:

        @given(case=_strategies(operation, known))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
