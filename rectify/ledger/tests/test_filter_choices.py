import pytest

from rectify.core.testing import make_admin, make_campaign, make_measure, make_problem, make_unit
from rectify.ledger.views import common

pytestmark = pytest.mark.django_db


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
