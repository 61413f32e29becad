"""A meeting's life: recorded with its files, edited without overwriting, deleted, restored."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rectify.core.services import StaleEditError
from rectify.core.testing import make_person, make_unit, make_user
from rectify.org.models import Role

from .. import services
from ..models import MINUTES_MAX_LENGTH, Meeting, MeetingKind
from .conftest import new_meeting

pytestmark = pytest.mark.django_db


def test_meeting_is_recorded_with_speakers_files_and_history(tree):
    presider = make_person(tree.city, "潘主持", position="党组成员、副主席")
    speaker = make_person(tree.city, "王讲话", position="党组书记")
    upload = SimpleUploadedFile("学习材料.pdf", b"%PDF-1.4 speech", content_type="application/pdf")
    meeting = new_meeting(
        tree.campaign,
        tree.city,
        acting_user=tree.admin,
        kind=MeetingKind.WORKING,
        presider=presider,
        speakers=[speaker],
        topics="学习总书记重要讲话",
        files=[upload],
    )
    assert meeting.presider == presider
    assert list(meeting.speakers.all()) == [speaker]
    stored = meeting.files.get()
    assert stored.original_name == "学习材料.pdf"
    assert stored.size == len(b"%PDF-1.4 speech")
    assert len(stored.sha256) == 64 and stored.file.name.startswith("study/")
    records = list(meeting.history.order_by("history_id"))
    assert records[0].history_type == "+"
    assert {record.history_user for record in records} == {tree.admin}


def test_unit_admin_cannot_record_a_meeting_of_another_county(tree):
    lq_admin = make_user(tree.lq, Role.UNIT_ADMIN)
    with pytest.raises(PermissionDenied):
        new_meeting(tree.campaign, tree.dcf, acting_user=lq_admin)
    assert not Meeting.all_objects.exists()


def test_unit_outside_the_campaign_is_refused(tree):
    elsewhere = make_unit("省外单位")
    with pytest.raises(ValidationError) as caught:
        new_meeting(tree.campaign, elsewhere, acting_user=tree.admin)
    assert "unit" in caught.value.message_dict


def test_a_file_of_a_refused_type_saves_nothing(tree):
    upload = SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as caught:
        new_meeting(tree.campaign, tree.city, acting_user=tree.admin, files=[upload])
    assert "病毒.exe" in str(caught.value)
    assert not Meeting.all_objects.exists()


def test_oversized_minutes_are_refused(tree):
    with pytest.raises(ValidationError) as caught:
        new_meeting(
            tree.campaign,
            tree.city,
            acting_user=tree.admin,
            minutes="记" * (MINUTES_MAX_LENGTH + 1),
        )
    assert "minutes" in caught.value.message_dict


def test_a_stale_edit_is_refused_and_changes_nothing(tree):
    meeting = new_meeting(tree.campaign, tree.city, acting_user=tree.admin, title="第一次")
    seen = meeting.version
    services.meeting_update(
        meeting=meeting, expected_version=seen, acting_user=tree.admin, title="第二次"
    )
    stale = Meeting.objects.get(pk=meeting.pk)
    with pytest.raises(StaleEditError):
        services.meeting_update(
            meeting=stale, expected_version=seen, acting_user=tree.admin, title="第三次"
        )
    meeting.refresh_from_db()
    assert meeting.title == "第二次"
    assert meeting.version == seen + 1


def test_delete_and_restore_are_kept_in_history(tree):
    meeting = new_meeting(tree.campaign, tree.city, acting_user=tree.admin)
    services.meeting_delete(meeting=meeting, acting_user=tree.admin, reason="重复录入")
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert Meeting.all_objects.get(pk=meeting.pk).is_deleted
    with pytest.raises(ValidationError):
        services.meeting_update(
            meeting=meeting, expected_version=meeting.version, acting_user=tree.admin, title="x"
        )
    services.meeting_restore(meeting=meeting, acting_user=tree.admin, reason="误删")
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    reasons = list(
        meeting.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[-2:] == ["重复录入", "误删"]
