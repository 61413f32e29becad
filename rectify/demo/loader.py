"""Build the reference case through the services, idempotently.

Everything is matched before it is created — units by code, people by unit
and name, logins by username, the campaign by slug, problems by exact
description within campaign and unit, measures by exact content within their
problem — so a second run adds only what is missing. Progress notes and
status changes are applied only to measures created by the same run.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rectify.campaigns.models import Campaign, GuidanceAssignment
from rectify.campaigns.services import campaign_create, guidance_assign
from rectify.core.services import attribute_history
from rectify.ledger.models import Measure, MeasureStatus, Problem, ProgressNote
from rectify.ledger.selectors import light_counts
from rectify.ledger.services import (
    measure_create,
    measure_set_status,
    problem_create,
    progress_record,
)
from rectify.org.models import GuidanceGroup, Person, Unit
from rectify.org.services import (
    guidance_group_create,
    login_create,
    person_create,
    role_grant,
    unit_create,
)

from . import (
    data,
    evaluation,
    inspection_checklists,
    inspection_findings,
    inspection_opinions,
    inspection_research,
    news,
    study,
    supervision,
)

#: The stages that feed the ledger, loaded after it, each matched by its own keys.
STAGES = (
    ("study", study),
    ("research and guidance feedback", inspection_research),
    ("self-examination", inspection_checklists),
    ("opinions", inspection_opinions),
    ("findings", inspection_findings),
    ("supervision", supervision),
    ("satisfaction surveys", evaluation),
    ("news", news),
)

#: The reason recorded in history when the demo moves a measure to a status.
REASONS = {
    MeasureStatus.COMPLETED: "演示数据：整改完成",
    MeasureStatus.CONFIRMED: "演示数据：领导确认，待指导组验收",
    MeasureStatus.SIGNED_OFF: "演示数据：验收销号",
}


@dataclass
class DemoResult:
    """What a run of :func:`load_demo` left in the database, for the summary."""

    counts: dict[str, int] = field(default_factory=dict)
    lights: dict[str, int] = field(default_factory=dict)
    #: (username, roles as text, password or None when it was left unchanged)
    logins: list[tuple[str, str, str | None]] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)


def _units() -> tuple[dict[str, Unit], int]:
    units: dict[str, Unit] = {}
    created = 0
    for order, (code, name, short_name, kind, parent) in enumerate(data.UNITS):
        unit = Unit.all_objects.filter(code=code).first()
        if unit is None:
            unit = unit_create(
                name=name,
                code=code,
                parent=units[parent] if parent else None,
                short_name=short_name,
                kind=kind,
                order=order,
            )
            created += 1
        units[code] = unit
    return units, created


def _person(spec: data.PersonSpec, units: dict[str, Unit], acting_user) -> tuple[Person, bool]:
    name = data.PERSON_NAMES[spec.key]
    unit = units[spec.unit]
    person = Person.all_objects.filter(unit=unit, name=name).first()
    if person is not None:
        return person, False
    person = person_create(
        name=name,
        unit=unit,
        position=spec.position,
        rank=spec.rank,
        is_leadership_member=spec.leadership,
        acting_user=acting_user,
    )
    return person, True


def _login(username: str, person: Person, password: str | None, acting_user, superuser: bool):
    """The login ``username`` tied to ``person``; its password is reset when one is given."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        # Without a password the login is created unusable until someone sets one.
        user = login_create(
            person=person, username=username, password=password, acting_user=acting_user
        )
    else:
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        if person.user_id is None and not Person.all_objects.filter(user=user).exists():
            # A login made before the demo (``createsuperuser admin``) joins its person.
            person.user = user
            attribute_history(person, acting_user=acting_user)
            person.save(update_fields=["user", "updated_at"])
    if superuser and not (user.is_superuser and user.is_staff):
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    return user


def _reporter(spec: data.MeasureSpec, logins: dict[str, object], default):
    """Who reports progress: a responsible person with a login if there is one, else ``default``."""
    for key in spec.persons:
        if key in logins:
            return logins[key]
    return default


@transaction.atomic
def load_demo(*, password: str | None) -> DemoResult:
    """Load (or complete) the reference case; set the demo logins' password when given.

    ``password=None`` leaves the password of existing logins unchanged; new
    logins are then created with an unusable password (set one with
    ``rectify changepassword``).
    """
    result = DemoResult()
    today = timezone.localdate()
    units, result.created["units"] = _units()

    # The administrator's own person comes first: nobody exists yet to record it.
    admin_spec = next(p for p in data.PEOPLE if p.key == "sd.admin")
    admin_person, admin_new = _person(admin_spec, units, acting_user=None)
    admin = _login("admin", admin_person, password, acting_user=None, superuser=True)

    people: dict[str, Person] = {"sd.admin": admin_person}
    created_people = int(admin_new)
    for spec in data.PEOPLE:
        if spec.key not in people:
            people[spec.key], new = _person(spec, units, acting_user=admin)
            created_people += new
    result.created["people"] = created_people

    logins: dict[str, object] = {}  # person key → login
    for username, person_key, grants, superuser in data.LOGINS:
        if username == "admin":
            user = admin
        else:
            user = _login(username, people[person_key], password, admin, superuser)
        for role, code in grants:
            role_grant(user=user, unit=units[code], role=role, acting_user=admin)
        logins[person_key] = user
        roles = ", ".join(f"{role}@{units[code].short_name}" for role, code in grants)
        if superuser:
            roles = f"superuser, {roles}"
        note = data.LOGIN_NOTES.get(username, "responsible person, no role")
        result.logins.append((username, roles or note, password))

    spec = data.CAMPAIGN
    campaign = Campaign.all_objects.filter(slug=spec["slug"]).first()
    if campaign is None:
        campaign = campaign_create(
            name=spec["name"],
            slug=spec["slug"],
            organizer=units[spec["organizer"]],
            participating_units=[units[code] for code in spec["participating"]],
            start_date=dt.date.fromisoformat(spec["start_date"]),
            template=spec["template"],
            acting_user=admin,
        )
    targets = {t.code: t for t in campaign.targets.all()}
    result.created["guidance groups"] = _guidance_group(campaign, units, people, admin)

    new_problems = new_measures = 0
    for pspec in data.PROBLEMS:
        unit = units[pspec.unit]
        problem = Problem.all_objects.filter(
            campaign=campaign, unit=unit, description=pspec.description
        ).first()
        if problem is None:
            problem = problem_create(
                campaign=campaign,
                unit=unit,
                target=targets[pspec.target],
                description=pspec.description,
                source=pspec.source,
                level=pspec.level,
                found_on=dt.date.fromisoformat(pspec.found),
                concerned_person=people[pspec.concerned] if pspec.concerned else None,
                root_cause=pspec.root_cause,
                acting_user=admin,
            )
            new_problems += 1
        for mspec in pspec.measures:
            if Measure.all_objects.filter(problem=problem, content=mspec.content).exists():
                continue
            _create_measure(problem, mspec, people, units, logins, admin, today)
            new_measures += 1
    result.created["problems"] = new_problems
    result.created["measures"] = new_measures
    for label, stage in STAGES:
        result.created[label] = stage.load(
            campaign=campaign, units=units, people=people, targets=targets, admin=admin
        )

    measures = Measure.objects.filter(campaign=campaign)
    result.counts = {
        "units": Unit.objects.subtree_of(units["SD"]).count(),
        "people": Person.objects.filter(unit__in=list(units.values())).count(),
        "logins": len(result.logins),
        "targets": len(targets),
        "problems": Problem.objects.filter(campaign=campaign).count(),
        "measures": measures.count(),
        "progress notes": ProgressNote.objects.filter(measure__campaign=campaign).count(),
    }
    result.lights = light_counts(measures, today)
    return result


def _guidance_group(campaign, units, people, admin) -> int:
    """The reference case's guidance group, assigned on ``campaign``; 1 when created now."""
    spec = data.GUIDANCE_GROUP
    home = units[spec["home_unit"]]
    group = GuidanceGroup.all_objects.filter(home_unit=home, name=spec["name"]).first()
    if group is not None:
        created = 0
    else:
        leader_unit = units[spec["leader_unit"]]
        leader = Person.all_objects.filter(unit=leader_unit, name=spec["leader"]).first()
        if leader is None:
            leader = person_create(
                name=spec["leader"],
                unit=leader_unit,
                position=spec["leader_position"],
                acting_user=admin,
            )
        group = guidance_group_create(
            name=spec["name"],
            home_unit=home,
            leader=leader,
            members=[people[key] for key in spec["members"]],
            acting_user=admin,
        )
        created = 1
    if not GuidanceAssignment.objects.filter(campaign=campaign, group=group).exists():
        guidance_assign(
            campaign=campaign,
            group=group,
            units=[units[code] for code in spec["assigned_units"]],
            acting_user=admin,
        )
    return created


def _create_measure(problem, mspec, people, units, logins, admin, today) -> Measure:
    measure = measure_create(
        problem=problem,
        content=mspec.content,
        responsible_persons=[people[key] for key in mspec.persons],
        kind=mspec.kind,
        deadline=None if mspec.due is None else today + dt.timedelta(days=mspec.due),
        expected_outcome=mspec.outcome,
        responsible_leader=people[mspec.leader] if mspec.leader else None,
        responsible_department=units[mspec.department] if mspec.department else None,
        acting_user=admin,
    )
    reporter = _reporter(mspec, logins, admin)
    for days_ago, text in sorted(mspec.notes, reverse=True):
        progress_record(
            measure=measure,
            text=text,
            reported_on=today - dt.timedelta(days=days_ago),
            acting_user=reporter,
        )
    steps = {
        MeasureStatus.COMPLETED: [MeasureStatus.COMPLETED],
        MeasureStatus.CONFIRMED: [MeasureStatus.COMPLETED, MeasureStatus.CONFIRMED],
        MeasureStatus.SIGNED_OFF: [MeasureStatus.COMPLETED, MeasureStatus.SIGNED_OFF],
        MeasureStatus.IN_PROGRESS: [] if mspec.notes else [MeasureStatus.IN_PROGRESS],
    }.get(mspec.status, [])
    for status in steps:
        measure = measure_set_status(
            measure=measure,
            status=status,
            expected_version=measure.version,
            acting_user=admin,
            reason=REASONS[status],
        )
    return measure
