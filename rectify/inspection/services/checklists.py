"""Self-examination checklists (自我检视): questions, assignments, answers, findings marked in them.

A checklist belongs to its campaign: administrators of the campaign's
organizer write its questions. Administrators of any unit taking part assign
it to the people of their subtree. Only the assignee answers; a passage of an
answer marked "存在问题" becomes a finding of the assignee's unit, in the same
transaction as the answer it quotes.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign, Target
from rectify.campaigns.selectors import campaign_units
from rectify.core.services import attribute_history, claim_version
from rectify.ledger.models import Level, Source
from rectify.org.models import Person, Unit
from rectify.org.scoping import can_change_unit, editable_by, person_of

from ..checklist_templates import CHECKLIST_TEMPLATES, SHIGE_MENXIN_ZIWEN
from ..models import (
    TEXT_MAX_LENGTH,
    Checklist,
    ChecklistAnswer,
    ChecklistAssignment,
    ChecklistQuestion,
    Finding,
)
from ..selectors.checklists import persons_by_rule
from .findings import record_finding

#: The levels a passage marked in a self-examination answer may take.
FINDING_LEVELS = (Level.LEADERSHIP_GROUP, Level.LEADER)

#: Rows inserted per statement when a rule assigns a large subtree.
ASSIGN_BATCH = 500


def _require_checklist_editor(user, campaign: Campaign) -> None:
    """The questions are the campaign's: only its organizer's administrators write them."""
    if not can_change_unit(user, campaign.organizer):
        raise PermissionDenied(
            _("Only administrators of “%(unit)s” may change this campaign's checklists.")
            % {"unit": campaign.organizer}
        )


def _require_alive(checklist: Checklist) -> None:
    if checklist.is_deleted or checklist.campaign.is_deleted:
        raise ValidationError(_("This checklist has been deleted."))


# --- checklists and questions ---------------------------------------------------


@transaction.atomic
def checklist_create(
    *, campaign: Campaign, title: str, description: str = "", acting_user
) -> Checklist:
    """A new, empty checklist of ``campaign``."""
    _require_checklist_editor(acting_user, campaign)
    checklist = Checklist(campaign=campaign, title=title.strip(), description=description.strip())
    checklist.full_clean()
    attribute_history(checklist, acting_user=acting_user)
    checklist.save()
    return checklist


@transaction.atomic
def checklist_create_from_template(
    *, campaign: Campaign, acting_user, key: str = SHIGE_MENXIN_ZIWEN["key"]
) -> Checklist:
    """A copy of the built-in checklist ``key`` (default 十个扪心自问), its questions tied to
    ``campaign``'s targets by code.

    Refused when the campaign lacks one of the template's target codes (a
    campaign not made from the reference template), rather than guessing.
    """
    template = CHECKLIST_TEMPLATES[key]
    targets = {target.code: target for target in campaign.targets.all()}
    missing = sorted({code for code, _text in template["questions"]} - set(targets))
    if missing:
        raise ValidationError(
            _("This campaign has no target with the code %(codes)s, which the template needs.")
            % {"codes": ", ".join(missing)}
        )
    checklist = checklist_create(
        campaign=campaign,
        title=template["title"],
        description=template["description"],
        acting_user=acting_user,
    )
    for order, (code, text) in enumerate(template["questions"]):
        question = ChecklistQuestion(
            checklist=checklist, target=targets[code], text=text, order=order
        )
        attribute_history(question, acting_user=acting_user)
        question.save()
    return checklist


@transaction.atomic
def checklist_edit(
    *,
    checklist: Checklist,
    title: str,
    description: str,
    expected_version: int | None,
    acting_user,
    reason: str = "",
) -> Checklist:
    """Change a checklist's title and description; a stale edit is refused."""
    _require_checklist_editor(acting_user, checklist.campaign)
    _require_alive(checklist)
    claim_version(checklist, expected_version=expected_version)
    checklist.title, checklist.description = title.strip(), description.strip()
    checklist.full_clean()
    attribute_history(checklist, acting_user=acting_user, reason=reason)
    checklist.save()
    return checklist


def _validate_question(question: ChecklistQuestion) -> None:
    if question.target.campaign_id != question.checklist.campaign_id:
        raise ValidationError({"target": _("This target does not belong to the campaign.")})
    question.full_clean()


@transaction.atomic
def question_add(
    *, checklist: Checklist, target: Target, text: str, acting_user
) -> ChecklistQuestion:
    """Add a question at the end of ``checklist``."""
    _require_checklist_editor(acting_user, checklist.campaign)
    _require_alive(checklist)
    last = checklist.questions.aggregate(last=Max("order"))["last"]
    question = ChecklistQuestion(
        checklist=checklist,
        target=target,
        text=text.strip(),
        order=0 if last is None else last + 1,
    )
    _validate_question(question)
    attribute_history(question, acting_user=acting_user)
    question.save()
    return question


@transaction.atomic
def question_edit(
    *,
    question: ChecklistQuestion,
    target: Target,
    text: str,
    expected_version: int | None,
    acting_user,
    reason: str = "",
) -> ChecklistQuestion:
    """Reword a question or tie it to another target; its history keeps the old wording."""
    _require_checklist_editor(acting_user, question.checklist.campaign)
    _require_alive(question.checklist)
    claim_version(question, expected_version=expected_version)
    question.target, question.text = target, text.strip()
    _validate_question(question)
    attribute_history(question, acting_user=acting_user, reason=reason)
    question.save()
    return question


@transaction.atomic
def question_move(*, question: ChecklistQuestion, offset: int, acting_user) -> ChecklistQuestion:
    """Move a question ``offset`` places up (negative) or down; the ends stay where they are.

    The checklist's questions are renumbered 0…n-1 on the way, so that
    equal ``order`` values (from hand-made data) cannot make a move a no-op.
    """
    _require_checklist_editor(acting_user, question.checklist.campaign)
    _require_alive(question.checklist)
    questions = list(
        ChecklistQuestion.objects.select_for_update().filter(checklist=question.checklist_id)
    )
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    moved = questions.pop(index)
    questions.insert(max(0, min(len(questions), index + offset)), moved)
    for order, each in enumerate(questions):
        if each.order != order:
            each.order = order
            attribute_history(each, acting_user=acting_user, reason=_("Reordered"))
            each.save(update_fields=["order"])
    return moved


@transaction.atomic
def question_delete(*, question: ChecklistQuestion, acting_user) -> None:
    """Delete a question nobody has answered yet; its history records the deletion.

    Once answered, a question stays: the answer (and any finding quoted from
    it) must keep saying what it answered.
    """
    _require_checklist_editor(acting_user, question.checklist.campaign)
    _require_alive(question.checklist)
    if ChecklistAnswer.objects.filter(question=question).exists():
        raise ValidationError(
            _("This question has been answered, so it can no longer be deleted. Reword it instead.")
        )
    attribute_history(question, acting_user=acting_user)
    question.delete()


# --- assignment -------------------------------------------------------------------


def _assign(checklist: Checklist, persons: QuerySet[Person], acting_user) -> int:
    """Assign ``checklist`` to each of ``persons`` not yet assigned; the number added.

    The assignment's unit is the person's unit now. Rows already there are
    left as they are (the unique constraint settles a concurrent assigner).
    """
    rows = (
        persons.exclude(pk__in=checklist.assignments.values("person"))
        .order_by("pk")
        .values_list("pk", "unit_id")
    )
    assigned_by = acting_user if getattr(acting_user, "pk", None) else None
    assignments = [
        ChecklistAssignment(
            checklist=checklist, person_id=person, unit_id=unit, assigned_by=assigned_by
        )
        for person, unit in rows
    ]
    ChecklistAssignment.objects.bulk_create(
        assignments, batch_size=ASSIGN_BATCH, ignore_conflicts=True
    )
    return len(assignments)


@transaction.atomic
def checklist_assign_by_rule(*, checklist: Checklist, unit: Unit, rule: str, acting_user) -> int:
    """Assign ``checklist`` to everyone of ``unit``'s subtree whom ``rule`` picks; the number added.

    Only the units of the subtree that take part in the campaign count.
    Running it again adds only people who joined (or were promoted) since.
    """
    if not can_change_unit(acting_user, unit):
        raise PermissionDenied(_("You may not assign checklists in “%(unit)s”.") % {"unit": unit})
    _require_alive(checklist)
    persons = persons_by_rule(unit, rule).filter(
        unit__in=campaign_units(checklist.campaign).values("pk")
    )
    return _assign(checklist, persons, acting_user)


@transaction.atomic
def checklist_assign_persons(
    *, checklist: Checklist, persons: Iterable[Person], acting_user
) -> int:
    """Assign ``checklist`` to persons picked by hand; the number added (repeats are skipped)."""
    _require_alive(checklist)
    wanted = {person.pk for person in persons}
    if not wanted:
        raise ValidationError({"persons": _("Choose at least one person.")})
    chosen = Person.objects.filter(pk__in=wanted)
    if editable_by(chosen, acting_user).count() != len(wanted):
        raise PermissionDenied(_("You may only assign checklists to people of units you manage."))
    outside = chosen.exclude(unit__in=campaign_units(checklist.campaign).values("pk"))
    names = list(outside.values_list("name", flat=True)[:5])
    if names:
        raise ValidationError(
            {
                "persons": _("Not in a unit taking part in the campaign: %(names)s.")
                % {"names": "、".join(names)}
            }
        )
    return _assign(checklist, chosen, acting_user)


# --- answers ------------------------------------------------------------------------


def answer_field(question_pk: int) -> str:
    """The name under which an answer's text (and its errors) travel."""
    return f"answer_{question_pk}"


def passage_field(question_pk: int) -> str:
    """The name under which a passage marked as a finding (and its errors) travel."""
    return f"passage_{question_pk}"


def level_field(question_pk: int) -> str:
    """The name under which a marked passage's level (and its errors) travel."""
    return f"level_{question_pk}"


def _squeezed(text: str) -> str:
    """``text`` with every run of whitespace made one space: line endings differ between copies."""
    return " ".join(text.split())


def _require_assignee(user, assignment: ChecklistAssignment) -> None:
    """Self-examination is personal: only the person assigned answers, not their administrator."""
    person = person_of(user)
    if person is None or person.pk != assignment.person_id:
        raise PermissionDenied(_("Only the person this checklist is assigned to may answer it."))


def _save_answer(
    assignment: ChecklistAssignment,
    question: ChecklistQuestion,
    text: str,
    existing: ChecklistAnswer | None,
    acting_user,
) -> ChecklistAnswer | None:
    """Save one answer if it changed; the answer as it now stands (``None``: never answered)."""
    if existing is None and not text:
        return None
    if existing is not None and existing.text == text:
        return existing
    answer = existing or ChecklistAnswer(assignment=assignment, question=question)
    answer.text = text
    # An answer emptied in a draft stays (its history holds what it said), blank.
    answer.full_clean(exclude=None if text else ["text"])
    attribute_history(answer, acting_user=acting_user)
    answer.save()
    return answer


def _check_mark(question_pk: int, answer: ChecklistAnswer | None, passage: str, level: str) -> dict:
    """Errors of one passage marked as a finding, by field name."""
    errors: dict[str, str] = {}
    if level not in FINDING_LEVELS:
        errors[level_field(question_pk)] = _(
            "Say whether the leadership group or you yourself fall short."
        )
    if answer is None or _squeezed(passage) not in _squeezed(answer.text):
        errors[passage_field(question_pk)] = _(
            "Copy the passage from your answer to this question, word for word."
        )
    elif Finding.objects.filter(answer=answer, text=passage).exists():
        errors[passage_field(question_pk)] = _("This passage is already marked as a finding.")
    return errors


@transaction.atomic
def answers_save(
    *,
    assignment: ChecklistAssignment,
    texts: Mapping[int, str],
    expected_version: int | None,
    acting_user,
    marks: Mapping[int, tuple[str, str]] | None = None,
    submit: bool = False,
) -> ChecklistAssignment:
    """Save the assignee's answers (question pk → text), mark passages as findings, maybe submit.

    ``marks`` maps a question pk to ``(passage, level)``: the passage, quoted
    from that question's answer, becomes a finding of the assignment's unit
    against the question's target (source: self-examination). Everything is
    saved, or nothing: errors name ``answer_<pk>``, ``passage_<pk>`` or
    ``level_<pk>``. A submitted assignment is final; submitting needs every
    question answered. Another tab's newer save is not overwritten.
    """
    assignment = (
        ChecklistAssignment.objects.select_for_update()
        .select_related("checklist__campaign", "unit")
        .get(pk=assignment.pk)
    )
    _require_assignee(acting_user, assignment)
    _require_alive(assignment.checklist)
    if assignment.submitted_at is not None:
        raise ValidationError(_("These answers were submitted and can no longer be changed."))
    claim_version(assignment, expected_version=expected_version)
    questions = {q.pk: q for q in assignment.checklist.questions.select_related("target")}
    existing = {a.question_id: a for a in assignment.answers.all()}
    marks = marks or {}
    unknown = (set(texts) | set(marks)) - set(questions)
    if unknown:
        raise ValidationError(_("Some answers are to questions that are not on this checklist."))
    errors: dict[str, str] = {}
    answers: dict[int, ChecklistAnswer | None] = dict(existing)
    for pk, text in texts.items():
        text = (text or "").strip()
        if len(text) > TEXT_MAX_LENGTH:
            errors[answer_field(pk)] = _(
                "An answer may hold at most %(max)s characters (this one has %(count)s)."
            ) % {"max": TEXT_MAX_LENGTH, "count": len(text)}
            continue
        answers[pk] = _save_answer(assignment, questions[pk], text, existing.get(pk), acting_user)
    marked = {pk: ((passage or "").strip(), level) for pk, (passage, level) in marks.items()}
    for pk, (passage, level) in marked.items():
        if passage:
            errors.update(_check_mark(pk, answers.get(pk), passage, level))
    if submit and not errors:
        unanswered = [n for n, pk in enumerate(questions, 1) if not _answered(answers.get(pk))]
        if unanswered:
            errors["__all__"] = _(
                "Answer every question before submitting; still unanswered: %(numbers)s."
            ) % {"numbers": ", ".join(str(n) for n in unanswered)}
    if errors:
        # Raising rolls back the answers saved above: nothing is half-saved.
        raise ValidationError(errors)
    for pk, (passage, level) in marked.items():
        if passage:
            record_finding(
                campaign=assignment.checklist.campaign,
                unit=assignment.unit,
                source=Source.SELF_EXAMINATION,
                text=passage,
                target=questions[pk].target,
                level=level,
                acting_user=acting_user,
                answer=answers[pk],
            )
    if submit:
        assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["submitted_at", "version", "updated_at"])
    return assignment


def _answered(answer: ChecklistAnswer | None) -> bool:
    return answer is not None and bool(answer.text)
