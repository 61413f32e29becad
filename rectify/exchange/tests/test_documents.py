"""The Word plan (整改方案) and progress report (整改情况报告): layout, figures, scope, text.

Each document is read back with python-docx, as a reader's Word would open it.
"""

import datetime as dt
import io
import zipfile
from types import SimpleNamespace

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

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
from rectify.exchange.documents import figures, progress_report, rectification_plan
from rectify.ledger import pressure
from rectify.ledger.models import (
    ExtensionRequest,
    ExtensionStatus,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Review,
    ReviewAction,
    Urge,
)
from rectify.org.models import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def small_world():
    """A city with two counties, four problems and six measures in every state that counts.

    p1 (东昌府区, target 1, individual leader): m1 signed off with a completion
    statement; m2 overdue by 3 days, urged twice.
    p2 (临清市, target 2, leadership group): m3 completed (awaiting acceptance);
    m4 due in 3 days (yellow), its deadline extended twice; m5 long-term, urged once.
    p3 (the city itself, target 1, unit): no measure yet.
    p4 (东昌府区, target 2, members): m6 long-term, signed off, with a statement
    and a standing mechanism.
    """
    admin = make_admin()
    city = make_unit("聊城市科协")
    dongchangfu = make_unit("东昌府区科协", parent=city)
    linqing = make_unit("临清市科协", parent=city)
    campaign = make_campaign(city, acting_user=admin, name="主题教育")
    t1, t2 = list(campaign.targets.all())[:2]
    person = make_person(dongchangfu, "张三")
    other = make_person(linqing, "李四")

    p1 = make_problem(campaign, dongchangfu, target=t1, level=Level.LEADER, acting_user=admin)
    m1 = make_measure(
        p1,
        persons=[person],
        acting_user=admin,
        content="组织集中学习",
        status=MeasureStatus.SIGNED_OFF,
        deadline=_day(10),
    )
    m2 = make_measure(p1, persons=[person], acting_user=admin, content="补齐学习台账")
    Measure.objects.filter(pk=m2.pk).update(deadline=_day(-3), status=MeasureStatus.IN_PROGRESS)
    p2 = make_problem(campaign, linqing, target=t2, level=Level.LEADERSHIP_GROUP, acting_user=admin)
    make_measure(p2, persons=[other], acting_user=admin, content="走访服务对象", status="completed")
    m4 = make_measure(p2, persons=[other], acting_user=admin, content="修订服务规范")
    Measure.objects.filter(pk=m4.pk).update(deadline=_day(3), original_deadline=_day(-5))
    for old, new in ((-5, -1), (-1, 3)):
        ExtensionRequest.objects.create(
            measure=m4,
            old_deadline=_day(old),
            new_deadline=_day(new),
            reason="等待上级文件",
            status=ExtensionStatus.APPROVED,
        )
    m5 = make_measure(
        p2,
        persons=[other],
        acting_user=admin,
        content="常态化联系科技工作者",
        kind=MeasureKind.LONG_TERM,
        deadline=None,
        status=MeasureStatus.IN_PROGRESS,
    )
    make_problem(campaign, city, target=t1, level=Level.UNIT, acting_user=admin)
    p4 = make_problem(campaign, dongchangfu, target=t2, level=Level.MEMBER, acting_user=admin)
    m6 = make_measure(
        p4,
        persons=[person],
        acting_user=admin,
        content="建立廉政提醒制度",
        kind=MeasureKind.LONG_TERM,
        deadline=None,
        status=MeasureStatus.SIGNED_OFF,
    )
    Measure.objects.filter(pk=m6.pk).update(mechanism="每月开展一次廉政提醒")
    for measure, text in ((m1, "已组织集中学习4次"), (m6, "制度已印发执行")):
        Review.objects.create(
            measure=measure,
            action=ReviewAction.SUBMIT,
            from_status=MeasureStatus.IN_PROGRESS,
            to_status=MeasureStatus.COMPLETED,
            text=text,
        )
    for measure in (m2, m2, m5):
        Urge.objects.create(measure=measure, message="请加快进度")
    pressure.recount()  # the rows above went in around the services that count them
    return SimpleNamespace(
        admin=admin,
        city=city,
        dongchangfu=dongchangfu,
        linqing=linqing,
        campaign=campaign,
        targets=list(campaign.targets.all()),
    )


def _open(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def _texts(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def _table(document, first_header: str) -> list[list[str]]:
    """The rows (header included) of the table whose first header cell is ``first_header``."""
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table starting with {first_header!r}")


def _report(world, user=None, unit=None):
    generated = progress_report(
        user=user or world.admin, campaign=world.campaign, unit=unit or world.city, today=TODAY
    )
    return _open(generated.content)


def _plan(world, user=None, unit=None):
    generated = rectification_plan(
        user=user or world.admin, campaign=world.campaign, unit=unit or world.city, today=TODAY
    )
    return generated, _open(generated.content)


# Layout


@pytest.mark.parametrize("build", [_plan, _report])
def test_every_page_is_a4_with_the_official_margins(small_world, build):
    result = build(small_world)
    document = result[1] if isinstance(result, tuple) else result
    sections = list(document.sections)
    assert sections[0].orientation == WD_ORIENT.PORTRAIT
    assert len(sections) == 2, "the body, then the attached lists on landscape pages"
    assert sections[1].orientation == WD_ORIENT.LANDSCAPE
    tolerance = Mm(0.1)
    for section in sections:
        size = sorted((section.page_width, section.page_height))
        assert abs(size[0] - Mm(210)) < tolerance and abs(size[1] - Mm(297)) < tolerance
        assert abs(section.top_margin - Mm(37)) < tolerance
        assert abs(section.bottom_margin - Mm(35)) < tolerance
        assert abs(section.left_margin - Mm(28)) < tolerance
        assert abs(section.right_margin - Mm(26)) < tolerance


def _fonts(style) -> dict[str, str]:
    rfonts = style.element.rPr.rFonts
    return {name: rfonts.get(qn(f"w:{name}")) for name in ("ascii", "hAnsi", "eastAsia")}


def test_named_styles_carry_the_official_fonts_and_sizes(small_world):
    _generated, document = _plan(small_world)
    styles = document.styles
    expected = {
        "公文标题": ("方正小标宋简体", 22),
        "公文正文": ("仿宋_GB2312", 16),
        "一级标题": ("黑体", 16),
        "二级标题": ("楷体_GB2312", 16),
        "表格表头": ("黑体", 12),
        "表格文字": ("仿宋_GB2312", 12),
        "页码": ("宋体", 14),
    }
    for name, (font, size) in expected.items():
        style = styles[name]
        assert _fonts(style) == {"ascii": font, "hAnsi": font, "eastAsia": font}, name
        assert style.font.size == Pt(size), name
        theme = style.element.rPr.rFonts.get(qn("w:eastAsiaTheme"))
        assert theme is None, f"{name}: a theme font would override the named one"
    body = styles["公文正文"].paragraph_format
    assert body.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= body.line_spacing <= Pt(29.5)
    assert body.first_line_indent == Pt(32), "two characters of 三号"

    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "公文标题"
    assert paragraphs[0].text == "聊城市科协主题教育整改方案"
    headings = [p.text for p in paragraphs if p.style.name == "一级标题"]
    assert headings[:2] == ["一、总体要求", "二、整改目标"]
    targets = [p.text for p in paragraphs if p.style.name == "二级标题"]
    assert targets[0] == f"（一）{small_world.targets[0].title}"
    assert len(targets) == len(small_world.targets)


def test_fonts_fall_back_to_fonts_the_reader_has(small_world):
    generated, _document = _plan(small_world)
    with zipfile.ZipFile(io.BytesIO(generated.content)) as archive:
        table = archive.read("word/fontTable.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="黑体"/>' in table
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table
    assert '<w:font w:name="楷体_GB2312"><w:altName w:val="楷体"/>' in table
    assert 'w:eastAsia="zh-CN"' in styles
    assert "minorHAnsi" not in styles.split("</w:docDefaults>")[0], "no theme font by default"


def test_every_table_repeats_its_header_row_and_has_thin_borders(small_world):
    for document in (_plan(small_world)[1], _report(small_world)):
        assert document.tables
        for table in document.tables:
            first, *others = table.rows
            assert first._tr.trPr.find(qn("w:tblHeader")) is not None
            assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in others)
            borders = table._tbl.tblPr.find(qn("w:tblBorders"))
            sizes = {border.get(qn("w:sz")) for border in borders}
            assert sizes == {"4"}, "0.5 pt lines"
            assert len(borders) == 6


def test_page_numbers_are_a_page_field_between_dashes_on_odd_and_even_pages(small_world):
    _generated, document = _plan(small_world)
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "<w:instrText" in xml and " PAGE " in xml
        assert paragraph.text == "— 1 —"
        assert paragraph.alignment is not None and alignment in str(paragraph.alignment).lower()
    # The landscape pages keep counting with the same footer.
    assert document.sections[1].footer.is_linked_to_previous


# The plan


def test_plan_lists_the_three_lists_of_the_unit_subtree(small_world):
    generated, document = _plan(small_world, unit=small_world.dongchangfu)
    texts = _texts(document)
    assert texts[0] == "东昌府区科协主题教育整改方案"
    assert texts[1] == f"（{TODAY.year}年{TODAY.month}月{TODAY.day}日）"
    assert "共检视问题2个，制定整改措施3条。" in texts
    assert "总要求：守初心、担使命，找差距、抓落实" in texts
    assert "对照本项目标查摆问题1个。" in texts
    assert any(text.startswith("1.学习教育：") for text in texts), "the phases with their dates"
    attachments = [p.text for p in document.paragraphs if p.style.name in ("附件标识", "公文标题")]
    assert attachments[1:] == ["附件1", "问题清单", "附件2", "整改清单", "附件3", "责任清单"]
    assert "附件：1. 问题清单" in texts and "3. 责任清单" in texts

    problems = _table(document, "序号")
    assert problems[0] == [
        "序号",
        "单位",
        "问题类别(对照目标)",
        "问题描述",
        "问题来源",
        "层级",
        "原因分析",
    ]
    assert [row[1] for row in problems[1:]] == ["东昌府区科协", "东昌府区科协"]
    measures = document.tables[1]
    contents = [row.cells[3].text for row in measures.rows[1:]]
    assert contents == ["组织集中学习", "补齐学习台账", "建立廉政提醒制度"]
    responsibilities = [[cell.text for cell in row.cells] for row in document.tables[2].rows]
    assert responsibilities[0] == [
        "序号", "单位", "整改措施", "责任领导", "责任部门", "责任人", "完成时限",
    ]  # fmt: skip
    assert responsibilities[1] == [
        "1", "东昌府区科协", "组织集中学习", "", "", "张三", _day(10).isoformat(),
    ]  # fmt: skip
    assert responsibilities[3][6] == "长期坚持"
    assert "临清市科协" not in generated.content.decode("latin-1")
    assert generated.filename.endswith("主题教育-东昌府区科协-整改方案-" + f"{TODAY:%Y%m%d}.docx")


def test_plan_tables_stop_at_the_bound_and_say_so(small_world, monkeypatch):
    monkeypatch.setattr(figures, "DOCUMENT_ROWS", 2)
    _generated, document = _plan(small_world)
    for table, total in zip(document.tables, (4, 6, 6), strict=True):
        assert len(table.rows) == 1 + 2
        assert f"仅列出前2条（共{total}条），完整清单请导出Excel。" in _texts(document)


def test_plan_query_count_does_not_grow_with_its_rows(small_world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _plan(small_world)
        return len(captured)

    before = queries()
    problem = small_world.campaign.problems.first()
    for _ in range(5):
        make_measure(problem, acting_user=small_world.admin)
    assert queries() == before


# The report


def test_report_figures_match_the_hand_count(small_world):
    document = _report(small_world)
    texts = _texts(document)
    assert texts[0] == "聊城市科协主题教育整改情况报告"
    assert texts[1] == f"（截至{TODAY.year}年{TODAY.month}月{TODAY.day}日）"
    assert (
        "共检视问题4个，已完成整改1个，问题整改完成率25.0%；已销号1个，问题销号率25.0%。" in texts
    )
    assert "制定整改措施6条，已完成3条，整改完成率50.0%；已销号2条，销号率33.3%。" in texts
    assert "正在推进3条，其中逾期未完成1条，7日内到期1条。长期坚持的措施2条。" in texts

    statuses = _table(document, "状态")
    assert statuses[1:] == [
        ["未开始", "1", "16.7%"],
        ["整改中", "2", "33.3%"],
        ["已完成（待验收）", "1", "16.7%"],
        ["领导已确认，待巡回指导组验收", "0", "0.0%"],
        ["已销号", "2", "33.3%"],
        ["合计", "6", "100.0%"],
    ]
    by_target = _table(document, "对照目标")
    t1, t2 = small_world.targets[0].title, small_world.targets[1].title
    assert by_target[0] == [
        "对照目标", "问题数", "措施数", "已完成", "已销号", "逾期", "完成率", "销号率",
    ]  # fmt: skip
    assert by_target[1] == [t1, "2", "2", "1", "1", "1", "50.0%", "50.0%"]
    assert by_target[2] == [t2, "2", "4", "2", "1", "0", "50.0%", "25.0%"]
    assert by_target[3][1:] == ["0", "0", "0", "0", "0", "—", "—"]
    assert by_target[-1] == ["合计", "4", "6", "3", "2", "1", "50.0%", "33.3%"]
    by_level = {row[0]: row[1:] for row in _table(document, "层级")[1:]}
    assert by_level[str(Level.LEADERSHIP_GROUP.label)] == ["1", "3", "1", "0", "0", "33.3%", "0.0%"]
    assert by_level[str(Level.LEADER.label)] == ["1", "2", "1", "1", "1", "50.0%", "50.0%"]
    assert by_level[str(Level.MEMBER.label)] == ["1", "1", "1", "1", "0", "100.0%", "100.0%"]
    assert by_level[str(Level.UNIT.label)] == ["1", "0", "0", "0", "0", "—", "—"]
    by_unit = _table(document, "单位")
    assert by_unit[1:] == [
        ["聊城市科协（本级）", "1", "0", "0", "0", "0", "—", "—"],
        ["东昌府区科协", "2", "3", "2", "2", "1", "66.7%", "66.7%"],
        ["临清市科协", "1", "3", "1", "0", "0", "33.3%", "0.0%"],
        ["合计", "4", "6", "3", "2", "1", "50.0%", "33.3%"],
    ]

    assert "超过完成时限未完成的整改措施1条（详见附件1）。" in texts
    assert "经批准延期的整改措施1条，共批准延期申请2次（详见附件2）。" in texts
    assert "督办整改措施2条，累计督办3次（详见附件3）。" in texts
    overdue, extended, urged = document.tables[-3:]
    overdue_rows = [[cell.text for cell in row.cells] for row in overdue.rows]
    assert overdue_rows[1][:7] == [
        "1", "东昌府区科协", "补齐学习台账", "张三", _day(-3).isoformat(), "3", "2",
    ]  # fmt: skip
    extended_rows = [[cell.text for cell in row.cells] for row in extended.rows]
    assert extended_rows[1][2:7] == [
        "修订服务规范", "李四", _day(-5).isoformat(), _day(3).isoformat(), "2",
    ]  # fmt: skip
    urged_rows = [[cell.text for cell in row.cells] for row in urged.rows]
    assert [(row[2], row[5]) for row in urged_rows[1:]] == [
        ("补齐学习台账", "2"),
        ("常态化联系科技工作者", "1"),
    ]


def test_typical_cases_are_signed_off_measures_with_a_statement_mechanism_first(small_world):
    texts = _texts(_report(small_world))
    cases = texts[texts.index("七、典型案例") :]
    assert cases[2] == "（一）东昌府区科协：建立廉政提醒制度"
    assert "整改情况：制度已印发执行" in cases
    assert "长效机制：每月开展一次廉政提醒" in cases
    assert "（二）东昌府区科协：组织集中学习" in cases
    assert "整改情况：已组织集中学习4次" in cases


def test_report_without_anything_to_report_says_so(small_world):
    empty = make_unit("阳谷县科协", parent=small_world.city)
    texts = _texts(_report(small_world, unit=empty))
    assert "共检视问题0个，已完成整改0个，问题整改完成率—；已销号0个，问题销号率—。" in texts
    assert "没有逾期的措施。" in texts
    assert "无延期的整改措施。" in texts
    assert "暂无督办的整改措施。" in texts
    assert not any("典型案例" in text for text in texts)
    assert len(_report(small_world, unit=empty).sections) == 1, "no attachment, no landscape"


# Scope


def test_a_county_user_gets_only_the_county_in_the_documents(small_world):
    user = make_user(small_world.dongchangfu, Role.UNIT_ADMIN)
    document = _report(small_world, user=user, unit=small_world.dongchangfu)
    assert "制定整改措施3条，已完成2条，整改完成率66.7%；已销号2条，销号率66.7%。" in _texts(
        document
    )
    content = rectification_plan(
        user=user, campaign=small_world.campaign, unit=small_world.dongchangfu
    ).content
    assert "走访服务对象".encode() not in _document_xml(content)


def test_a_guidance_group_sees_nothing_of_another_campaign(small_world):
    """A group assigned the county on one campaign reads nothing of it in another."""
    other = make_campaign(small_world.city, acting_user=small_world.admin, name="另一活动")
    member = make_user(small_world.city)
    make_guidance_group(
        small_world.city,
        members=[member.person],
        campaign=other,
        units=[small_world.dongchangfu],
    )
    document = _report(small_world, user=member, unit=small_world.dongchangfu)
    texts = _texts(document)
    assert "制定整改措施0条，已完成0条，整改完成率—；已销号0条，销号率—。" in texts
    content = rectification_plan(
        user=member, campaign=small_world.campaign, unit=small_world.dongchangfu
    ).content
    assert "组织集中学习".encode() not in _document_xml(content)


def _document_xml(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("word/document.xml")


def test_download_views_answer_within_scope_and_404_outside(client, small_world):
    user = make_user(small_world.dongchangfu, Role.UNIT_ADMIN)
    client.force_login(user)
    slug = small_world.campaign.slug
    for name in ("exchange:document-plan", "exchange:document-report"):
        response = client.get(reverse(name, args=[slug, small_world.dongchangfu.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="')
        assert "filename*=UTF-8''" in disposition and "%E4%B8%BB" in disposition  # 主
        assert _open(response.content).paragraphs[0].text.startswith("东昌府区科协")
        # A unit above or beside the user's, or a campaign they cannot see: 404.
        for pk in (small_world.city.pk, small_world.linqing.pk, 999_999):
            assert client.get(reverse(name, args=[slug, pk])).status_code == 404
        hidden = make_campaign(make_unit("外市科协"), acting_user=small_world.admin)
        url = reverse(name, args=[hidden.slug, small_world.dongchangfu.pk])
        assert client.get(url).status_code == 404
        url = reverse(name, args=[slug, small_world.dongchangfu.pk])
        assert client.post(url).status_code == 405
    client.logout()
    response = client.get(reverse("exchange:document-plan", args=[slug, small_world.city.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unit_lists_page_links_the_documents_of_the_chosen_campaign(client, small_world):
    client.force_login(small_world.admin)
    url = reverse("ledger:unit-lists", args=[small_world.dongchangfu.pk])
    page = client.get(url, {"campaign": small_world.campaign.slug}).content.decode()
    plan = reverse(
        "exchange:document-plan", args=[small_world.campaign.slug, small_world.dongchangfu.pk]
    )
    report = reverse(
        "exchange:document-report", args=[small_world.campaign.slug, small_world.dongchangfu.pk]
    )
    assert f'href="{plan}"' in page and "下载整改方案 (.docx)" in page
    assert f'href="{report}"' in page and "下载整改情况报告 (.docx)" in page
    page = client.get(url).content.decode()
    assert "exchange/documents" not in page and "选择活动后可下载" in page


# Text from users


def test_script_and_formula_like_text_stays_literal(small_world):
    hostile = '<script>alert("x")</script> & =cmd|"/C calc"!A0 { PAGE } ]]>'
    problem = make_problem(
        small_world.campaign,
        small_world.dongchangfu,
        description=hostile + "\n第二行\x01\x0b",
        acting_user=small_world.admin,
    )
    make_measure(problem, content=hostile, acting_user=small_world.admin)
    small_world.campaign.general_requirement = hostile
    small_world.campaign.save()
    generated, document = _plan(small_world)
    assert f"总要求：{hostile}" in _texts(document)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert hostile + "\n第二行" in cells, "the line break kept, the control characters dropped"
    assert hostile in cells
    xml = _document_xml(generated.content).decode()
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert xml.count("<w:instrText") == 0, "no field made of user text in the body"
