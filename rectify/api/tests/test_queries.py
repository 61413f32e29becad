"""Query counts of every list endpoint: the same for a page of 5 rows and a page of 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.core.testing import make_admin, make_unit, make_user
from rectify.org.models import Role

from .conftest import county_objects, token_client
from .test_scoping import ENDPOINTS

pytestmark = pytest.mark.django_db

COUNTIES = 6
#: Queries of one page of each list, pinned: the token, the user's grants, person and
#: guidance scope, the bounded count, the rows, and one per prefetched relation (measures'
#: responsible persons, progress notes' evidence), when the page's urged measures were last
#: urged (one grouped query, as the list page; none when nobody was urged; their counts are
#: columns of the rows), and the scope check evaluated in Python (responsible persons'
#: rows). A change here is a change to review, not to paper over.
QUERY_COUNTS = {
    "attendance": 6,
    "campaign": 6,
    "evidence": 7,
    "extension": 7,
    "finding": 6,
    "measure": 9,
    "meeting": 6,
    "opinion": 6,
    "person": 6,
    "problem": 7,
    "progress-note": 8,
    "review": 7,
    "survey": 6,
    "target": 6,
    "unit": 6,
    "urge": 7,
}


def _queries(client, url: str, page_size: int) -> tuple[int, int]:
    """``(queries, rows)`` of one page of ``url``."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


def test_list_query_counts_do_not_grow_with_page_size():
    admin = make_admin()
    city = make_unit("聊城市科协")
    for n in range(COUNTIES):
        county_objects(city, f"区县科协{n}", admin)
    user = make_user(city, Role.UNIT_ADMIN)
    client = token_client(user)
    client.get(reverse("api-v1:unit-list"))  # the token's first use is recorded once
    counts = {}
    assert set(QUERY_COUNTS) == set(ENDPOINTS)
    for basename in sorted(ENDPOINTS):
        url = reverse(f"api-v1:{basename}-list")
        small, small_rows = _queries(client, url, 5)
        large, large_rows = _queries(client, url, 50)
        assert small_rows == 5 and large_rows > 5, f"{basename}: {small_rows}, {large_rows}"
        assert small == large, f"{basename}: {small} queries for 5 rows, {large} for {large_rows}"
        counts[basename] = large
    assert counts == QUERY_COUNTS
