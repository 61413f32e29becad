"""Factories for tests: small functions that build valid objects through the services."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

_seq = itertools.count(1)

#: Debian's Chromium, which the browser tests drive through Playwright.
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium phones home at start; the
# network here is closed, and our pages must not need it anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The only hosts a page may ever request.
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def make_unit(
    name: str | None = None, *, parent=None, code: str | None = None, kind: str = "other"
):
    """A unit under ``parent``."""
    from rectify.org.services import unit_create

    n = next(_seq)
    return unit_create(name=name or f"单位{n}", code=code or f"U{n:05d}", parent=parent, kind=kind)


def make_person(unit, name: str | None = None, **fields):
    """A person of ``unit``."""
    from rectify.org.services import person_create

    return person_create(name=name or f"人员{next(_seq)}", unit=unit, **fields)


def make_user(unit=None, role: str | None = None, *, username: str | None = None, person=None):
    """A login tied to a person (of ``unit`` unless given), holding ``role`` on ``unit``."""
    from rectify.org.services import role_grant

    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password="correct horse battery"
    )
    if person is None and unit is not None:
        person = make_person(unit)
    if person is not None:
        person.user = user
        person.save(update_fields=["user"])
    if role:
        role_grant(user=user, unit=unit, role=role)
    return user


def make_admin():
    """A superuser."""
    return get_user_model().objects.create_superuser(
        username=f"admin{next(_seq)}", password="correct horse battery"
    )


def make_campaign(
    *units, organizer=None, slug: str | None = None, template: str = "zhutijiaoyu", **fields
):
    """A campaign over ``units`` from the reference template (five targets)."""
    from rectify.campaigns.services import campaign_create

    n = next(_seq)
    return campaign_create(
        name=fields.pop("name", f"活动{n}"),
        slug=slug or f"campaign-{n}",
        organizer=organizer or units[0],
        participating_units=list(units),
        start_date=fields.pop("start_date", timezone.localdate() - dt.timedelta(days=30)),
        template=template,
        acting_user=fields.pop("acting_user", make_admin()),
        **fields,
    )


def make_problem(campaign, unit, *, acting_user=None, **fields):
    """A problem of ``unit`` against the campaign's first target."""
    from rectify.ledger.services import problem_create

    return problem_create(
        campaign=campaign,
        unit=unit,
        target=fields.pop("target", None) or campaign.targets.first(),
        description=fields.pop("description", f"问题{next(_seq)}"),
        found_on=fields.pop("found_on", timezone.localdate() - dt.timedelta(days=20)),
        acting_user=acting_user or make_admin(),
        **fields,
    )


def make_measure(problem, *, persons=None, acting_user=None, **fields):
    """A measure of ``problem`` due in 30 days unless told otherwise."""
    from rectify.ledger.services import measure_create

    fields.setdefault("deadline", timezone.localdate() + dt.timedelta(days=30))
    return measure_create(
        problem=problem,
        content=fields.pop("content", f"措施{next(_seq)}"),
        responsible_persons=persons or [make_person(problem.unit)],
        acting_user=acting_user or make_admin(),
        **fields,
    )


def make_guidance_group(home_unit, *, members=(), leader=None, name: str | None = None, **assign):
    """A guidance group of ``home_unit``; with ``campaign=`` and ``units=``, assigned there too."""
    from rectify.org.services import guidance_group_create

    group = guidance_group_create(
        name=name or f"巡回指导组{next(_seq)}",
        home_unit=home_unit,
        leader=leader,
        members=list(members),
    )
    if assign:
        from rectify.campaigns.services import guidance_assign

        guidance_assign(
            campaign=assign["campaign"],
            group=group,
            units=list(assign["units"]),
            acting_user=assign.get("acting_user") or make_admin(),
        )
    return group
