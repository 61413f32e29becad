"""Where each figure of the dashboard leads: the ledger list that counts it, same filters.

A figure of ``node``'s subtree links to ``?campaign=<slug>&unit=<node>``; a figure
of the node's own rows (the "own" row of the by-unit table) adds ``below=false``.
The filters are those of :mod:`rectify.ledger.filters`, so a list shows exactly
the rows the dashboard counted.
"""

from functools import cache
from urllib.parse import quote_plus

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

from rectify.campaigns.models import Campaign
from rectify.org.models import Unit


def _query(campaign: Campaign, unit: Unit, own: bool, filters: dict) -> str:
    """The query string, as ``urlencode`` writes it (a dashboard writes a few hundred)."""
    parts = [f"campaign={quote_plus(campaign.slug)}", f"unit={unit.pk}"]
    if own:
        parts.append("below=false")
    parts += [
        f"{key}={quote_plus(str(value))}"
        for key, value in filters.items()
        if value not in (None, "")
    ]
    return "&".join(parts)


@cache
def _list_path(name: str, prefix: str) -> str:
    return reverse(name)


def list_path(name: str) -> str:
    """``reverse(name)`` of an argument-free URL, remembered per script prefix (and forgotten
    when the URLconf setting changes)."""
    return _list_path(name, get_script_prefix())


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
