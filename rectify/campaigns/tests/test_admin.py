"""The campaign admin, as a system administrator uses it."""

import pytest
from django.urls import reverse

from rectify.campaigns.models import Campaign
from rectify.campaigns.services import DEFAULT_PHASES

pytestmark = pytest.mark.django_db


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_campaign_added_in_the_admin_goes_through_the_service(as_user, world):
    data = {
        "name": "巡视整改",
        "slug": "xszg",
        "general_requirement": "",
        "root_task": "",
        "start_date": "2020-03-01",
        "end_date": "",
        "warning_days": "7",
        "organizer": world["city"].pk,
        "participating_units": f"{world['a'].pk},{world['b'].pk}",
        **inline_management("targets", total=1),
        "targets-0-order": "1",
        "targets-0-code": "X1",
        "targets-0-title": "整改到位",
        "targets-0-description": "",
    }
    response = as_user(world["sysadmin"]).post(reverse("admin:campaigns_campaign_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get(slug="xszg")
    assert list(campaign.phases.values_list("name", flat=True)) == list(DEFAULT_PHASES)
    assert list(campaign.targets.values_list("code", flat=True)) == ["X1"]
    assert set(campaign.participating_units.all()) == {world["a"], world["b"]}
    assert campaign.history.first().history_user == world["sysadmin"]


def test_campaign_edited_in_the_admin_with_its_phases_and_targets(as_user, world):
    campaign = world["campaign"]
    client = as_user(world["sysadmin"])
    page = client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert page.status_code == 200
    phases, targets = list(campaign.phases.all()), list(campaign.targets.all())
    data = {
        "name": "改名",
        "general_requirement": campaign.general_requirement,
        "root_task": campaign.root_task,
        "start_date": campaign.start_date.isoformat(),
        "end_date": "",
        "warning_days": "5",
        "participating_units": str(world["a"].pk),
        **inline_management("phases", total=len(phases), initial=len(phases)),
        **inline_management("targets", total=len(targets), initial=len(targets)),
    }
    for i, phase in enumerate(phases):
        data |= {
            f"phases-{i}-id": phase.pk,
            f"phases-{i}-campaign": campaign.pk,
            f"phases-{i}-order": phase.order,
            f"phases-{i}-name": phase.name,
            f"phases-{i}-start_date": phase.start_date.isoformat(),
            f"phases-{i}-end_date": phase.end_date.isoformat(),
        }
    for i, target in enumerate(targets):
        data |= {
            f"targets-{i}-id": target.pk,
            f"targets-{i}-campaign": campaign.pk,
            f"targets-{i}-order": target.order,
            f"targets-{i}-code": target.code,
            f"targets-{i}-title": target.title + "（修订）" if i == 0 else target.title,
            f"targets-{i}-description": target.description,
        }
    data["targets-4-DELETE"] = "on"
    response = client.post(reverse("admin:campaigns_campaign_change", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.warning_days) == ("改名", 5)
    assert campaign.targets.first().title.endswith("（修订）")
    assert campaign.targets.count() == 4


def test_campaign_admin_lists_deleted_campaigns_on_request(as_user, world):
    client = as_user(world["sysadmin"])
    response = client.get(reverse("admin:campaigns_campaign_changelist"), {"deleted": "all"})
    assert list(response.context["cl"].result_list) == [world["campaign"]]
