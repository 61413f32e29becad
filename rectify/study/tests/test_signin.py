"""Sign-in sheets: names matched to people, the unmatched listed and resolved, one transaction."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rectify.core.testing import make_person, make_user
from rectify.org.models import Role

from .. import services
from ..models import Attendance, AttendanceStatus
from ..services import SigninChoice
from ..signin import plan_signin, read_signin_sheet
from .conftest import new_meeting

pytestmark = pytest.mark.django_db

SHEET = [
    ["市科协主题教育工作会议签到表"],
    [],
    ["序号", "姓 名", "单位", "备注"],
    [1, "王明", "办公室", ""],
    [2, "李  红", "科普部", ""],
    [3, "张伟", "学会部", "请假（出差）"],
    [4, "赵六", "", ""],
    [5, "钱七七", "", ""],
    [6, "王明", "办公室", ""],
    [7, "孙八", "", "缺席"],
    [],
    ["填表人：办公室"],
]


def xlsx(rows, name="签到表.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    return SimpleUploadedFile(name, content.getvalue())


@pytest.fixture
def signin(tree):
    """A meeting of 东昌府区 with the people the sheet names, some invited, some not."""
    p = {
        "wang": make_person(tree.dcf, "王明"),
        "li": make_person(tree.section, "李红"),
        "zhang_invited": make_person(tree.dcf, "张伟"),
        "zhang_other": make_person(tree.section, "张伟"),
        "zhao1": make_person(tree.dcf, "赵六"),
        "zhao2": make_person(tree.section, "赵六"),
        "qian": make_person(tree.dcf, "钱七"),
        "sun": make_person(tree.dcf, "孙八"),
        "lq_wang": make_person(tree.lq, "王明"),
    }
    meeting = new_meeting(tree.campaign, tree.dcf, acting_user=tree.admin)
    services.attendance_invite(
        meeting=meeting,
        persons=[p["wang"], p["zhang_invited"], p["sun"]],
        acting_user=tree.admin,
    )
    return meeting, p


def _by_row(planned):
    return {item.line.row: item for item in planned}


def test_names_are_matched_and_the_unmatched_listed(tree, signin):
    meeting, p = signin
    planned = _by_row(plan_signin(meeting, read_signin_sheet(xlsx(SHEET))))
    assert sorted(planned) == [4, 5, 6, 7, 8, 9, 10]
    assert planned[4].person == p["wang"]  # not 临清's 王明: he is neither invited nor below
    assert planned[5].person == p["li"]  # spaces that aligned the name are dropped
    assert planned[6].person == p["zhang_invited"]  # of two 张伟, the one invited
    assert (planned[6].line.status, planned[6].line.reason) == (AttendanceStatus.LEAVE, "出差")
    assert planned[7].person is None
    assert set(planned[7].candidates) == {p["zhao1"], p["zhao2"]}
    assert planned[8].person is None and planned[8].candidates == [p["qian"]]
    assert planned[9].duplicate_of == 4 and not planned[9].matched
    assert planned[10].line.status == AttendanceStatus.ABSENT


def test_a_sheet_without_a_name_column_is_refused(tree):
    with pytest.raises(ValidationError) as caught:
        read_signin_sheet(xlsx([["序号", "单位"], [1, "办公室"]]))
    assert "姓名" in str(caught.value.message_dict["file"])


@pytest.mark.parametrize(
    ("name", "content"),
    [("签到表.xlsm", b"PK\x03\x04"), ("签到表.xlsx", b"just text"), ("签到表.exe", b"MZ")],
)
def test_unsafe_or_wrong_files_are_refused(tree, name, content):
    with pytest.raises(ValidationError) as caught:
        read_signin_sheet(SimpleUploadedFile(name, content))
    assert caught.value.message_dict["file"]


def test_a_csv_saved_by_chinese_excel_is_read(tree, signin):
    meeting, p = signin
    text = "姓名,备注\r\n王明,\r\n孙八,请假：家中有事\r\n"
    planned = plan_signin(
        meeting, read_signin_sheet(SimpleUploadedFile("签到.csv", text.encode("gb18030")))
    )
    assert [(i.person, i.line.status, i.line.reason) for i in planned] == [
        (p["wang"], AttendanceStatus.PRESENT, ""),
        (p["sun"], AttendanceStatus.LEAVE, "家中有事"),
    ]


def test_confirmed_lines_are_recorded_and_new_people_invited(tree, signin):
    meeting, p = signin
    outcome = services.attendance_record_signin(
        meeting=meeting,
        choices=[
            SigninChoice(4, "王明", p["wang"].pk),
            SigninChoice(5, "李红", p["li"].pk),
            SigninChoice(6, "张伟", p["zhang_invited"].pk, AttendanceStatus.LEAVE, "出差"),
            SigninChoice(7, "赵六", p["zhao2"].pk),
            SigninChoice(8, "钱七七", None),
        ],
        acting_user=tree.admin,
        source="签到表.xlsx",
    )
    assert (outcome.marked, outcome.invited, outcome.ignored) == (4, 2, 1)
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "status"))
    assert statuses == {
        p["wang"].pk: AttendanceStatus.PRESENT,
        p["li"].pk: AttendanceStatus.PRESENT,
        p["zhang_invited"].pk: AttendanceStatus.LEAVE,
        p["zhao2"].pk: AttendanceStatus.PRESENT,
        p["sun"].pk: AttendanceStatus.INVITED,
    }
    record = Attendance.objects.get(meeting=meeting, person=p["li"]).history.get()
    assert record.history_change_reason.endswith("签到表.xlsx")


@pytest.mark.parametrize(
    "bad",
    [
        "outsider",  # 临清's 王明: neither invited nor of 东昌府区
        "twice",  # the same person on two lines
        "no_reason",  # leave without a reason
    ],
)
def test_one_bad_line_saves_nothing(tree, signin, bad):
    meeting, p = signin
    choices = [SigninChoice(4, "王明", p["wang"].pk), SigninChoice(5, "李红", p["li"].pk)]
    if bad == "outsider":
        choices.append(SigninChoice(9, "王明", p["lq_wang"].pk))
    elif bad == "twice":
        choices.append(SigninChoice(9, "王明", p["wang"].pk))
    else:
        choices.append(SigninChoice(6, "张伟", p["zhang_invited"].pk, AttendanceStatus.LEAVE, ""))
    with pytest.raises(ValidationError) as caught:
        services.attendance_record_signin(meeting=meeting, choices=choices, acting_user=tree.admin)
    assert "9" in str(caught.value) or "6" in str(caught.value)
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {
        AttendanceStatus.INVITED
    }
    assert Attendance.objects.filter(meeting=meeting).count() == 3


def _confirm_data(formset, choose: dict[int, int]) -> dict:
    """The confirm form as the preview page posts it, with ``choose`` {row: person id} picked."""
    data = {
        "step": "confirm",
        "source": "签到表.xlsx",
        "line-TOTAL_FORMS": str(len(formset.forms)),
        "line-INITIAL_FORMS": str(len(formset.forms)),
    }
    for index, form in enumerate(formset.forms):
        initial = form.initial
        person = choose.get(initial["row"], initial["person"])
        data |= {
            f"line-{index}-row": initial["row"],
            f"line-{index}-name": initial["name"],
            f"line-{index}-person": person or "",
            f"line-{index}-status": initial["status"],
            f"line-{index}-reason": initial["reason"],
        }
    return data


def test_the_pages_list_unmatched_names_then_save_the_resolved_sheet(client, tree, signin):
    meeting, p = signin
    client.force_login(make_user(tree.dcf, Role.UNIT_ADMIN))
    url = reverse("study:meeting-signin", kwargs={"pk": meeting.pk})
    assert client.get(url).status_code == 200
    preview = client.post(url, {"file": xlsx(SHEET)})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert page.count('class="unmatched"') == 2  # 赵六 (two of them) and 钱七七 (unknown)
    assert "赵六" in page and "钱七七" in page
    assert not Attendance.objects.filter(meeting=meeting).exclude(status="invited").exists()
    formset = preview.context["formset"]
    saved = client.post(url, _confirm_data(formset, {7: p["zhao1"].pk}))
    assert saved.status_code == 302
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "status"))
    assert statuses[p["zhao1"].pk] == AttendanceStatus.PRESENT
    assert statuses[p["zhang_invited"].pk] == AttendanceStatus.LEAVE
    assert statuses[p["sun"].pk] == AttendanceStatus.ABSENT
    assert p["zhao2"].pk not in statuses and p["qian"].pk not in statuses


def test_a_refused_confirmation_shows_the_lines_again_and_saves_nothing(client, tree, signin):
    meeting, p = signin
    client.force_login(make_user(tree.dcf, Role.UNIT_ADMIN))
    url = reverse("study:meeting-signin", kwargs={"pk": meeting.pk})
    formset = client.post(url, {"file": xlsx(SHEET)}).context["formset"]
    # A forged id: a person of another county, who is in no list of the page.
    response = client.post(url, _confirm_data(formset, {7: p["lq_wang"].pk}))
    assert response.status_code == 200
    assert "signin-errors" in response.content.decode()
    assert not Attendance.objects.filter(meeting=meeting).exclude(status="invited").exists()


def test_names_on_the_sheet_are_shown_inert(client, tree, signin):
    meeting, _p = signin
    client.force_login(tree.admin)
    url = reverse("study:meeting-signin", kwargs={"pk": meeting.pk})
    sheet = [["姓名"], ["<script>alert(1)</script>"]]
    page = client.post(url, {"file": xlsx(sheet)}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
