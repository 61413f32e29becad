"""Round trip: export a campaign's combined ledger, import it into an empty campaign, export
again — the same cell values (issue 4, acceptance)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import translation
from django.utils.http import urlencode

from rectify.core.testing import make_campaign, make_measure, make_problem
from rectify.exchange.columns import ID_HEADER
from rectify.exchange.export import ExportRequest, build_source, write_export
from rectify.ledger.models import MeasureKind, MeasureStatus, Problem
from rectify.ledger.services import progress_record

from .builders import run


def _export(campaign, path) -> list[list]:
    """The campaign's combined ledger as written, and its rows below the header as values."""
    request = ExportRequest("ledger", "measures", urlencode({"campaign": campaign.slug}))
    with path.open("wb") as handle:
        write_export(build_source(request, None), "xlsx", handle)
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if ID_HEADER in row)
    id_column = rows[header].index(ID_HEADER)
    return [row[:id_column] + row[id_column + 1 :] for row in rows[header + 1 :]]


@pytest.fixture
def filled(world):
    """Problems of both counties: merged measures, long-term, immediate, progress, departments."""
    campaign = world.campaign
    first = make_problem(
        campaign,
        world.a,
        description="理论学习不深入，学用结合不紧",
        root_cause="学习制度落实不到位",
        source="self",
        level="group",
        found_on=dt.date(2019, 9, 1),
        acting_user=world.admin_a,
    )
    make_measure(
        first,
        content="制定学习计划",
        expected_outcome="每月集中学习一次",
        persons=[world.people["李明"], world.people["王责任"]],
        responsible_leader=world.people["赵领导"],
        responsible_department=world.office_a,
        deadline=dt.date(2019, 12, 31),
        acting_user=world.admin_a,
    )
    long_term = make_measure(
        first,
        content="建立常态化学习机制",
        persons=[world.people["张强"]],
        kind=MeasureKind.LONG_TERM,
        deadline=None,
        acting_user=world.admin_a,
    )
    progress_record(measure=long_term, text="已建立学习制度", acting_user=world.admin_a)
    second = make_problem(
        campaign,
        world.b,
        target=world.targets["T4"],
        description="服务科技工作者不够主动",
        found_on=dt.date(2019, 9, 1),
    )
    make_measure(
        second,
        content="=走访企业科技工作者",
        persons=[world.people["刘芳"]],
        kind=MeasureKind.IMMEDIATE,
        status=MeasureStatus.COMPLETED,
        deadline=dt.date(2019, 10, 1),
    )
    make_problem(campaign, world.b, description="尚未制定措施的问题", found_on=dt.date(2019, 9, 1))
    return campaign


def test_export_import_export_gives_the_same_cells(world, filled, tmp_path):
    with translation.override("zh-hans"):
        before = _export(filled, tmp_path / "before.xlsx")
        empty = make_campaign(
            world.city, start_date=dt.date(2019, 9, 1), slug="empty", acting_user=world.sysadmin
        )
        found, outcome = run(
            tmp_path / "before.xlsx", campaign=empty, unit=world.city, user=world.admin_city
        )
        assert found.can_import, found.issues
        assert (outcome.problems_created, outcome.measures_created) == (3, 3)
        assert outcome.persons_created == 0
        after = _export(empty, tmp_path / "after.xlsx")
    assert Problem.objects.filter(campaign=filled).count() == 3
    assert len(before) == 4
    assert after == before, (before, after)
