"""What a user notices on the campaign pages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.campaigns.models import Campaign, Phase, Target
from rectify.campaigns.services import DEFAULT_PHASES
from rectify.core.testing import make_campaign

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"campaigns:{name}", args=args)


def campaign_data(world, **changes):
    data = {
        "template": "zhutijiaoyu",
        "name": "不忘初心、牢记使命主题教育",
        "slug": "zt-2019",
        "general_requirement": "",
        "root_task": "",
        "start_date": "2019-06-01",
        "end_date": "2019-12-31",
        "warning_days": "7",
        "sign_off_levels": "2",
        "progress_stale_days": "14",
        "extension_approver": "leader",
        "organizer": world["city"].pk,
        "participating_units": [world["a"].pk, world["b"].pk],
        "more_unit_codes": "",
    }
    data.update(changes)
    return data


# --- creating ----------------------------------------------------------------


def test_campaign_from_template_gets_five_targets_and_four_phases(as_user, world):
    response = as_user(world["city_admin"]).post(url("create"), campaign_data(world))
    campaign = Campaign.objects.get(slug="zt-2019")
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.targets.count() == 5
    assert list(campaign.targets.values_list("code", flat=True)) == ["T1", "T2", "T3", "T4", "T5"]
    assert campaign.phases.count() == 4
    assert all(p.start_date and p.end_date for p in campaign.phases.all())
    assert campaign.general_requirement == "守初心、担使命，找差距、抓落实"
    assert set(campaign.participating_units.all()) == {world["a"], world["b"]}
    assert campaign.history.first().history_user == world["city_admin"]


def test_campaign_from_scratch_gets_four_default_phases_and_no_targets(as_user, world):
    response = as_user(world["city_admin"]).post(
        url("create"), campaign_data(world, template="", general_requirement="对标对表")
    )
    campaign = Campaign.objects.get(slug="zt-2019")
    assert response.status_code == 302
    assert campaign.targets.count() == 0
    assert list(campaign.phases.values_list("name", flat=True)) == list(DEFAULT_PHASES)
    assert campaign.general_requirement == "对标对表"


def test_warning_window_defaults_to_seven_days(as_user, world):
    response = as_user(world["city_admin"]).get(url("create"))
    assert response.context["form"]["warning_days"].value() == 7


def test_deeper_participating_unit_is_entered_by_code(as_user, world):
    data = campaign_data(world, participating_units=[], more_unit_codes="LC-DCF-XH-1, LC-LQ")
    as_user(world["city_admin"]).post(url("create"), data)
    campaign = Campaign.objects.get(slug="zt-2019")
    assert set(campaign.participating_units.all()) == {world["group_a"], world["b"]}


def test_unknown_or_foreign_unit_code_is_a_field_error(as_user, world):
    data = campaign_data(world, organizer=world["a"].pk, participating_units=[])
    data["more_unit_codes"] = "LC-LQ NOPE"
    response = as_user(world["admin_a"]).post(url("create"), data)
    assert response.status_code == 200
    error = response.context["form"].errors["more_unit_codes"][0]
    assert "LC-LQ" in error and "NOPE" in error
    assert not Campaign.objects.filter(slug="zt-2019").exists()


def test_campaign_needs_a_participating_unit(as_user, world):
    response = as_user(world["city_admin"]).post(
        url("create"), campaign_data(world, participating_units=[])
    )
    assert response.status_code == 200
    assert "participating_units" in response.context["form"].errors


def test_unit_picker_reaches_two_levels_below_the_administered_unit(as_user, world):
    city_choices = as_user(world["city_admin"]).get(url("create")).context["form"]
    offered = set(city_choices.fields["participating_units"].queryset)
    assert offered == {world["city"], world["a"], world["b"], world["office_a"]}
    county_choices = as_user(world["admin_a"]).get(url("create")).context["form"]
    offered = set(county_choices.fields["organizer"].queryset)
    assert offered == {world["a"], world["office_a"], world["group_a"]}


def test_county_admin_cannot_organize_for_the_city(as_user, world):
    response = as_user(world["admin_a"]).post(url("create"), campaign_data(world))
    assert response.status_code == 200
    assert "organizer" in response.context["form"].errors
    assert not Campaign.objects.filter(slug="zt-2019").exists()


def test_duplicate_or_reserved_slug_is_a_field_error(as_user, world):
    client = as_user(world["city_admin"])
    for slug in ("zt", "new"):
        response = client.post(url("create"), campaign_data(world, slug=slug))
        assert response.status_code == 200
        assert "slug" in response.context["form"].errors


def test_end_before_start_is_refused(as_user, world):
    response = as_user(world["city_admin"]).post(
        url("create"), campaign_data(world, end_date="2019-01-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Campaign.objects.filter(slug="zt-2019").exists()


def test_leader_cannot_create_a_campaign(as_user, world):
    client = as_user(world["leader_a"])
    assert client.get(url("create")).status_code == 403
    assert url("create") not in client.get(url("list")).content.decode()


# --- reading -----------------------------------------------------------------


def test_campaign_list_shows_only_visible_campaigns(as_user, world):
    other = make_campaign(world["b"], organizer=world["b"], name="临清活动")
    response = as_user(world["admin_a"]).get(url("list"))
    assert [c.pk for c in response.context["page_obj"]] == [world["campaign"].pk]
    assert other.name not in response.content.decode()


def test_campaign_detail_shows_requirement_task_phases_and_targets(as_user, world):
    response = as_user(world["leader_a"]).get(url("detail", "zt"))
    content = response.content.decode()
    campaign = world["campaign"]
    assert response.status_code == 200
    assert campaign.general_requirement in content
    assert campaign.root_task in content
    for target in campaign.targets.all():
        assert target.title in content and target.code in content
    for phase in campaign.phases.all():
        assert phase.name in content
        assert phase.start_date.isoformat() in content
    assert "东昌府区科协" in content
    assert url("edit", "zt") not in content


def test_user_outside_the_campaign_gets_404(as_user, world):
    client = as_user(world["admin_b"])
    for page in (url("detail", "zt"), url("edit", "zt"), url("target-create", "zt")):
        assert client.get(page).status_code == 404


def test_campaign_list_queries_do_not_grow_with_campaigns(
    as_user, world, django_assert_max_num_queries
):
    client = as_user(world["admin_a"])
    with CaptureQueriesContext(connection) as few:
        client.get(url("list"))
    for _ in range(15):
        make_campaign(world["a"])
    with django_assert_max_num_queries(10):
        client.get(url("list"))
    with CaptureQueriesContext(connection) as many:
        client.get(url("list"))
    assert len(many) == len(few)


# --- editing -----------------------------------------------------------------


def test_organizer_admin_edits_the_campaign(as_user, world):
    data = {
        "name": "新名称",
        "general_requirement": "守初心",
        "root_task": "根本任务",
        "start_date": "2019-06-01",
        "end_date": "",
        "warning_days": "3",
        "sign_off_levels": "2",
        "progress_stale_days": "14",
        "extension_approver": "leader",
        "participating_units": [world["b"].pk],
        "more_unit_codes": "LC-DCF-XH-1",
    }
    response = as_user(world["city_admin"]).post(url("edit", "zt"), data)
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="zt")
    assert (campaign.name, campaign.warning_days, campaign.end_date) == ("新名称", 3, None)
    assert set(campaign.participating_units.all()) == {world["b"], world["group_a"]}


def test_edit_form_keeps_current_deep_participants_choosable(as_user, world):
    world["campaign"].participating_units.add(world["group_a"])
    form = as_user(world["city_admin"]).get(url("edit", "zt")).context["form"]
    assert world["group_a"] in form.fields["participating_units"].queryset
    assert set(form.initial["participating_units"]) == {world["a"], world["group_a"]}


@pytest.mark.parametrize("page", ["edit", "target-create", "phase-create"])
def test_non_organizer_admin_cannot_edit_the_campaign(as_user, world, page):
    client = as_user(world["admin_a"])  # administers a participating unit, not the organizer
    assert client.get(url(page, "zt")).status_code == 403
    assert client.post(url(page, "zt"), {"name": "x", "code": "X", "title": "x"}).status_code == 403
    campaign = Campaign.objects.get(slug="zt")
    assert campaign.name != "x"
    assert not campaign.targets.filter(code="X").exists()


def test_non_organizer_admin_cannot_edit_a_target(as_user, world):
    target = world["campaign"].targets.first()
    response = as_user(world["admin_a"]).post(
        url("target-edit", "zt", target.pk), {"code": "T1", "title": "改", "order": 1}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.title != "改"


def test_organizer_admin_adds_and_edits_a_target(as_user, world):
    client = as_user(world["city_admin"])
    data = {
        "code": "T6",
        "title": "作风建设见成效",
        "description": "对照作风查找差距。",
        "order": 6,
    }
    assert client.post(url("target-create", "zt"), data).status_code == 302
    target = Target.objects.get(campaign=world["campaign"], code="T6")
    data["title"] = "作风建设有成效"
    assert client.post(url("target-edit", "zt", target.pk), data).status_code == 302
    target.refresh_from_db()
    assert target.title == "作风建设有成效"


def test_duplicate_target_code_is_refused(as_user, world):
    response = as_user(world["city_admin"]).post(
        url("target-create", "zt"), {"code": "T1", "title": "重复", "order": 9}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert world["campaign"].targets.count() == 5


def test_target_of_another_campaign_is_404(as_user, world):
    other = make_campaign(world["city"], organizer=world["city"])
    response = as_user(world["city_admin"]).get(url("target-edit", "zt", other.targets.first().pk))
    assert response.status_code == 404


def test_organizer_admin_adds_and_edits_a_phase(as_user, world):
    client = as_user(world["city_admin"])
    data = {"name": "总结评估", "order": 5, "start_date": "2019-12-01", "end_date": "2019-12-31"}
    assert client.post(url("phase-create", "zt"), data).status_code == 302
    phase = Phase.objects.get(campaign=world["campaign"], name="总结评估")
    assert phase.end_date == dt.date(2019, 12, 31)
    data["end_date"] = "2019-11-01"
    response = client.post(url("phase-edit", "zt", phase.pk), data)
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    phase.refresh_from_db()
    assert phase.end_date == dt.date(2019, 12, 31)


def test_script_in_campaign_name_is_rendered_escaped(as_user, world):
    make_campaign(world["a"], organizer=world["city"], slug="xss", name="<script>x()</script>")
    client = as_user(world["city_admin"])
    for page in (url("list"), url("detail", "xss")):
        content = client.get(page).content.decode()
        assert "<script>x()" not in content
        assert "&lt;script&gt;x()" in content


def test_unit_picker_offers_fewer_levels_rather_than_a_truncated_list(as_user, world, monkeypatch):
    monkeypatch.setattr("rectify.org.selectors.CHOICE_CAP", 3)
    form = as_user(world["city_admin"]).get(url("create")).context["form"]
    offered = set(form.fields["participating_units"].queryset)
    assert offered == {world["city"], world["a"], world["b"]}


def test_campaign_edit_sets_the_sign_off_levels(as_user, world):
    campaign = world["campaign"]
    client = as_user(world["city_admin"])
    form = client.get(url("edit", campaign.slug)).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "participating_units"}
    data |= {
        "start_date": campaign.start_date.isoformat(),
        "participating_units": [u.pk for u in campaign.participating_units.all()],
        "sign_off_levels": 1,
        "progress_stale_days": 21,
        "extension_approver": "guidance",
    }
    response = client.post(url("edit", campaign.slug), data)
    assert response.status_code == 302, response.context["form"].errors
    campaign.refresh_from_db()
    assert (campaign.sign_off_levels, campaign.progress_stale_days) == (1, 21)
    assert campaign.extension_approver == "guidance"
    assert "领导" in client.get(url("detail", campaign.slug)).content.decode()


def test_campaign_page_title_is_just_its_name(as_user, world):
    html = as_user(world["city_admin"]).get(url("detail", world["campaign"].slug)).content.decode()
    title = html[html.index("<title>") + 7 : html.index("</title>")]
    assert "<" not in title and world["campaign"].name in title
