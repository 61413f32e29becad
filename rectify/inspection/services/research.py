"""Research topics (调查研究): plan a topic, write and submit its report, record its findings."""

import datetime as dt
from collections.abc import Sequence
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign, Target
from rectify.core.services import attribute_history, claim_version, restore, soft_delete
from rectify.core.uploads import store_uploads, validate_evidence_files
from rectify.ledger.models import Source
from rectify.org.models import Person, Unit
from rectify.org.scoping import can_change_unit, person_of

from ..models import Finding, ResearchAttachment, ResearchStatus, ResearchTopic
from .findings import record_finding

#: What :func:`topic_update` may change; campaign and unit are fixed once created.
TOPIC_FIELDS = ("title", "lead", "planned_start", "planned_end", "status")

#: The longest research report accepted (a report, not a book; files carry the rest).
REPORT_MAX_LENGTH = 50_000

#: The statuses set by hand; "report submitted" only comes from submitting the report.
PLANNING_STATUSES = (ResearchStatus.PLANNED, ResearchStatus.IN_PROGRESS)


def can_edit_topic(user, topic: ResearchTopic) -> bool:
    """Administrators of the topic's unit plan, edit, delete and restore it."""
    return can_change_unit(user, topic.unit)


def can_write_report(user, topic: ResearchTopic) -> bool:
    """The unit's administrators and the topic's lead write its report and record its findings."""
    if topic.is_deleted:
        return False
    if can_change_unit(user, topic.unit):
        return True
    person = person_of(user)
    return person is not None and person.pk == topic.lead_id


def _require_editor(user, topic: ResearchTopic) -> None:
    if not can_edit_topic(user, topic):
        raise PermissionDenied(
            _("You may not change the research topics of “%(unit)s”.") % {"unit": topic.unit}
        )


def _require_writer(user, topic: ResearchTopic) -> None:
    if not can_write_report(user, topic):
        raise PermissionDenied(_("You may not write the report of this research topic."))


def _validate_topic(topic: ResearchTopic) -> None:
    """Field-level errors first (so each shows next to its field), then the model's own."""
    errors = {}
    if topic.planned_start and topic.planned_end and topic.planned_end < topic.planned_start:
        errors["planned_end"] = _("The planned end cannot be before the planned start.")
    if not topic.campaign.includes_unit(topic.unit):
        errors["unit"] = _("This unit does not take part in the campaign.")
    if errors:
        raise ValidationError(errors)
    topic.full_clean()


@transaction.atomic
def topic_create(
    *,
    campaign: Campaign,
    unit: Unit,
    title: str,
    lead: Person,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
    status: str = ResearchStatus.PLANNED,
    acting_user,
    reason: str = "",
) -> ResearchTopic:
    """Plan a research topic of ``unit`` in ``campaign``, led by ``lead``."""
    if not can_change_unit(acting_user, unit):
        raise PermissionDenied(
            _("You may not change the research topics of “%(unit)s”.") % {"unit": unit}
        )
    if status not in PLANNING_STATUSES:
        raise ValidationError({"status": _("A report is submitted from the topic's page.")})
    topic = ResearchTopic(
        campaign=campaign,
        unit=unit,
        title=title.strip(),
        lead=lead,
        planned_start=planned_start,
        planned_end=planned_end,
        status=status,
    )
    _validate_topic(topic)
    attribute_history(topic, acting_user=acting_user, reason=reason)
    topic.save()
    return topic


@transaction.atomic
def topic_update(
    *, topic: ResearchTopic, expected_version: int, acting_user, reason: str = "", **fields
) -> ResearchTopic:
    """Change a topic's plan; refused if someone saved it since ``expected_version``.

    The status moves between planned and in progress here; once the report is
    submitted it stays submitted.
    """
    _require_editor(acting_user, topic)
    unknown = set(fields) - set(TOPIC_FIELDS)
    if unknown:
        raise ValueError(f"topic_update cannot change {sorted(unknown)}")
    status = fields.get("status", topic.status)
    if status != topic.status and ResearchStatus.REPORTED in (status, topic.status):
        raise ValidationError(
            {"status": _("The status “report submitted” is set only by submitting the report.")}
        )
    for name, value in fields.items():
        setattr(topic, name, value.strip() if name == "title" else value)
    _validate_topic(topic)
    claim_version(topic, expected_version=expected_version)
    attribute_history(topic, acting_user=acting_user, reason=reason)
    topic.save()
    return topic


@transaction.atomic
def topic_delete(*, topic: ResearchTopic, acting_user, reason: str = "") -> None:
    """Soft-delete a topic; its report, files and findings stay, and it can be restored."""
    _require_editor(acting_user, topic)
    claim_version(topic, expected_version=topic.version)
    soft_delete(topic, acting_user=acting_user, reason=reason)


@transaction.atomic
def topic_restore(*, topic: ResearchTopic, acting_user, reason: str = "") -> None:
    """Undo a topic's soft delete."""
    _require_editor(acting_user, topic)
    claim_version(topic, expected_version=topic.version)
    restore(topic, acting_user=acting_user, reason=reason)


@transaction.atomic
def topic_report_save(
    *,
    topic: ResearchTopic,
    report: str,
    expected_version: int,
    acting_user,
    files: Sequence[UploadedFile] = (),
    submit: bool = False,
    reason: str = "",
) -> ResearchTopic:
    """Save the research report's text with new files; with ``submit``, hand it in.

    A first draft starts a planned topic; submitting needs the text and sets
    the topic to "report submitted" with the time. A submitted report is
    final. Files pass the same checks as the ledger's evidence.
    """
    _require_writer(acting_user, topic)
    if topic.status == ResearchStatus.REPORTED:
        raise ValidationError(_("The report has been submitted; it can no longer be changed."))
    report = report.strip()
    if submit and not report:
        raise ValidationError({"report": _("Write the report before submitting it.")})
    if len(report) > REPORT_MAX_LENGTH:
        raise ValidationError(
            {"report": _("At most %(max)s characters.") % {"max": REPORT_MAX_LENGTH}}
        )
    validate_evidence_files(files)
    claim_version(topic, expected_version=expected_version)
    topic.report = report
    if submit:
        topic.status = ResearchStatus.REPORTED
        topic.reported_at = timezone.now()
        reason = reason or _("Report submitted")
    elif topic.status == ResearchStatus.PLANNED and (report or files):
        topic.status = ResearchStatus.IN_PROGRESS
    if files:
        names = ", ".join(upload.name for upload in files)
        attached = _("Files attached: %(names)s") % {"names": names}
        reason = f"{reason} · {attached}" if reason else attached
    attribute_history(topic, acting_user=acting_user, reason=reason)
    topic.save()
    # Last: a failure here deletes the files written, and the rows roll back.
    store_uploads(files, partial(ResearchAttachment, topic=topic))
    return topic


@transaction.atomic
def topic_record_finding(
    *,
    topic: ResearchTopic,
    text: str,
    acting_user,
    target: Target | None = None,
    level: str = "",
) -> Finding:
    """Record a finding the research produced, into its unit's triage queue."""
    _require_writer(acting_user, topic)
    if not text.strip():
        raise ValidationError({"text": _("Describe what the research found.")})
    return record_finding(
        campaign=topic.campaign,
        unit=topic.unit,
        source=Source.RESEARCH,
        text=text,
        target=target,
        level=level,
        acting_user=acting_user,
        research_topic=topic,
    )
