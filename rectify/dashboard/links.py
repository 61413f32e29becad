"""Where each figure of the dashboard leads: the ledger list that counts it, same filters.

A figure of ``node``'s subtree links to ``?campaign=<slug>&unit=<node>``; a figure
of the node's own rows (the "own" row of the by-unit table) adds ``below=false``.
The filters are those of :mod:`rectify.ledger.filters`, so a list shows exactly
the rows the dashboard counted.
"""

from functools import cache
from urllib.parse import urlencode

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

from rectify.campaigns.models import Campaign
from rectify.org.models import Unit


def _query(campaign: Campaign, unit: Unit, own: bool, filters: dict) -> str:
    params = {"campaign": campaign.slug, "unit": unit.pk}
    if own:
        params["below"] = "false"
    params.update({key: value for key, value in filters.items() if value not in (None, "")})
    return urlencode(params)


@cache
def _list_path(name: str, urlconf, prefix: str) -> str:
    """The path of a list view: a dashboard links to its lists a few hundred times."""
    return reverse(name, urlconf=urlconf)


def list_path(name: str) -> str:
    """``reverse(name)`` of an argument-free URL, remembered per URLconf and script prefix."""
    return _list_path(name, get_urlconf(), get_script_prefix())


@receiver(setting_changed)
def _forget_paths(*, setting: str, **_kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _list_path.cache_clear()


def problems_url(campaign: Campaign, unit: Unit, *, own: bool = False, **filters) -> str:
    """The problem list (问题清单) of ``unit``'s subtree (or own rows) with ``filters``."""
    return f"{list_path('ledger:problem-list')}?{_query(campaign, unit, own, filters)}"


def measures_url(campaign: Campaign, unit: Unit, *, own: bool = False, **filters) -> str:
    """The measure list (整改清单) of ``unit``'s subtree (or own rows) with ``filters``."""
    return f"{list_path('ledger:measure-list')}?{_query(campaign, unit, own, filters)}"
