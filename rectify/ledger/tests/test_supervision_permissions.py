"""Who may take each supervisory action on a measure, inside and outside their scope (issue 3).

Two grids write down, for every action and every role, what must happen when
that role posts a valid form with the current version:

- ``ok``: the action is taken, exactly as asked, recorded as that user's, and
  nothing else changes; the page offers the action's form;
- ``403``: the user sees the measure but may not act: the POST is refused,
  nothing changes (status, version, history, reviews, urges, deadline
  requests, progress notes), and the page does not offer the form;
- ``404``: the measure (or unit) lies outside the user's scope: the POST and
  the measure page both answer 404 and nothing changes.

Each cell's POST is a test of its own; the pages are checked once per role (a
grid row), the failure listing every column that disagrees.

The rules come from the issue: a responsible person never reviews a measure
they answer for and asks for deadline changes only on those; the leader
confirms (at one level: signs off), the guidance group signs off at two levels
and may then also send back a fresh submission (the issue's browser scenario:
"submits → guidance-group member sends back → resubmits → leader confirms →
guidance group accepts"); the guidance group or an administrator reopens;
leaders and the guidance group urge; the campaign's approver decides deadline
changes; guidance-group members are otherwise read-only and see nothing
outside their assignment, which is a set of units *for a campaign*. Where the
issue leaves room, the grids take the stricter reading and say so.

The world is built once for the module inside a transaction rolled back at its
end; each test runs in a savepoint of its own.
"""

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from rectify.core.testing import (
    make_admin,
    make_campaign,
    make_guidance_group,
    make_measure,
    make_person,
    make_problem,
    make_unit,
    make_user,
)
from rectify.ledger.models import (
    ExtensionRequest,
    ExtensionStatus,
    Measure,
    MeasureStatus,
    ProgressNote,
    Review,
    ReviewAction,
    Urge,
)
from rectify.ledger.services import (
    extension_request,
    measure_accept,
    measure_confirm,
    measure_submit,
    measure_update,
    progress_record,
)
from rectify.org.models import Role, UnitKind

pytestmark = pytest.mark.django_db

S = MeasureStatus
OK, FORBIDDEN, NOT_FOUND = "ok", "403", "404"

# Roles (rows). "The unit" is the measure's county; "^" is a grant on the city
# above it, "~" on the sibling county. Guidance roles are relative to the
# campaign of the measure acted on ("red" acts on the unit: campaign one).
#
#   superuser    Django superuser
#   sysadmin     system administrator role (granted on the city)
#   admin        unit administrator
#   leader       leader
#   viewer       the responsible-person role on a unit, answering for nothing here
#   owner        answers for the measure (a login tied to a responsible person, no role)
#   owner-lead   a leader of the unit who also answers for the measure
#   other-owner  answers for another measure of the same unit, no role
#   guide        member of the group assigned the unit for this campaign
#   guide-head   leader (not member) of that group
#   guide^       member of the group assigned the city for this campaign
#   guide~       member of the group assigned the sibling county for this campaign
#   guide*       member of the group assigned the unit for the *other* campaign.
#                The issue assigns units "for a campaign" and says members "see
#                nothing outside their assignment (404)": the stricter reading,
#                taken here, is that another campaign's measures are outside it.
#   norole       a login tied to a person of the unit, no role
#   bare         a login with neither person nor role
#
# Sign-off columns ("1": the one-level campaign, leader approves extensions;
# "2": the two-level campaign, the guidance group approves extensions):
#
#   sub          submit an open measure for acceptance
#   acc1         accept a submitted measure (one level: the leader signs off)
#   conf2        confirm a submitted measure (two levels: the leader)
#   acc2         accept a confirmed measure (two levels: the guidance group)
#   back1        send back a submitted measure (one level)
#   back2        send back a submitted, not yet confirmed, measure (two levels)
#   back2c       send back a confirmed measure (two levels)
#   reop         reopen a signed-off measure
#   stat         set a submitted measure's status straight to signed off (campaign one)
SIGN_OFF = """
role         sub1  sub2  acc1  conf2 acc2  back1 back2 back2c reop1 reop2 stat
superuser    ok    ok    ok    ok    ok    ok    ok    ok     ok    ok    ok
sysadmin     ok    ok    ok    ok    ok    ok    ok    ok     ok    ok    ok
admin        ok    ok    403   403   403   403   403   403    ok    ok    403
admin^       ok    ok    403   403   403   403   403   403    ok    ok    403
admin~       404   404   404   404   404   404   404   404    404   404   404
leader       403   403   ok    ok    403   ok    ok    403    403   403   403
leader^      403   403   ok    ok    403   ok    ok    403    403   403   403
leader~      404   404   404   404   404   404   404   404    404   404   404
viewer       403   403   403   403   403   403   403   403    403   403   403
viewer~      404   404   404   404   404   404   404   404    404   404   404
owner        ok    ok    403   403   403   403   403   403    403   403   403
owner-lead   ok    ok    403   403   403   403   403   403    403   403   403
other-owner  404   404   404   404   404   404   404   404    404   404   404
guide        403   403   403   403   ok    403   ok    ok     ok    ok    403
guide-head   403   403   403   403   ok    403   ok    ok     ok    ok    403
guide^       403   403   403   403   ok    403   ok    ok     ok    ok    403
guide~       404   404   404   404   404   404   404   404    404   404   404
guide*       404   404   404   404   404   404   404   404    404   404   404
norole       404   404   404   404   404   404   404   404    404   404   404
bare         404   404   404   404   404   404   404   404    404   404   404
"""

# Supervision columns:
#
#   urge         urge an open measure
#   red          urge every red measure of the unit at once (who may, see RED_URGED for what)
#   ext          ask for a later deadline on an open measure
#   dec          decide a pending deadline change (1: leader approves; 2: guidance group)
SUPERVISION = """
role         urge1 urge2 red   ext1  ext2  dec1  dec2
superuser    ok    ok    ok    403   403   ok    ok
sysadmin     ok    ok    ok    403   403   ok    ok
admin        403   403   403   403   403   403   403
admin^       403   403   403   403   403   403   403
admin~       404   404   404   404   404   404   404
leader       ok    ok    ok    403   403   ok    403
leader^      ok    ok    ok    403   403   ok    403
leader~      404   404   404   404   404   404   404
viewer       403   403   403   403   403   403   403
viewer~      404   404   404   404   404   404   404
owner        403   403   404   ok    ok    403   403
owner-lead   403   403   ok    ok    ok    403   403
other-owner  404   404   404   404   404   404   404
guide        ok    ok    ok    403   403   403   ok
guide-head   ok    ok    ok    403   403   403   ok
guide^       ok    ok    ok    403   403   403   ok
guide~       404   404   404   404   404   404   404
guide*       404   404   ok    404   404   404   404
norole       404   404   404   404   404   404   404
bare         404   404   404   404   404   404   404
"""
# owner-lead may not urge a measure they answer for (403): like every other
# supervisory step, urging is done to the responsible persons, not by them (the
# stricter reading; the issue only says "a guidance-group member or a leader").

#: Which red measures an allowed "urge all red of the unit" reaches, per role:
#: the unit's subtree only (never the sibling's), and for a guidance group only
#: the campaigns it is assigned the unit for.
RED_URGED = {
    "superuser": {"red1", "red2"},
    "sysadmin": {"red1", "red2"},
    "leader": {"red1", "red2"},
    "leader^": {"red1", "red2"},
    "owner-lead": {"red1", "red2"},
    "guide": {"red1"},
    "guide-head": {"red1"},
    "guide^": {"red1"},
    "guide*": {"red2"},
}


def parse(grid: str) -> list[tuple[str, str, str]]:
    """``(column, role, expected)`` for every cell of a grid."""
    header, *rows = [line.split() for line in grid.strip().splitlines()]
    cells = []
    for role, *values in rows:
        assert len(values) == len(header) - 1, role
        cells.extend(
            (column, role, value) for column, value in zip(header[1:], values, strict=True)
        )
    return cells


# ---------------------------------------------------------------------------- the world


def _submitted(problem, owners, owner) -> Measure:
    """A measure of ``problem`` that ``owner`` has submitted for acceptance."""
    m = make_measure(problem, persons=owners)
    measure_submit(
        measure=m,
        statement="已完成",
        no_evidence_reason="会议决定，无书面材料",
        expected_version=m.version,
        acting_user=owner,
    )
    return m


def build_world() -> SimpleNamespace:
    """A city with two counties, a one-level and a two-level campaign, and every role."""
    city = make_unit("聊城市科协", kind=UnitKind.CITY)
    unit = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY)
    sibling = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY)
    campaigns = {
        1: make_campaign(city, sign_off_levels=1, extension_approver="leader"),
        2: make_campaign(city, sign_off_levels=2, extension_approver="guidance"),
    }
    users = {
        "superuser": make_admin(),
        "sysadmin": make_user(city, Role.SYSTEM_ADMIN),
        "admin": make_user(unit, Role.UNIT_ADMIN),
        "admin^": make_user(city, Role.UNIT_ADMIN),
        "admin~": make_user(sibling, Role.UNIT_ADMIN),
        "leader": make_user(unit, Role.LEADER),
        "leader^": make_user(city, Role.LEADER),
        "leader~": make_user(sibling, Role.LEADER),
        "viewer": make_user(unit, Role.RESPONSIBLE),
        "viewer~": make_user(sibling, Role.RESPONSIBLE),
        "owner": make_user(person=make_person(unit, "王责任")),
        "owner-lead": make_user(unit, Role.LEADER),
        "other-owner": make_user(person=make_person(unit, "李责任")),
        "norole": make_user(unit),
        "bare": make_user(),
    }
    guides = {}
    for k, campaign in campaigns.items():
        for where, assigned in (("guide", unit), ("guide^", city), ("guide~", sibling)):
            guides[where, k] = make_user(city)
            head = None
            if where == "guide":
                guides["guide-head", k] = make_user(city)
                head = guides["guide-head", k].person
            make_guidance_group(
                city,
                members=[guides[where, k].person],
                leader=head,
                campaign=campaign,
                units=[assigned],
            )

    owner, leader = users["owner"], users["leader"]
    owners = [owner.person, users["owner-lead"].person]
    overdue = timezone.localdate() - dt.timedelta(days=3)
    objects = {}
    for k, campaign in campaigns.items():
        problem = make_problem(campaign, unit)
        m = objects[f"open{k}"] = make_measure(problem, persons=owners)
        progress_record(measure=m, text="正在整改", acting_user=owner)
        objects[f"completed{k}"] = _submitted(problem, owners, owner)
        if k == 2:
            m = objects["confirmed2"] = _submitted(problem, owners, owner)
            measure_confirm(measure=m, expected_version=m.version, acting_user=leader)
        m = objects[f"signed{k}"] = _submitted(problem, owners, owner)
        measure_confirm(measure=m, expected_version=m.version, acting_user=leader)
        if k == 2:
            measure_accept(measure=m, expected_version=m.version, acting_user=guides["guide", 2])
        m = objects[f"pending{k}"] = make_measure(problem, persons=owners)
        objects[f"request{k}"] = extension_request(
            measure=m,
            new_deadline=m.deadline + dt.timedelta(days=30),
            reason="需要更多时间",
            acting_user=owner,
        )
        # Overdue measures that others answer for: the targets of "urge all red".
        objects[f"red{k}"] = make_measure(problem, deadline=overdue)
    objects["other"] = make_measure(
        make_problem(campaigns[1], unit), persons=[users["other-owner"].person]
    )
    objects["red-sibling"] = make_measure(make_problem(campaigns[1], sibling), deadline=overdue)
    for obj in objects.values():
        obj.refresh_from_db()
    # Log every login in once: the sessions live as long as the world, and a test
    # only presents the cookie (a login per test would cost a third of its time).
    sessions = {}
    for user in [*users.values(), *guides.values()]:
        browser = Client()
        browser.force_login(user)
        sessions[user.pk] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    staged = ("open1", "open2", "completed1", "completed2", "confirmed2", "signed1", "signed2")
    assert {key: objects[key].status for key in staged} == {
        "open1": S.IN_PROGRESS,
        "open2": S.IN_PROGRESS,
        "completed1": S.COMPLETED,
        "completed2": S.COMPLETED,
        "confirmed2": S.CONFIRMED,
        "signed1": S.SIGNED_OFF,
        "signed2": S.SIGNED_OFF,
    }
    return SimpleNamespace(
        city=city,
        unit=unit,
        sibling=sibling,
        campaigns=campaigns,
        users=users,
        guides=guides,
        sessions=sessions,
        # Only primary keys: instances would keep versions a rolled-back test bumped.
        ids={key: obj.pk for key, obj in objects.items()},
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """:func:`build_world` once for the module, rolled back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def log_in(client, world: SimpleNamespace, user) -> None:
    """Present ``user``'s session, opened when the world was built."""
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user.pk]


def user_for(world: SimpleNamespace, role: str, campaign: int):
    """The login playing ``role`` towards a measure of ``campaign``."""
    if role == "guide*":
        return world.guides["guide", 3 - campaign]
    if role.startswith("guide"):
        return world.guides[role, campaign]
    return world.users[role]


# ---------------------------------------------------------------------------- snapshots


def snapshot() -> dict[str, dict]:
    """Every row the supervisory actions may touch, keyed by table and primary key."""
    return {
        "measures": {
            row.pk: row
            for row in Measure.all_objects.values_list(
                "pk", "status", "version", "deadline", "original_deadline", named=True
            )
        },
        "reviews": {
            row.pk: row
            for row in Review.objects.values_list(
                "pk", "measure_id", "action", "from_status", "to_status", "actor_id", named=True
            )
        },
        "urges": {
            row.pk: row
            for row in Urge.objects.values_list("pk", "measure_id", "by_id", "message", named=True)
        },
        "extensions": {
            row.pk: row
            for row in ExtensionRequest.objects.values_list(
                "pk",
                "measure_id",
                "status",
                "requested_by_id",
                "decided_by_id",
                "new_deadline",
                named=True,
            )
        },
        "notes": dict(ProgressNote.objects.values_list("pk", "measure_id")),
        "history": {"measures": Measure.history.count()},
        # A refused action tells nobody anything either.
        "notifications": dict(
            apps.get_model("notify", "Notification").objects.values_list("pk", "recipient_id")
        ),
    }


def changes(before: dict, after: dict) -> dict[str, dict]:
    """Per table, the rows added or changed (``None`` for a row that vanished)."""
    return {
        table: {
            pk: after[table].get(pk)
            for pk in before[table].keys() | after[table].keys()
            if before[table].get(pk) != after[table].get(pk)
        }
        for table in before
    }


NOTHING = {
    table: {}
    for table in ("measures", "reviews", "urges", "extensions", "notes", "history", "notifications")
}


# ---------------------------------------------------------------------------- the actions


@dataclass(frozen=True)
class Action:
    """One supervisory action: where it posts, on what, and what it must do when allowed."""

    url: str
    target: str  # key of the measure in ``world.ids`` (or of the request for "dec")
    campaign: int
    post: Callable[[SimpleNamespace, Measure], dict]
    form_id: str  # the form of the measure page that offers it
    to_status: str | None = None  # a workflow step: the status it reaches
    review: str | None = None  # ... and the Review it records


def _submit(world, m):
    return {
        "statement": "已制定制度并组织学习",
        "no_evidence_reason": "口头传达",
        "version": m.version,
    }


def _decision(action, text="意见"):
    return lambda world, m: {"action": action, "text": text, "version": m.version}


def _urge(world, m):
    return {"message": "请加快整改进度"}


def _ext(world, m):
    return {"new_deadline": (m.deadline + dt.timedelta(days=20)).isoformat(), "reason": "需协调"}


def _decide_ext(world, m):
    return {"approve": "1", "note": "同意", "version": m.version}


def _status(world, m):
    return {"status": S.SIGNED_OFF, "version": m.version, "reason": "直接销号"}


A = ReviewAction


def _decide(target, campaign, action, to_status, review, text="意见") -> Action:
    post = _decision(action, text)
    return Action("measure-decide", target, campaign, post, f"decide-{action}", to_status, review)


SIGN_OFF_ACTIONS = {
    "sub1": Action("measure-submit", "open1", 1, _submit, "submit-form", S.COMPLETED, A.SUBMIT),
    "sub2": Action("measure-submit", "open2", 2, _submit, "submit-form", S.COMPLETED, A.SUBMIT),
    "acc1": _decide("completed1", 1, "accept", S.SIGNED_OFF, A.ACCEPT),
    "conf2": _decide("completed2", 2, "confirm", S.CONFIRMED, A.CONFIRM),
    "acc2": _decide("confirmed2", 2, "accept", S.SIGNED_OFF, A.ACCEPT),
    "back1": _decide("completed1", 1, "send_back", S.IN_PROGRESS, A.SEND_BACK, "佐证不足"),
    "back2": _decide("completed2", 2, "send_back", S.IN_PROGRESS, A.SEND_BACK, "佐证不足"),
    "back2c": _decide("confirmed2", 2, "send_back", S.IN_PROGRESS, A.SEND_BACK, "佐证不足"),
    "reop1": _decide("signed1", 1, "reopen", S.IN_PROGRESS, A.REOPEN, "整改反弹"),
    "reop2": _decide("signed2", 2, "reopen", S.IN_PROGRESS, A.REOPEN, "整改反弹"),
    "stat": Action(
        "measure-status", "completed1", 1, _status, "status-form", S.SIGNED_OFF, A.ACCEPT
    ),
}
SUPERVISION_ACTIONS = {
    "urge1": Action("measure-urge", "open1", 1, _urge, "urge-form"),
    "urge2": Action("measure-urge", "open2", 2, _urge, "urge-form"),
    "red": Action("unit-urge-red", "unit", 1, _urge, "urge-red-form"),
    "ext1": Action("extension-request", "open1", 1, _ext, "extension-form"),
    "ext2": Action("extension-request", "open2", 2, _ext, "extension-form"),
    "dec1": Action("extension-decide", "request1", 1, _decide_ext, "extension-decide"),
    "dec2": Action("extension-decide", "request2", 2, _decide_ext, "extension-decide"),
}
ACTIONS = {**SIGN_OFF_ACTIONS, **SUPERVISION_ACTIONS}


def form_html(page: str, form_id: str) -> str | None:
    """The markup of the form with ``form_id`` on ``page``, or ``None``."""
    found = re.search(rf'<form[^>]*id="{re.escape(form_id)}".*?</form>', page, re.S)
    return found.group(0) if found else None


def offered(page: str, action: Action) -> bool:
    """True when the page offers ``action`` to its reader."""
    form = form_html(page, action.form_id)
    if form is None:
        return False
    if action.url == "measure-status":
        # The status form serves other corrections too; what matters is whether it offers 已销号.
        return f'value="{S.SIGNED_OFF}"' in form
    return True


def measure_pk(world, action: Action) -> int:
    """The measure the action concerns (the request's measure for a deadline decision)."""
    if action.url == "extension-decide":
        return world.ids[action.target.replace("request", "pending")]
    return world.ids[action.target]


def post_url(world, action: Action) -> str:
    if action.url == "unit-urge-red":
        return reverse("ledger:unit-urge-red", args=[world.unit.pk])
    return reverse(f"ledger:{action.url}", args=[world.ids[action.target]])


def page_url(world, action: Action) -> str:
    if action.url == "unit-urge-red":
        return f"{reverse('ledger:measure-list')}?unit={world.unit.pk}&light=red"
    return reverse("ledger:measure-detail", args=[measure_pk(world, action)])


def assert_effect(world, action: Action, role: str, user, before: dict, after: dict) -> None:
    """The allowed action did exactly what it says, recorded as ``user``'s, and nothing else."""
    delta = changes(before, after)
    target = measure_pk(world, action) if action.url != "unit-urge-red" else None
    old = before["measures"].get(target)
    if action.to_status:
        new = after["measures"][target]
        assert set(delta["measures"]) == {target}
        assert (new.status, new.version > old.version) == (action.to_status, True)
        reviews = [
            (r.measure_id, r.action, r.from_status, r.to_status, r.actor_id)
            for r in delta["reviews"].values()
        ]
        assert reviews == [(target, action.review, old.status, action.to_status, user.pk)]
        assert delta["urges"] == delta["extensions"] == {}
        expected_notes = {target} if action.review == A.SUBMIT else set()
        assert set(delta["notes"].values()) == expected_notes
        assert len(delta["notes"]) == len(expected_notes)
    elif action.url == "measure-urge":
        assert delta["measures"] == delta["reviews"] == delta["extensions"] == {}
        assert [(u.measure_id, u.by_id, u.message) for u in delta["urges"].values()] == [
            (target, user.pk, "请加快整改进度")
        ]
    elif action.url == "unit-urge-red":
        assert delta["measures"] == delta["reviews"] == delta["extensions"] == {}
        urged = sorted((u.measure_id, u.by_id) for u in delta["urges"].values())
        assert urged == sorted((world.ids[key], user.pk) for key in RED_URGED[role])
    elif action.url == "extension-request":
        assert delta["measures"] == delta["reviews"] == delta["urges"] == {}
        [request] = delta["extensions"].values()
        assert (request.measure_id, request.status, request.requested_by_id) == (
            target,
            ExtensionStatus.PENDING,
            user.pk,
        )
        assert request.new_deadline == old.deadline + dt.timedelta(days=20)
    elif action.url == "extension-decide":
        request_pk = world.ids[action.target]
        requested = before["extensions"][request_pk].new_deadline
        assert set(delta["measures"]) == {target}
        new = after["measures"][target]
        assert (new.deadline, new.original_deadline) == (requested, old.deadline)
        assert delta["reviews"] == delta["urges"] == {}
        decided = delta["extensions"][request_pk]
        assert (decided.status, decided.decided_by_id) == (ExtensionStatus.APPROVED, user.pk)
        assert set(delta["extensions"]) == {request_pk}
    else:  # pragma: no cover - every action is handled above
        raise AssertionError(action)
    # A measure that changed has its history; nothing else writes any.
    assert bool(delta["history"]) == bool(delta["measures"])


def run_cell(client, world, column: str, role: str, expected: str) -> None:
    """Post ``column``'s action as ``role`` and check the outcome ``expected`` of its cell."""
    action = ACTIONS[column]
    user = user_for(world, role, action.campaign)
    log_in(client, world, user)
    measure = Measure.objects.get(pk=measure_pk(world, action)) if action.target != "unit" else None
    before = snapshot()
    response = client.post(post_url(world, action), action.post(world, measure))
    after = snapshot()
    got = response.status_code
    if expected == OK:
        assert got == 302, f"{column} by {role}: expected it done (302), got {got}"
        assert_effect(world, action, role, user, before, after)
    else:
        assert (got, changes(before, after)) == (int(expected), NOTHING), (
            f"{column} by {role}: expected {expected} and nothing changed, got {got}"
        )


@pytest.mark.parametrize(("column", "role", "expected"), parse(SIGN_OFF))
def test_sign_off_permissions(client, world, column, role, expected):
    run_cell(client, world, column, role, expected)


@pytest.mark.parametrize(("column", "role", "expected"), parse(SUPERVISION))
def test_supervision_permissions(client, world, column, role, expected):
    run_cell(client, world, column, role, expected)


ROLES = list(dict.fromkeys(role for _, role, _ in parse(SIGN_OFF)))


@pytest.mark.parametrize("role", ROLES)
def test_pages_offer_exactly_the_allowed_actions(client, world, role):
    """Out of scope the measure page is 404; inside, it offers a form iff its cell is ``ok``.

    One test per role (each page is rendered once for all the columns it concerns);
    the failure lists every cell of the row that disagrees.
    """
    pages: dict[tuple[int, str], object] = {}
    wrong = []
    for column, cell_role, expected in parse(SIGN_OFF) + parse(SUPERVISION):
        if cell_role != role:
            continue
        action = ACTIONS[column]
        user = user_for(world, role, action.campaign)
        url = page_url(world, action)
        if (user.pk, url) not in pages:
            log_in(client, world, user)
            pages[user.pk, url] = client.get(url)
        page = pages[user.pk, url]
        # The red list is a list: a unit out of scope just lists nothing.
        red = action.url == "unit-urge-red"
        status = 404 if expected == NOT_FOUND and not red else 200
        if page.status_code != status:
            wrong.append(f"{column}: the page answers {page.status_code}, expected {status}")
        elif status == 200 and offered(page.content.decode(), action) != (expected == OK):
            wrong.append(
                f"{column}: the page {'does not offer' if expected == OK else 'offers'} "
                f"the form (cell {expected})"
            )
    assert wrong == [], f"{role}: " + "; ".join(wrong)


def test_the_grids_cover_every_action_and_role(world):
    roles = set(world.users) | {role for role, _ in world.guides} | {"guide*"}
    for grid in (SIGN_OFF, SUPERVISION):
        assert {role for _, role, _ in parse(grid)} == roles
    assert {column for grid in (SIGN_OFF, SUPERVISION) for column, _, _ in parse(grid)} == set(
        ACTIONS
    )
    allowed_red = {
        role for column, role, value in parse(SUPERVISION) if column == "red" and value == OK
    }
    assert allowed_red == set(RED_URGED)


# ---------------------------------------------------------------------------- stale decisions

#: Each versioned decision and a role its cell allows to take it.
STALE = {
    "sub1": "owner",
    "conf2": "leader",
    "acc1": "leader",
    "acc2": "guide",
    "back1": "leader",
    "back2c": "guide",
    "reop1": "admin",
    "dec1": "leader",
    "dec2": "guide",
    "stat": "superuser",
}


@pytest.mark.parametrize(("column", "role"), STALE.items())
def test_a_decision_on_a_measure_changed_meanwhile_is_refused_with_a_message(
    client, world, column, role
):
    action = ACTIONS[column]
    user = user_for(world, role, action.campaign)
    measure = Measure.objects.get(pk=measure_pk(world, action))
    opened = action.post(world, measure)  # the form as the page gave it
    # Meanwhile the unit's administrator rewords the measure.
    measure_update(
        measure=measure,
        content=measure.content + "（修订）",
        expected_version=measure.version,
        acting_user=world.users["admin"],
    )
    log_in(client, world, user)
    before = snapshot()
    response = client.post(post_url(world, action), opened, follow=True)
    assert response.status_code == 200
    assert changes(before, after := snapshot()) == NOTHING, after
    with translation.override("zh-hans"):
        message = gettext(
            "Someone else changed this item after you opened it. "
            "Nothing was saved: reload the page to see their change, then edit again."
        )
    assert message in html.unescape(response.content.decode())


# ---------------------------------------------------------------------------- forged posts


def test_the_guidance_group_cannot_accept_before_the_leader_confirms(client, world):
    pk = world.ids["completed2"]
    log_in(client, world, world.guides["guide", 2])
    before = snapshot()
    version = before["measures"][pk].version
    response = client.post(
        reverse("ledger:measure-decide", args=[pk]),
        {"action": "accept", "text": "同意", "version": version},
    )
    assert response.status_code == 403
    assert changes(before, snapshot()) == NOTHING


def test_an_accept_posted_by_the_leader_at_two_levels_only_confirms(client, world):
    pk = world.ids["completed2"]
    leader = world.users["leader"]
    log_in(client, world, leader)
    version = Measure.objects.get(pk=pk).version
    response = client.post(
        reverse("ledger:measure-decide", args=[pk]),
        {"action": "accept", "text": "同意", "version": version},
    )
    assert response.status_code == 302
    assert Measure.objects.get(pk=pk).status == S.CONFIRMED
    last = Review.objects.filter(measure_id=pk).last()
    assert (last.action, last.actor_id) == (A.CONFIRM, leader.pk)


@pytest.mark.parametrize("forged", ["submit", "delete", ""])
def test_an_unknown_or_foreign_decision_changes_nothing(client, world, forged):
    pk = world.ids["completed1"]
    log_in(client, world, world.users["leader"])
    before = snapshot()
    response = client.post(
        reverse("ledger:measure-decide", args=[pk]),
        {"action": forged, "text": "x", "version": before["measures"][pk].version},
    )
    assert response.status_code == 200
    assert changes(before, snapshot()) == NOTHING
