"""Pages of self-examination checklists: questions, assignment, answering and progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rectify.campaigns.models import Campaign
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import add_service_error
from rectify.core.pagination import paginate
from rectify.org.models import Unit
from rectify.org.scoping import (
    CHANGE,
    can_change_unit,
    can_see_unit_for_campaign,
    person_of,
    units_visible_to,
    visible_to,
)

from ..forms.checklists import (
    AnswersForm,
    AssignByRuleForm,
    AssignPersonsForm,
    ChecklistCreateForm,
    ChecklistEditForm,
    ChecklistFromTemplateForm,
    QuestionEditForm,
    QuestionForm,
    assignable_units,
)
from ..models import Checklist, ChecklistAnswer, ChecklistQuestion
from ..selectors import checklists as selectors
from ..services import checklists as services


def _checklist_for(user, pk: int) -> Checklist:
    """A checklist of a campaign the user takes part in; 404 otherwise."""
    return get_object_or_404(selectors.checklists_visible_to(user), pk=pk)


def _question_for(user, pk: int) -> ChecklistQuestion:
    """A question of a checklist the user may see; 404 otherwise."""
    checklists = selectors.checklists_visible_to(user)
    return get_object_or_404(
        ChecklistQuestion.objects.select_related("checklist__campaign__organizer", "target"),
        pk=pk,
        checklist__in=checklists.values("pk"),
    )


def _require_editor(user, checklist: Checklist) -> None:
    """403 unless the user administers the campaign's organizer (the checklist is visible)."""
    if not can_change_unit(user, checklist.campaign.organizer):
        raise PermissionDenied(_("You may not change this checklist."))


def _editable_campaigns(user):
    """Campaigns whose organizer the user administers: where they may write checklists."""
    return campaigns_visible_to(user).filter(
        organizer__in=units_visible_to(user, CHANGE).values("pk")
    )


def _form_page(request: HttpRequest, form, *, title: str, checklist: Checklist) -> HttpResponse:
    context = {"form": form, "title": title, "checklist": checklist}
    return render(request, "inspection/checklists_form.html", context)


@login_required
def checklist_list(request: HttpRequest) -> HttpResponse:
    """The checklists of the user's campaigns."""
    checklists = selectors.checklists_visible_to(request.user).order_by(
        "-campaign__start_date", "pk"
    )
    context = {
        "page_obj": paginate(request, checklists),
        "can_create": _editable_campaigns(request.user).exists(),
        "has_own": selectors.my_assignments(request.user).exists(),
    }
    return render(request, "inspection/checklists_list.html", context)


@login_required
def my_checklists(request: HttpRequest) -> HttpResponse:
    """The checklists the user was asked to answer, with how far they got."""
    context = {
        "assignments": selectors.my_assignments(request.user),
        "has_person": person_of(request.user) is not None,
    }
    return render(request, "inspection/checklists_mine.html", context)


@login_required
def checklist_create(request: HttpRequest) -> HttpResponse:
    """A new checklist: a copy of 十个扪心自问, or an empty one to write."""
    campaigns = _editable_campaigns(request.user)
    if not campaigns.exists():
        raise PermissionDenied(_("You administer the organizer of no campaign."))
    initial = {"campaign": request.GET.get("campaign")}
    from_template = request.POST.get("action") == "template"
    template_form = ChecklistFromTemplateForm(
        request.POST if from_template else None, campaigns=campaigns, initial=initial
    )
    form = ChecklistCreateForm(
        None if from_template else request.POST or None, campaigns=campaigns, initial=initial
    )
    chosen = template_form if from_template else form
    if request.method == "POST" and chosen.is_valid():
        try:
            if from_template:
                checklist = services.checklist_create_from_template(
                    acting_user=request.user, **chosen.cleaned_data
                )
            else:
                checklist = services.checklist_create(
                    acting_user=request.user, **chosen.cleaned_data
                )
        except ValidationError as exc:
            add_service_error(chosen, exc)
        else:
            messages.success(request, _("Checklist “%(title)s” created.") % {"title": checklist})
            return redirect("inspection:checklist-detail", pk=checklist.pk)
    context = {"form": form, "template_form": template_form}
    return render(request, "inspection/checklists_create.html", context)


@login_required
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A checklist's questions by target, with what the user may do with it."""
    checklist = _checklist_for(request.user, pk)
    own = selectors.my_assignments(request.user).filter(checklist=checklist).first()
    context = {
        "checklist": checklist,
        "questions": checklist.questions.select_related("target"),
        "can_edit": can_change_unit(request.user, checklist.campaign.organizer),
        "can_assign": assignable_units(request.user, checklist.campaign).exists(),
        "can_follow": selectors.progress_start(request.user, checklist.campaign) is not None,
        "own_assignment": own,
    }
    return render(request, "inspection/checklists_detail.html", context)


@login_required
def checklist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a checklist's title and description."""
    checklist = _checklist_for(request.user, pk)
    _require_editor(request.user, checklist)
    form = ChecklistEditForm(
        request.POST or None,
        initial={
            "title": checklist.title,
            "description": checklist.description,
            "version": checklist.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.checklist_edit(
                checklist=checklist,
                expected_version=data.pop("version"),
                acting_user=request.user,
                **data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Checklist saved."))
            return redirect("inspection:checklist-detail", pk=checklist.pk)
    return _form_page(request, form, title=_("Edit checklist"), checklist=checklist)


@login_required
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a question at the end of a checklist."""
    checklist = _checklist_for(request.user, pk)
    _require_editor(request.user, checklist)
    form = QuestionForm(request.POST or None, campaign=checklist.campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(
                checklist=checklist, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect("inspection:checklist-detail", pk=checklist.pk)
    return _form_page(request, form, title=_("Add a question"), checklist=checklist)


@login_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Reword a question or move it to another target."""
    question = _question_for(request.user, pk)
    checklist = question.checklist
    _require_editor(request.user, checklist)
    form = QuestionEditForm(
        request.POST or None,
        campaign=checklist.campaign,
        initial={"target": question.target, "text": question.text, "version": question.version},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.question_edit(
                question=question,
                expected_version=data.pop("version"),
                acting_user=request.user,
                **data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect("inspection:checklist-detail", pk=checklist.pk)
    return _form_page(request, form, title=_("Edit question"), checklist=checklist)


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a question one place up or down."""
    question = _question_for(request.user, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.question_move(question=question, offset=offset, acting_user=request.user)
    return redirect("inspection:checklist-detail", pk=question.checklist_id)


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a question nobody has answered."""
    question = _question_for(request.user, pk)
    try:
        services.question_delete(question=question, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Question deleted."))
    return redirect("inspection:checklist-detail", pk=question.checklist_id)


def _assigned_message(count: int) -> str:
    return ngettext(
        "Assigned to %(count)s more person.", "Assigned to %(count)s more people.", count
    ) % {"count": count}


def _around(request: HttpRequest, campaign: Campaign) -> Unit | None:
    """The unit whose people the hand-picked list offers (``?around=``), if the user manages it."""
    pk = request.GET.get("around", "")
    if not pk.isdigit():
        return None
    return assignable_units(request.user, campaign).filter(pk=pk).first()


@login_required
def checklist_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign a checklist by rule over a subtree, or to people picked by hand."""
    checklist = _checklist_for(request.user, pk)
    campaign = checklist.campaign
    if not assignable_units(request.user, campaign).exists():
        raise PermissionDenied(_("You administer no unit taking part in this campaign."))
    action = request.POST.get("action")
    rule_form = AssignByRuleForm(
        request.POST if action == "rule" else None, user=request.user, campaign=campaign
    )
    persons_form = AssignPersonsForm(
        request.POST if action == "hand" else None,
        user=request.user,
        campaign=campaign,
        around=_around(request, campaign),
    )
    chosen = {"rule": rule_form, "hand": persons_form}.get(action)
    if chosen is not None and chosen.is_valid():
        try:
            if chosen is rule_form:
                count = services.checklist_assign_by_rule(
                    checklist=checklist, acting_user=request.user, **chosen.cleaned_data
                )
            else:
                count = services.checklist_assign_persons(
                    checklist=checklist, acting_user=request.user, **chosen.cleaned_data
                )
        except ValidationError as exc:
            add_service_error(chosen, exc)
        else:
            messages.success(request, _assigned_message(count))
            return redirect("inspection:checklist-progress", pk=checklist.pk)
    context = {"checklist": checklist, "rule_form": rule_form, "persons_form": persons_form}
    return render(request, "inspection/checklists_assign.html", context)


@login_required
def checklist_progress(request: HttpRequest, pk: int, unit_pk: int | None = None) -> HttpResponse:
    """Answers per unit (rolled up over each branch) and per person, within the user's scope."""
    checklist = _checklist_for(request.user, pk)
    campaign = checklist.campaign
    if unit_pk is None:
        start = selectors.progress_start(request.user, campaign)
        if start is None:
            raise Http404(_("You follow no unit of this campaign."))
        return redirect("inspection:checklist-progress-unit", pk=checklist.pk, unit_pk=start.pk)
    unit = get_object_or_404(Unit.objects, pk=unit_pk)
    if not can_see_unit_for_campaign(request.user, unit, campaign.pk):
        raise Http404(_("No such unit."))
    rows = selectors.unit_progress(request.user, checklist, unit)
    pending_only = request.GET.get("pending") == "1"
    persons = selectors.person_progress(request.user, checklist, unit, pending_only=pending_only)
    parent = unit.parent
    if parent is not None and not can_see_unit_for_campaign(request.user, parent, campaign.pk):
        parent = None
    context = {
        "checklist": checklist,
        "unit": unit,
        "parent": parent,
        "rows": rows,
        "total": {
            "assigned": sum(row.assigned for row in rows),
            "complete": sum(row.complete for row in rows),
            "submitted": sum(row.submitted for row in rows),
            "pending": sum(row.pending for row in rows),
        },
        "page_obj": paginate(request, persons),
        "pending_only": pending_only,
        "can_assign": can_change_unit(request.user, unit),
    }
    return render(request, "inspection/checklists_progress.html", context)


@login_required
def assignment_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The assignee answers (draft or submit) and marks passages; others in scope read."""
    assignment = selectors.assignment_visible_to(request.user, pk)
    if assignment is None:
        raise Http404(_("No such checklist assignment."))
    person = person_of(request.user)
    is_assignee = person is not None and person.pk == assignment.person_id
    if request.method == "POST" and not is_assignee:
        raise PermissionDenied(_("Only the person this checklist is assigned to may answer it."))
    questions = list(assignment.checklist.questions.select_related("target"))
    answers = selectors.answers_of(assignment)
    editable = is_assignee and assignment.submitted_at is None
    form = None
    if editable:
        form = AnswersForm(
            request.POST or None, assignment=assignment, questions=questions, answers=answers
        )
    if form is not None and request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.answers_save(
                assignment=assignment,
                texts=form.texts(questions),
                marks=form.marks(questions),
                expected_version=form.cleaned_data["version"],
                submit=submit,
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Answers submitted.") if submit else _("Draft saved."))
            return redirect(reverse("inspection:checklist-answer", kwargs={"pk": assignment.pk}))
    rows = [
        {
            "number": number,
            "question": question,
            "answer": answers.get(question.pk),
            "answer_field": form[services.answer_field(question.pk)] if form else None,
            "passage_field": form[services.passage_field(question.pk)] if form else None,
            "level_field": form[services.level_field(question.pk)] if form else None,
        }
        for number, question in enumerate(questions, 1)
    ]
    context = {
        "assignment": assignment,
        "rows": rows,
        "form": form,
        "is_assignee": is_assignee,
    }
    return render(request, "inspection/checklists_answer.html", context)


@login_required
def answer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An answer's place on its assignment's page (where findings link back to it)."""
    answer = get_object_or_404(visible_to(ChecklistAnswer.objects.all(), request.user), pk=pk)
    url = reverse("inspection:checklist-answer", kwargs={"pk": answer.assignment_id})
    return redirect(f"{url}#q-{answer.question_id}")
