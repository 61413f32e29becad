import datetime as dt

import pytest
from django.utils import timezone

from rectify.core.pagination import CappedPaginator
from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import Measure
from rectify.ledger.views import common
from rectify.org.models import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_filters_offer_a_bounded_list_yet_accept_any_unit_in_scope(client, monkeypatch):
    monkeypatch.setattr(common, "FILTER_CHOICES", 3)
    root = make_unit("市科协")
    counties = [make_unit(f"县{i}", parent=root) for i in range(5)]
    deep = make_unit("深层单位", parent=make_unit("乡镇", parent=counties[4]))
    campaign = make_campaign(root)
    admin = make_admin()
    wanted = make_measure(make_problem(campaign, deep), content="深层措施")
    make_measure(make_problem(campaign, counties[0]), content="别处措施")
    client.force_login(admin)

    page = client.get("/ledger/measures/")
    offered = [value for value, _ in page.context["filter"].form.fields["unit"].widget.choices]
    # Seven units below the root do not fit in three options: fewer levels, not a cut-off list.
    assert offered == ["", root.pk]

    page = client.get("/ledger/measures/", {"unit": deep.pk})
    assert [m.pk for m in page.context["page_obj"]] == [wanted.pk]
    offered = [value for value, _ in page.context["filter"].form.fields["unit"].widget.choices]
    assert deep.pk in offered


def test_past_the_count_cap_lists_show_capped_counts(client, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    monkeypatch.setattr(common, "LIGHT_COUNT_CAP", 3)
    root = make_unit("市科协")
    campaign = make_campaign(root)
    problem = make_problem(campaign, root, found_on=TODAY - dt.timedelta(days=60))
    for _ in range(5):
        make_measure(problem, deadline=TODAY - dt.timedelta(days=1))
    make_measure(problem, deadline=TODAY + dt.timedelta(days=2))
    client.force_login(make_admin())

    page = client.get("/ledger/measures/")
    counts = {light: (n, more) for light, _, n, more in page.context["lights"]}
    assert counts == {
        "green": (0, False),
        "yellow": (1, False),
        "red": (3, True),
        "grey": (0, False),
    }
    assert page.context["page_obj"].paginator.capped
    assert 'light-red">红</span> 3+' in page.content.decode()

    page = client.get("/ledger/measures/", {"light": "yellow"})
    assert ("yellow", 1, False) in [
        (light, n, more) for light, _, n, more in page.context["lights"]
    ]


def test_list_rows_link_to_their_measure_and_problem_and_show_labels(client):
    root = make_unit("市科协")
    campaign = make_campaign(root)
    measure = make_measure(make_problem(campaign, root), deadline=TODAY + dt.timedelta(days=30))
    client.force_login(make_admin())
    html = client.get("/ledger/measures/").content.decode()
    assert f'href="{measure.get_absolute_url()}"' in html
    assert f'href="{measure.problem.get_absolute_url()}"' in html
    assert "<td>限期整改</td>" in html and "<td>未开始</td>" in html
    assert f"<td>{measure.deadline.isoformat()}</td>" in html
    assert f"<td>{measure.responsible_persons.get().name}</td>" in html


def test_measure_form_offers_people_around_the_problem_yet_accepts_anyone_in_scope(client):
    city = make_unit("市科协")
    county_a = make_unit("东昌府区科协", parent=city)
    county_b = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city)
    city_admin = make_user(city, Role.UNIT_ADMIN)
    near, above, far = make_person(county_a), make_person(city), make_person(county_b)
    problem = make_problem(campaign, county_a)
    client.force_login(city_admin)
    url = f"/ledger/problems/{problem.pk}/measures/new/"

    form = client.get(url).context["form"]
    offered = {value for value, _ in form.fields["responsible_persons"].widget.choices}
    assert {near.pk, above.pk} <= offered
    assert far.pk not in offered

    response = client.post(
        url,
        {
            "content": "跨单位的措施",
            "kind": "deadline",
            "deadline": (TODAY + dt.timedelta(days=10)).isoformat(),
            "responsible_persons": [str(far.pk)],
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get(content="跨单位的措施")
    assert list(measure.responsible_persons.all()) == [far]
