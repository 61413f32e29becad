"""Where each figure of the dashboard leads: the ledger list that counts it, same filters.

A figure of ``node``'s subtree links to ``?campaign=<slug>&unit=<node>``; a figure
of the node's own rows (the "own" row of the by-unit table) adds ``below=false``.
The filters are those of :mod:`rectify.ledger.filters`, so a list shows exactly
the rows the dashboard counted.
"""

from urllib.parse import urlencode

from django.urls import reverse

from rectify.campaigns.models import Campaign
from rectify.org.models import Unit


def _query(campaign: Campaign, unit: Unit, own: bool, filters: dict) -> str:
    params = {"campaign": campaign.slug, "unit": unit.pk}
    if own:
        params["below"] = "false"
    params.update({key: value for key, value in filters.items() if value not in (None, "")})
    return urlencode(params)


def problems_url(campaign: Campaign, unit: Unit, *, own: bool = False, **filters) -> str:
    """The problem list (问题清单) of ``unit``'s subtree (or own rows) with ``filters``."""
    return f"{reverse('ledger:problem-list')}?{_query(campaign, unit, own, filters)}"


def measures_url(campaign: Campaign, unit: Unit, *, own: bool = False, **filters) -> str:
    """The measure list (整改清单) of ``unit``'s subtree (or own rows) with ``filters``."""
    return f"{reverse('ledger:measure-list')}?{_query(campaign, unit, own, filters)}"
