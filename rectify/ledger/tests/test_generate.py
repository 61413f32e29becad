import hashlib
from io import StringIO
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F

from rectify.campaigns.models import Campaign
from rectify.ledger import pressure
from rectify.ledger.lights import Light
from rectify.ledger.models import (
    OPEN_STATUSES,
    ExtensionRequest,
    ExtensionStatus,
    Measure,
    Problem,
    Urge,
)
from rectify.ledger.selectors import light_counts
from rectify.ledger.services import measure_update, problem_create
from rectify.org.models import Person, Role, RoleGrant, Unit, path_segment
from rectify.org.services import unit_create

pytestmark = pytest.mark.django_db

SMALL = {"units": 60, "measures": 500}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("RECTIFY_DEMO_PASSWORD", "bench-password")


def generate(slug: str, seed: int = 1, **sizes) -> str:
    out = StringIO()
    call_command("generate_ledger", campaign_slug=slug, seed=seed, stdout=out, **(SMALL | sizes))
    return out.getvalue()


def fingerprint(slug: str) -> str:
    """A hash of the generated content, blind to ids and to the slug in unit codes."""
    campaign = Campaign.objects.get(slug=slug)

    def code(value: str) -> str:
        return value.removeprefix(f"{slug}-")

    digest = hashlib.sha256()
    for row in (
        Unit.objects.filter(code__startswith=f"{slug}-")
        .order_by("code")
        .values_list("code", "name", "kind", "depth", "parent__code")
    ):
        digest.update(repr((code(row[0]), *row[1:4], code(row[4] or ""))).encode())
    persons = {}
    for pk, unit_code, name in Person.objects.values_list("pk", "unit__code", "name"):
        persons[pk] = (code(unit_code), name)
    links = {}
    for measure_id, person_id in Measure.responsible_persons.through.objects.values_list(
        "measure_id", "person_id"
    ):
        links.setdefault(measure_id, []).append(persons[person_id])
    urges: dict[int, list] = {}
    for measure_id, message in Urge.objects.filter(measure__campaign=campaign).values_list(
        "measure_id", "message"
    ):
        urges.setdefault(measure_id, []).append(message)
    extensions: dict[int, list] = {}
    for measure_id, *dates in ExtensionRequest.objects.filter(
        measure__campaign=campaign
    ).values_list("measure_id", "old_deadline", "new_deadline", "status"):
        extensions.setdefault(measure_id, []).append(tuple(dates))
    for row in (
        Measure.objects.filter(campaign=campaign)
        .order_by("pk")
        .values_list(
            "pk",
            "unit__code",
            "problem__description",
            "problem__target__code",
            "problem__source",
            "problem__level",
            "problem__found_on",
            "content",
            "kind",
            "status",
            "deadline",
            "completed_on",
        )
    ):
        digest.update(repr((code(row[1]), *row[2:], sorted(links[row[0]]))).encode())
        digest.update(
            repr((sorted(urges.get(row[0], [])), sorted(extensions.get(row[0], [])))).encode()
        )
    return digest.hexdigest()


def test_same_seed_gives_the_same_ledger():
    generate("gen-a")
    generate("gen-b")
    generate("gen-c", seed=2)
    a, b, _ = (Campaign.objects.get(slug=s) for s in ("gen-a", "gen-b", "gen-c"))
    assert a.measures.count() == b.measures.count() == 500
    assert a.problems.count() == b.problems.count() == 200
    assert fingerprint("gen-a") == fingerprint("gen-b")
    assert fingerprint("gen-a") != fingerprint("gen-c")


def test_refuses_to_fill_the_same_campaign_twice():
    generate("gen")
    before = Measure.objects.count()
    with pytest.raises(CommandError, match="already exists"):
        generate("gen")
    assert Measure.objects.count() == before


def test_paths_and_denormalized_columns_are_consistent():
    generate("gen")
    units = {u.pk: u for u in Unit.objects.filter(code__startswith="gen-")}
    roots = [u for u in units.values() if u.parent_id is None]
    assert len(roots) == 1
    for unit in units.values():
        parent = units.get(unit.parent_id)
        expected = (parent.path if parent else "") + path_segment(unit.pk)
        assert unit.path == expected
        assert unit.depth == (parent.depth + 1 if parent else 0)
    # Every county subtree is a path range of the expected size.
    counties = [u for u in units.values() if u.depth == 1]
    assert sum(Unit.objects.subtree_of(c).count() for c in counties) == len(units) - 1
    measures = Measure.objects.filter(campaign__slug="gen")
    assert not measures.exclude(unit=F("problem__unit")).exists()
    assert not measures.exclude(campaign=F("problem__campaign")).exists()
    assert not measures.filter(responsible_persons__isnull=True).exists()


def test_every_light_shows_and_history_covers_every_row():
    generate("gen")
    measures = Measure.objects.filter(campaign__slug="gen")
    counts = light_counts(measures)
    assert all(counts[light] > 0 for light in Light.values), counts
    assert Measure.history.filter(history_type="+").count() == measures.count()
    assert Problem.history.count() == Problem.objects.filter(campaign__slug="gen").count()
    through = Measure.responsible_persons.through.objects.filter(measure__campaign__slug="gen")
    historical = Measure.history.model._meta.get_field(
        "historicalmeasure_responsible_persons"
    ).related_model
    assert historical.objects.count() == through.count()
    generator = get_user_model().objects.get(username="generator")
    assert not Measure.history.exclude(history_user=generator).exists()


def test_the_overdue_are_urged_most_and_extensions_end_on_the_deadline():
    out = generate("gen", measures=2000)
    measures = Measure.objects.filter(campaign__slug="gen")
    urges = Urge.objects.filter(measure__campaign__slug="gen")
    assert urges.exists()
    assert f"{'urges':<26}{urges.count():>12,}" in out
    # Only open, dated measures are urged; the overdue far more often than the rest.
    assert not urges.exclude(measure__status__in=OPEN_STATUSES).exists()
    assert not urges.filter(measure__deadline__isnull=True).exists()
    counts = light_counts(measures)
    red = light_counts(measures.filter(urges__isnull=False).distinct())
    assert red[Light.RED] / counts[Light.RED] > 4 * red[Light.GREEN] / counts[Light.GREEN]
    extensions = ExtensionRequest.objects.filter(measure__campaign__slug="gen")
    assert extensions.exists()
    # Each measure counts its own: the dashboard ranks by these counters.
    assert pressure.recount() == 0
    assert sum(measures.values_list("urge_count", flat=True)) == urges.count()
    assert sum(measures.values_list("extension_count", flat=True)) == extensions.count()
    assert f"{'extensions approved':<26}{extensions.count():>12,}" in out
    assert not extensions.exclude(status=ExtensionStatus.APPROVED).exists()
    for measure in measures.filter(extensions__isnull=False).distinct():
        chain = sorted(measure.extensions.all(), key=lambda e: e.new_deadline)
        assert chain[-1].new_deadline == measure.deadline
        assert all(e.old_deadline < e.new_deadline for e in chain)
        assert all(a.new_deadline == b.old_deadline for a, b in pairwise(chain))


def test_creates_the_benchmark_logins():
    generate("gen")
    User = get_user_model()
    admin, county, person = (
        User.objects.get(username=f"gen-{k}") for k in ("admin", "county", "person")
    )
    assert RoleGrant.objects.filter(user=admin, role=Role.SYSTEM_ADMIN, unit__depth=0).exists()
    grant = RoleGrant.objects.get(user=county)
    assert grant.role == Role.UNIT_ADMIN and grant.unit.depth == 1
    assert person.person.measures.exists() and not person.role_grants.exists()
    assert admin.check_password("bench-password")


def test_new_units_get_fresh_ids_after_a_run():
    generate("gen", units=30, measures=50)
    root = Unit.objects.get(code="gen-000000")
    unit = unit_create(name="新单位", code="NEW", parent=root)
    assert unit.pk > max(Unit.objects.exclude(pk=unit.pk).values_list("pk", flat=True))


def test_each_creation_record_holds_the_row_it_created():
    """Problems and measures go in without model instances: their creation records
    must still hold what the ORM reads of the row, with the generator's name."""
    generate("gen", units=30, measures=80)
    generator = get_user_model().objects.get(username="generator")
    measures = Measure.objects.filter(campaign__slug="gen").prefetch_related("responsible_persons")
    fields = [
        "id", "problem_id", "campaign_id", "unit_id", "content", "kind", "deadline", "status",
        "completed_on", "responsible_leader_id", "version", "created_at", "deleted_at",
    ]  # fmt: skip
    records = {r.id: r for r in Measure.history.filter(history_type="+")}
    for measure in measures:
        record = records[measure.pk]
        assert [getattr(record, f) for f in fields] == [getattr(measure, f) for f in fields]
        assert measure.created_at.tzinfo is not None and measure.updated_at == measure.created_at
        assert (record.history_user_id, record.history_change_reason) == (
            generator.pk,
            "generate_ledger",
        )
        assert {p.person_id for p in record.responsible_persons.all()} == {
            p.pk for p in measure.responsible_persons.all()
        }
    problem = Problem.objects.filter(campaign__slug="gen").first()
    record = Problem.history.get(id=problem.pk)
    assert (record.description, record.found_on, record.target_id, record.root_cause) == (
        problem.description,
        problem.found_on,
        problem.target_id,
        problem.root_cause,
    )


def test_edits_after_a_run_get_fresh_history():
    """The generator assigns history keys itself; the next edit must not collide with them."""
    generate("gen", units=30, measures=50)
    generated = set(Measure.history.values_list("history_id", flat=True))
    admin = get_user_model().objects.get(username="gen-admin")
    measure = Measure.objects.filter(campaign__slug="gen").order_by("-pk").first()
    measure_update(
        measure=measure, expected_version=measure.version, acting_user=admin, content="改"
    )
    problem = problem_create(
        campaign=measure.campaign,
        unit=measure.unit,
        target=measure.problem.target,
        description="新问题",
        acting_user=admin,
    )
    edit = measure.history.first()
    assert edit.content == "改" and edit.history_id > max(generated)
    assert problem.history.get().history_type == "+"
