"""``rectify generate_ledger``: fill a database with a large, repeatable ledger for benchmarks.

The shape follows PERFORMANCE.md: a root, about forty county subtrees of
equal size under it (ids shuffled, so a subtree is not an id range), one
person per unit, one campaign over the root, problems with two or three
measures each and one or two responsible persons per measure. The same seed
gives the same data on the same day (deadlines are relative to today so that
every light shows).

Rows go in in batches, one transaction per chunk, with primary keys assigned
here (a unit's path is built from its parent's path and its own id). Units and
people go in with ``bulk_create``, people with their history through
django-simple-history's ``bulk_create_with_history``. Problems, measures and
their responsible persons, a million rows and more, go in as plain tuples with
``executemany`` (:class:`_Rows`), each with the creation record
``bulk_create_with_history`` would write: Django's per-object work cost three
quarters of the run. The responsible persons of each measure are copied into
the history of its creation, so no generated row escapes history.
"""

import datetime as dt
import math
import os
import random
import secrets
import time
from collections import Counter
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.fields import AutoFieldMixin
from django.test.utils import override_settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from rectify.campaigns.models import Campaign
from rectify.campaigns.services import campaign_create
from rectify.demo.generate_study import generate_attendance
from rectify.ledger import pressure, tallies
from rectify.ledger.lights import Light, light_expression
from rectify.ledger.models import (
    OPEN_STATUSES,
    ExtensionRequest,
    ExtensionStatus,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    Source,
    Tally,
    TallyDay,
    Urge,
)
from rectify.ledger.selectors import light_counts
from rectify.org.models import Person, Rank, Role, Unit, UnitKind, path_segment
from rectify.org.services import login_create, role_grant

GENERATOR_USERNAME = "generator"
PASSWORD_ENV = "RECTIFY_DEMO_PASSWORD"
#: Counties under the root, as in PERFORMANCE.md; fewer when there are few units,
#: so that each keeps at least about a dozen.
COUNTIES = 40
MIN_COUNTY_SIZE = 12
#: Units per section inside a county.
SECTION_SIZE = 20
#: Problems written per transaction.
CHUNK_PROBLEMS = 20_000
BATCH_SIZE = 2_000
REASON = "generate_ledger"
#: Share of open measures urged (催办), by light: ``(share, most urges on one)``.
URGED = {Light.RED: (0.4, 4), Light.YELLOW: (0.2, 2), Light.GREEN: (0.02, 1)}
#: Share of dated measures whose deadline was extended once (twice for a fifth of them).
EXTENDED = 0.05
_URGES = (
    "请加快整改进度，按期报送结果。",
    "已逾期，请说明原因并限期完成。",
    "请于本周内报送整改进展。",
)
_EXTENSION_REASONS = ("涉及多个部门协调，需延长完成时限。", "配套制度尚在审议，申请延期。")

_SURNAMES = "赵钱周吴郑冯陈褚卫蒋沈韩杨朱秦许何吕施曹严金魏陶姜谢邹柏窦苏葛范彭鲁韦马方俞任袁柳史唐薛雷贺倪汤罗毕郝常于傅齐康顾孟黄穆萧尹姚邵汪毛"  # noqa: E501
_GIVEN = (
    "建国", "志强", "海燕", "晓东", "丽娟", "文博", "春燕", "明轩", "立新", "红梅", "振华", "秀英",
    "国栋", "雪梅", "子涵", "宏伟", "玉兰", "卫东", "桂芳", "德胜", "秋菊", "永刚", "慧敏", "俊杰",
)  # fmt: skip
_POSITIONS = ("科员", "科员", "科员", "办公室主任", "副主席", "干事")

_SUBJECTS = (
    "党组理论学习中心组", "机关党支部", "部分党员干部", "基层科协组织", "所属学会",
    "科普工作", "科技馆", "科技咨询服务", "财务管理", "意识形态工作", "干部队伍",
    "服务科技工作者工作", "院士专家工作站", "乡镇科协", "企业科协",
)  # fmt: skip
_ISSUES = (
    "学习计划性不强，联系实际开展研讨不够深入。",
    "存在以会代学、以读代学现象，学用结合不紧。",
    "主体责任压力传导不够，督促指导偏弱。",
    "制度执行不严格，台账资料不完整。",
    "服务“最后一公里”没有打通，群众诉求回应不及时。",
    "科普资源城乡分布不均衡，设施利用率低。",
    "存在重留痕、轻实效的形式主义问题。",
    "文件会议偏多，以文件落实文件的现象仍然存在。",
    "廉政风险点排查不全面，监督检查流于形式。",
    "创新意识不强，品牌活动少，工作成效不明显。",
    "对科技工作者思想政治引领办法不多。",
    "四服务职能发挥不充分，为党委政府决策服务意识不强。",
)
_CAUSES = (
    "思想认识不到位，重业务轻学习。",
    "责任落实不到位，考核督导不经常。",
    "工作作风不扎实，调查研究不深入。",
    "制度机制不健全，执行刚性不足。",
    "服务意识不强，联系群众不紧密。",
)
_ACTIONS = ("制定", "完善", "建立", "修订", "健全", "落实", "组织开展", "推动")
_OBJECTS = (
    "理论学习计划", "专题研讨制度", "科普大篷车下乡计划", "学会党建工作指引",
    "科技工作者联系制度", "财务报销内控制度", "廉政风险防控清单", "基层科协组织建设方案",
    "院士专家工作站服务台账", "社区科普大学教学点建设方案", "诉求办理台账", "发文会议计划管理制度",
    "科普进校园计划", "意识形态风险研判机制", "农村专业技术协会培育计划", "决策咨询课题方案",
)  # fmt: skip
_SUFFIXES = (
    "，每月通报一次进展。", "，纳入年度考核。", "，按季度调度督办。", "，限期完成并报送结果。",
    "，明确责任人和完成时限。", "，建立长效机制。",
)  # fmt: skip


#: The columns the generator fills, in the order of its row tuples.
_PROBLEM_COLUMNS = (
    "id", "campaign_id", "unit_id", "target_id", "description", "source", "level", "found_on",
    "concerned_person_id", "root_cause", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
_MEASURE_COLUMNS = (
    "id", "problem_id", "campaign_id", "unit_id", "content", "responsible_leader_id", "kind",
    "deadline", "status", "completed_on", "created_at", "updated_at",
)  # fmt: skip


def _insert_statement(model, columns) -> tuple[str, tuple]:
    """``INSERT`` of ``columns`` and of every other column of ``model`` but an
    auto-assigned key, and the database values of those other columns' defaults."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    unknown = set(columns) - fields.keys()
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    rest = [
        field
        for name, field in fields.items()
        if name not in columns and not isinstance(field, AutoFieldMixin)
    ]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    missing = [
        f.attname for f, value in zip(rest, defaults, strict=True) if value is None and not f.null
    ]
    if missing:
        raise ValueError(f"{model.__name__} needs a value for {', '.join(missing)}")
    quote = connection.ops.quote_name
    names = [fields[name].column for name in columns] + [field.column for field in rest]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, names))}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    return sql, defaults


class _Rows:
    """Rows of one model written as plain tuples with ``executemany``; with
    ``history``, each row's creation record too.

    A million measures through ``bulk_create_with_history`` spend most of their
    time in Django's per-object work — a model instance and a prepared value for
    every field, for each row and again for its historical record — and little
    in the database. Here the caller gives the ``columns`` it chooses, already in
    the database's form; every other column takes its field's default, prepared
    once. ``history`` gives the creation records' ``when`` (in the database's
    form), ``user_id`` and ``reason``; their keys are assigned here, so that the
    history of a measure's responsible persons can name them.
    """

    def __init__(self, model, columns: tuple[str, ...], *, history: dict | None = None):
        self.sql, self.defaults = _insert_statement(model, columns)
        self.history = None
        if history is not None:
            historical = model.history.model
            mirrored = {field.attname for field in historical._meta.concrete_fields}
            self.kept = [i for i, name in enumerate(columns) if name in mirrored]
            record = ("history_date", "history_user_id", "history_change_reason", "history_type")
            self.history = _insert_statement(
                historical, (*(columns[i] for i in self.kept), *record, "history_id")
            )
            self.record = (history["when"], history["user_id"], history["reason"], "+")
            self.next_history_id = (historical.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def write(self, rows) -> range:
        """Insert ``rows``; return the keys of their creation records (empty without history)."""
        rows = list(rows)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, [(*row, *self.defaults) for row in rows])
            if self.history is None:
                return range(0)
            sql, defaults = self.history
            first = self.next_history_id
            self.next_history_id += len(rows)
            cursor.executemany(
                sql,
                [
                    (*(row[i] for i in self.kept), *self.record, history_id, *defaults)
                    for history_id, row in enumerate(rows, start=first)
                ],
            )
        return range(first, self.next_history_id)


def _historical_links():
    """The history model of measures' responsible persons (django-simple-history's m2m)."""
    return Measure.history.model._meta.get_field(
        "historicalmeasure_responsible_persons"
    ).related_model


class Command(BaseCommand):
    help = (
        "Fill the database with a large generated ledger (one campaign over a tree of units) "
        "for benchmarks. The same --seed gives the same data. Refuses to run twice into the "
        "same --campaign-slug."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=20_000, help="Units in the tree.")
        parser.add_argument("--measures", type=int, default=1_000_000, help="Measures.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")
        parser.add_argument(
            "--campaign-slug", default="generated", help="Slug of the campaign to create."
        )
        parser.add_argument(
            "--attendance",
            type=int,
            default=0,
            help="Also hold study meetings with about this many person-attendance rows.",
        )

    def handle(
        self,
        *args,
        units: int,
        measures: int,
        seed: int,
        campaign_slug: str,
        attendance: int,
        **options,
    ):
        if units < 2:
            raise CommandError("--units must be at least 2 (a root and one county).")
        if measures < 1:
            raise CommandError("--measures must be at least 1.")
        slug = campaign_slug
        if Campaign.all_objects.filter(slug=slug).exists():
            raise CommandError(
                f"A campaign with the slug “{slug}” already exists: this database was already "
                "filled with it. Choose another --campaign-slug or start from an empty database."
            )
        if Unit.all_objects.filter(code__startswith=f"{slug}-").exists():
            raise CommandError(
                f"Units with codes starting “{slug}-” already exist (an interrupted run?). "
                "Start from an empty database."
            )
        generator = Generator(
            units=units,
            measures=measures,
            seed=seed,
            slug=slug,
            stdout=self.stdout,
            verbosity=options["verbosity"],
            attendance=attendance,
        )
        password = os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(12)
        # The debug cursor keeps the text of every statement: a tenth of the run for nothing.
        with override_settings(DEBUG=False):
            generator.run(password=password)
        out = self.stdout
        out.write(self.style.SUCCESS(f"Generated campaign “{slug}” with seed {seed}."))
        for name, count in generator.counts.items():
            out.write(f"  {name:<26}{count:>12,}")
        out.write("Timings:")
        for label, seconds in generator.timings.items():
            out.write(f"  {label:<26}{seconds:>10.1f} s")
        source = f"from ${PASSWORD_ENV}" if os.environ.get(PASSWORD_ENV) else "generated"
        out.write(f"Logins (password {source}: {password}):")
        for username, what in generator.logins:
            out.write(f"  {username:<24} {what}")


class Generator:
    """Builds the data; :meth:`run` writes it and fills :attr:`counts` and :attr:`timings`."""

    def __init__(
        self,
        *,
        units: int,
        measures: int,
        seed: int,
        slug: str,
        stdout,
        verbosity: int = 1,
        attendance: int = 0,
    ):
        self.n_units = units
        self.n_attendance = attendance
        self.seed = seed
        self.n_measures = measures
        self.n_problems = max(1, round(measures / 2.5))
        self.rng = random.Random(seed)
        self.slug = slug
        self.stdout = stdout
        self.verbosity = verbosity
        self.today = timezone.localdate()
        self.timings: dict[str, float] = {}
        self.counts: Counter[str] = Counter()
        self.logins: list[tuple[str, str]] = []

    # ── the tree ────────────────────────────────────────────────────────
    def _plan_tree(self) -> None:
        """Lay out ordinals: 0 is the root, then counties, then sections and units per county."""
        n = self.n_units
        counties = max(1, min(COUNTIES, (n - 1) // MIN_COUNTY_SIZE))
        rest = n - 1 - counties
        self.parent_of = [-1] * n
        self.depth_of = [0] * n
        self.kind_of = [UnitKind.PROVINCE] + [UnitKind.OTHER] * (n - 1)
        self.county_of = [0] * n  # ordinal of the county above each unit (itself for a county)
        self.county_members: list[list[int]] = []
        next_ordinal = 1 + counties
        for c in range(counties):
            county = 1 + c
            self.parent_of[county], self.depth_of[county] = 0, 1
            self.kind_of[county] = UnitKind.COUNTY
            self.county_of[county] = county
            share = rest // counties + (1 if c < rest % counties else 0)
            members = [county]
            sections = min(share, max(1, math.ceil(share / SECTION_SIZE))) if share else 0
            section_ordinals = list(range(next_ordinal, next_ordinal + sections))
            for s in section_ordinals:
                self.parent_of[s], self.depth_of[s] = county, 2
                self.kind_of[s] = UnitKind.OFFICE
            next_ordinal += sections
            members += section_ordinals
            for i in range(share - sections):
                leaf = next_ordinal
                next_ordinal += 1
                parent = section_ordinals[i % sections]
                self.parent_of[leaf], self.depth_of[leaf] = parent, 3
                self.kind_of[leaf] = UnitKind.AFFILIATED
                members.append(leaf)
            for m in members:
                self.county_of[m] = county
            self.county_members.append(members)
        assert next_ordinal == n
        base = (Unit.all_objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        ids = list(range(base, base + n))
        self.rng.shuffle(ids)
        self.unit_id = ids
        self.path_of = [""] * n
        for o in range(n):  # parents always come before their children
            parent = self.parent_of[o]
            prefix = self.path_of[parent] if parent >= 0 else ""
            self.path_of[o] = prefix + path_segment(ids[o])

    def _unit_name(self, o: int) -> tuple[str, str]:
        if o == 0:
            return "生成数据根单位", "根单位"
        county = self.county_of[o]
        if o == county:
            return f"第{county}县科学技术协会", f"第{county}县科协"
        if self.kind_of[o] == UnitKind.OFFICE:
            return f"第{county}县科协第{o}部门", f"第{o}部门"
        return f"第{county}县第{o}基层科协", f"第{o}基层科协"

    def _write_units(self) -> None:
        rows = []
        for o in range(self.n_units):
            name, short = self._unit_name(o)
            parent = self.parent_of[o]
            rows.append(
                Unit(
                    id=self.unit_id[o],
                    name=name,
                    short_name=short,
                    code=f"{self.slug}-{o:06d}",
                    kind=self.kind_of[o],
                    parent_id=self.unit_id[parent] if parent >= 0 else None,
                    path=self.path_of[o],
                    depth=self.depth_of[o],
                    order=o,
                )
            )
        with transaction.atomic():
            Unit.all_objects.bulk_create(rows, batch_size=BATCH_SIZE)

    # ── people ──────────────────────────────────────────────────────────
    def _write_people(self, generator) -> None:
        """One person per unit; the person of unit ordinal ``o`` has id ``person_base + o``."""
        rng = self.rng
        self.person_base = (Person.all_objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        rows = []
        for o in range(self.n_units):
            head = self.depth_of[o] <= 1
            rows.append(
                Person(
                    id=self.person_base + o,
                    name=rng.choice(_SURNAMES) + rng.choice(_GIVEN),
                    unit_id=self.unit_id[o],
                    position="党组书记、主席" if head else rng.choice(_POSITIONS),
                    rank=Rank.COUNTY_LEVEL_AND_ABOVE if o == 0 else Rank.GENERAL,
                    is_leadership_member=head,
                )
            )
        with transaction.atomic():
            bulk_create_with_history(
                rows,
                Person,
                batch_size=BATCH_SIZE,
                default_user=generator,
                default_change_reason=REASON,
            )

    # ── problems and measures ───────────────────────────────────────────
    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def _measure_fields(self, found_on: dt.date) -> dict:
        """Kind, deadline, status and completion date, spread so that every light shows."""
        rng, today = self.rng, self.today
        roll = rng.random()
        kind = (
            MeasureKind.LONG_TERM
            if roll < 0.10
            else MeasureKind.IMMEDIATE
            if roll < 0.30
            else MeasureKind.DEADLINE
        )
        deadline = None
        if kind == MeasureKind.IMMEDIATE:
            deadline = found_on + dt.timedelta(days=rng.randint(1, 30))
        elif kind == MeasureKind.DEADLINE or rng.random() < 0.25:
            when = rng.random()
            if when < 0.12:
                deadline = self._date_between(found_on, today - dt.timedelta(days=1))
            elif when < 0.18:
                deadline = today + dt.timedelta(days=rng.randint(0, 7))
            else:
                deadline = today + dt.timedelta(days=rng.randint(8, 300))
        overdue = deadline is not None and deadline < today
        done = rng.random() < (0.75 if overdue else 0.3)
        if done:
            status = MeasureStatus.SIGNED_OFF if rng.random() < 0.4 else MeasureStatus.COMPLETED
            completed_on = self._date_between(found_on, today)
        else:
            status = MeasureStatus.IN_PROGRESS if rng.random() < 0.5 else MeasureStatus.NOT_STARTED
            completed_on = None
        return {"kind": kind, "deadline": deadline, "status": status, "completed_on": completed_on}

    def _write_ledger(self, campaign, generator) -> None:
        rng = self.rng
        Through = Measure.responsible_persons.through
        targets = list(campaign.targets.order_by("order").values_list("pk", flat=True))
        sources, levels = list(Source.values), list(Level.values)
        start = campaign.start_date
        latest_found = self.today - dt.timedelta(days=40)
        problem_base = (Problem.all_objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        measure_base = (Measure.all_objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        link_id = (Through.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        # Each problem gets the same share of measures, the remainder spread at random.
        per_problem = [self.n_measures // self.n_problems] * self.n_problems
        for i in rng.sample(range(self.n_problems), self.n_measures % self.n_problems):
            per_problem[i] += 1
        self.answered = Counter()
        candidates = range(1, self.n_units)
        # Values in the database's own form: rows go in without model instances.
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        day = connection.ops.adapt_datefield_value
        creation = {"when": now, "user_id": generator.pk, "reason": REASON}
        problem_rows = _Rows(Problem, _PROBLEM_COLUMNS, history=creation)
        measure_rows = _Rows(Measure, _MEASURE_COLUMNS, history=creation)
        link_rows = _Rows(Through, ("id", "measure_id", "person_id"))
        link_history = _Rows(_historical_links(), ("history_id", "id", "measure_id", "person_id"))
        started = time.perf_counter()
        measure_id = measure_base
        for chunk_start in range(0, self.n_problems, CHUNK_PROBLEMS):
            problems, measures, links = [], [], []
            for p in range(chunk_start, min(chunk_start + CHUNK_PROBLEMS, self.n_problems)):
                o = rng.choice(candidates)
                unit_id, county = self.unit_id[o], self.county_of[o]
                found_on = self._date_between(start, latest_found)
                subject = rng.choice(_SUBJECTS)
                problem_id = problem_base + p
                problems.append(
                    (  # in the order of _PROBLEM_COLUMNS
                        problem_id,
                        campaign.pk,
                        unit_id,
                        rng.choice(targets),
                        subject + rng.choice(_ISSUES),
                        rng.choice(sources),
                        rng.choice(levels),
                        day(found_on),
                        self.person_base + o if rng.random() < 0.1 else None,
                        rng.choice(_CAUSES),
                        generator.pk,
                        now,
                        now,
                    )
                )
                for _ in range(per_problem[p]):
                    fields = self._measure_fields(found_on)
                    measures.append(
                        (  # in the order of _MEASURE_COLUMNS
                            measure_id,
                            problem_id,
                            campaign.pk,
                            unit_id,
                            rng.choice(_ACTIONS) + rng.choice(_OBJECTS) + rng.choice(_SUFFIXES),
                            self.person_base + county if rng.random() < 0.3 else None,
                            fields["kind"].value,
                            day(fields["deadline"]),
                            fields["status"].value,
                            day(fields["completed_on"]),
                            now,
                            now,
                        )
                    )
                    persons = [self.person_base + o]
                    if rng.random() < 0.4:
                        other = self.person_base + rng.choice(self.county_members[county - 1])
                        if other != persons[0]:
                            persons.append(other)
                    for person in persons:
                        links.append((link_id, measure_id, person))
                        link_id += 1
                        self.answered[person] += 1
                    measure_id += 1
            with transaction.atomic():
                problem_rows.write(problems)
                history_ids = measure_rows.write(measures)
                link_rows.write(links)
                # The creation record of each measure carries its responsible persons.
                first = measures[0][0]
                link_history.write((history_ids[m - first], i, m, p) for i, m, p in links)
            self.counts.update(
                {
                    "problems": len(problems),
                    "measures": len(measures),
                    "responsibilities": len(links),
                }
            )
            if self.verbosity > 1:
                self.stdout.write(
                    f"  {self.counts['measures']:,} of {self.n_measures:,} measures"
                    f" ({time.perf_counter() - started:.0f} s)"
                )

    # ── urges and extensions ────────────────────────────────────────────
    def _write_supervision(self, campaign, generator) -> None:
        """Urge a share of the open measures (the overdue most, :data:`URGED`) and extend
        the deadline of a share of the dated ones (:data:`EXTENDED`), once or twice, each
        extension approved and ending on the measure's deadline.

        Drawn from a generator of its own after the ledger is written, so the same
        seed still gives the same ledger as before urges were generated.
        """
        rng = random.Random(f"{self.seed}-supervision")
        now = timezone.now()
        urges, extensions = [], []
        # Each measure's light as the ledger's lists show it (lights.light_expression).
        measures = (
            Measure.objects.filter(campaign=campaign)
            .annotate(light=light_expression(self.today))
            .order_by("pk")
            .values_list("pk", "deadline", "status", "light")
        )

        def flush() -> None:
            with transaction.atomic():
                Urge.objects.bulk_create(urges, batch_size=BATCH_SIZE)
                ExtensionRequest.objects.bulk_create(extensions, batch_size=BATCH_SIZE)
            self.counts.update({"urges": len(urges), "extensions approved": len(extensions)})
            urges.clear()
            extensions.clear()

        for pk, deadline, status, light in measures.iterator(chunk_size=20_000):
            if deadline is None:
                continue
            if status in OPEN_STATUSES:
                share, most = URGED[light]
                if rng.random() < share:
                    for _ in range(rng.randint(1, most)):
                        urges.append(
                            Urge(
                                measure_id=pk,
                                by=generator,
                                message=rng.choice(_URGES),
                                created_at=now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 60)),
                            )
                        )
            if rng.random() < EXTENDED:
                new_deadline = deadline
                for _ in range(2 if rng.random() < 0.2 else 1):
                    old_deadline = new_deadline - dt.timedelta(days=rng.randint(7, 60))
                    decided = now - dt.timedelta(days=rng.randint(1, 90))
                    extensions.append(
                        ExtensionRequest(
                            measure_id=pk,
                            requested_by=generator,
                            old_deadline=old_deadline,
                            new_deadline=new_deadline,
                            reason=rng.choice(_EXTENSION_REASONS),
                            status=ExtensionStatus.APPROVED,
                            decided_by=generator,
                            decided_at=decided,
                            created_at=decided - dt.timedelta(days=rng.randint(1, 5)),
                        )
                    )
                    new_deadline = old_deadline
            if len(urges) + len(extensions) >= 20_000:
                flush()
        flush()
        # Written around the services, which count them on their measures as they go.
        pressure.recount(Measure.all_objects.filter(campaign=campaign))

    # ── logins ──────────────────────────────────────────────────────────
    def _write_logins(self, password: str, generator) -> None:
        root = Unit.objects.get(pk=self.unit_id[0])
        county = Unit.objects.get(pk=self.unit_id[1])
        best = max(
            (p for p in self.answered if p != self.person_base + 1),
            key=lambda p: (self.answered[p], -p),
        )
        specs = [
            (f"{self.slug}-admin", self.person_base, Role.SYSTEM_ADMIN, root),
            (f"{self.slug}-county", self.person_base + 1, Role.UNIT_ADMIN, county),
            (f"{self.slug}-person", best, None, None),
        ]
        for username, person_id, role, unit in specs:
            person = Person.objects.get(pk=person_id)
            user = login_create(
                person=person, username=username, password=password, acting_user=generator
            )
            if role:
                role_grant(user=user, unit=unit, role=role, acting_user=generator)
                what = f"{role} on {unit} (id {unit.pk})"
            else:
                what = (
                    f"responsible person {person} (person {person.pk}), "
                    f"{self.answered[best]} measures"
                )
            self.logins.append((username, what))

    # ── the whole run ───────────────────────────────────────────────────
    @contextmanager
    def _step(self, label: str):
        """Add the wall time of the ``with`` block to :attr:`timings` under ``label``."""
        start = time.perf_counter()
        yield
        self.timings[label] = self.timings.get(label, 0.0) + time.perf_counter() - start

    def _tune_sqlite(self) -> None:
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return  # (inside a transaction, as in tests, SQLite refuses these pragmas)
        with connection.cursor() as cursor:
            # A big page cache keeps index inserts in memory; temp b-trees stay in RAM.
            cursor.execute("PRAGMA cache_size = -1048576")
            cursor.execute("PRAGMA temp_store = MEMORY")

    def _reset_sequences(self) -> None:
        """Explicit ids, history's too, do not move PostgreSQL's sequences: move them past."""
        statements = connection.ops.sequence_reset_sql(
            no_style(),
            [
                Unit,
                Person,
                Problem,
                Measure,
                Measure.responsible_persons.through,
                Problem.history.model,
                Measure.history.model,
            ],
        )
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def _analyze(self, *models) -> None:
        """Gather the planner's statistics, of ``models``' tables or of every table."""
        tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
        with connection.cursor() as cursor:
            # VACUUM sets PostgreSQL's visibility map, without which index-only
            # scans read the table anyway; it cannot run inside a transaction (tests).
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
            elif tables:
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")
            else:
                cursor.execute("ANALYZE")

    def run(self, *, password: str) -> None:
        """Write everything, timing each step."""
        total = time.perf_counter()
        self._tune_sqlite()
        User = get_user_model()
        generator, created = User.objects.get_or_create(username=GENERATOR_USERNAME)
        if created:
            generator.set_unusable_password()  # an acting user for history, never a login
            generator.save(update_fields=["password"])
        with self._step("units"):
            self._plan_tree()
            self._write_units()
        root = Unit.objects.get(pk=self.unit_id[0])
        # A management command is a trusted caller: it grants the first role itself.
        role_grant(user=generator, unit=root, role=Role.SYSTEM_ADMIN, acting_user=None)
        generator.__dict__.pop("_rectify_grants", None)  # the grant is new: forget cached scope
        with self._step("campaign"):
            campaign = campaign_create(
                name=f"生成数据（{self.slug}）",
                slug=self.slug,
                organizer=root,
                participating_units=[root],
                start_date=self.today - dt.timedelta(days=240),
                template="zhutijiaoyu",
                acting_user=generator,
            )
        with self._step("people"):
            self._write_people(generator)
        with self._step("problems and measures"):
            self._write_ledger(campaign, generator)
        with self._step("urges and extensions"):
            self._write_supervision(campaign, generator)
        with self._step("logins"):
            self._write_logins(password, generator)
        if self.n_attendance:
            with self._step("study attendance"):
                self.counts.update(
                    generate_attendance(
                        campaign=campaign,
                        rows=self.n_attendance,
                        seed=self.seed,
                        acting_user=generator,
                        stdout=self.stdout,
                    )
                )
        with self._step("sequences and analyze"):
            self._reset_sequences()
            self._analyze()
        with self._step("tallies"):
            # The rows went in around the ledger services, which keep the tallies as they
            # write. Counted after ANALYZE: without statistics PostgreSQL plans the count of
            # a million fresh measures as if the table were empty (hours instead of seconds).
            tallies.rebuild([campaign.pk])
            self._analyze(Tally, TallyDay)
        self.timings["total"] = time.perf_counter() - total
        self.counts = {
            "units": self.n_units,
            "people": self.n_units,
            **self.counts,
            **{
                f"light {light}": n
                for light, n in light_counts(
                    Measure.objects.filter(campaign=campaign), self.today
                ).items()
            },
        }
        missing = [light for light in Light.values if not self.counts[f"light {light}"]]
        if missing and self.n_measures >= 100:
            self.stdout.write(f"Warning: no measure shows the light(s) {', '.join(missing)}.")
