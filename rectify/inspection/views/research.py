"""Pages of research topics (调查研究): list, plan, report with files, findings, delete, restore."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.campaigns.selectors import campaigns_visible_to, chosen_campaign
from rectify.core.forms import ReasonForm, add_service_error
from rectify.core.pagination import paginate
from rectify.core.uploads import stored_file_response
from rectify.ledger.views.common import (
    describe_history,
    edits_anything,
    filtered,
    save_versioned,
    soft_delete_or_restore,
)

from ..filters.research import ResearchTopicFilter
from ..forms.research import (
    ReportForm,
    TopicCreateForm,
    TopicEditForm,
    TopicFindingForm,
    topic_initial,
)
from ..models import ResearchStatus, ResearchTopic
from ..selectors.research import (
    attachments_visible_to,
    deleted_topics_editable_by,
    findings_of_topic,
    topic_for,
    topics_visible_to,
)
from ..services import research as services


def _topic(user, pk: int) -> ResearchTopic:
    """A topic the user may see, or a deleted one they may restore; 404 otherwise."""
    topic = topic_for(user, pk)
    if topic is None:
        raise Http404(_("No such research topic."))
    return topic


def _live_topic(user, pk: int) -> ResearchTopic:
    """A live topic the user may see; 404 otherwise (deleted ones are only restored)."""
    return get_object_or_404(topics_visible_to(user), pk=pk)


def _require_editor(user, topic: ResearchTopic) -> None:
    if not services.can_edit_topic(user, topic):
        raise PermissionDenied(_("You may not change this research topic."))


def _require_writer(user, topic: ResearchTopic) -> None:
    if not services.can_write_report(user, topic):
        raise PermissionDenied(_("You may not write the report of this research topic."))


@login_required
def research_list(request: HttpRequest) -> HttpResponse:
    """Research topics per campaign and unit subtree, with status, lead, dates and findings."""
    user = request.user
    can_create = edits_anything(user)
    show_deleted = can_create and request.GET.get("deleted") == "1"
    topics = deleted_topics_editable_by(user) if show_deleted else topics_visible_to(user)
    filterset = ResearchTopicFilter(request.GET, queryset=topics, user=user)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "can_create": can_create,
        "show_deleted": show_deleted,
    }
    return render(request, "inspection/research_list.html", context)


@login_required
def research_create(request: HttpRequest) -> HttpResponse:
    """Plan a research topic: choose the campaign, then the unit, lead and dates."""
    user = request.user
    if not edits_anything(user):
        raise PermissionDenied(_("You administer no unit, so you cannot plan research topics."))
    campaigns = campaigns_visible_to(user)
    slug = request.POST.get("campaign") or request.GET.get("campaign")
    campaign = chosen_campaign(campaigns, slug)
    if campaign is None:
        return render(request, "inspection/research_form.html", {"campaigns": campaigns})
    form = TopicCreateForm(request.POST or None, user=user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Research topic “%(title)s” planned.") % {"title": topic})
            return redirect(topic)
    context = {"form": form, "campaign": campaign, "campaigns": campaigns}
    return render(request, "inspection/research_form.html", context)


def _render_detail(
    request: HttpRequest,
    topic: ResearchTopic,
    *,
    report_form: ReportForm | None = None,
    finding_form: TopicFindingForm | None = None,
) -> HttpResponse:
    """The topic page, with whichever form was just posted bound to its errors."""
    user = request.user
    can_write = services.can_write_report(user, topic)
    open_report = can_write and topic.status != ResearchStatus.REPORTED
    if report_form is None and open_report:
        report_form = ReportForm(initial={"report": topic.report, "version": topic.version})
    if finding_form is None and can_write:
        finding_form = TopicFindingForm(topic=topic)
    context = {
        "topic": topic,
        "attachments": topic.attachments.all(),
        "findings": findings_of_topic(topic),
        "can_edit": services.can_edit_topic(user, topic),
        "report_form": report_form if open_report else None,
        "finding_form": finding_form if can_write else None,
        "reason_form": ReasonForm(),
        "history": describe_history(topic),
    }
    return render(request, "inspection/research_detail.html", context)


@login_required
def research_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A topic's plan, report and files, the findings it produced, and its history."""
    return _render_detail(request, _topic(request.user, pk))


@login_required
def research_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a topic's plan; a save over someone else's newer save is refused."""
    topic = _live_topic(request.user, pk)
    _require_editor(request.user, topic)
    form = TopicEditForm(
        request.POST or None, user=request.user, topic=topic, initial=topic_initial(topic)
    )
    saved = save_versioned(
        request,
        form,
        topic,
        partial(services.topic_update, topic=topic),
        success=_("Research topic “%(title)s” saved.") % {"title": topic},
    )
    if saved:
        return saved
    return render(request, "inspection/research_form.html", {"form": form, "topic": topic})


@require_POST
@login_required
def research_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the report's text and files; the "submit" button also hands the report in."""
    topic = _live_topic(request.user, pk)
    _require_writer(request.user, topic)
    form = ReportForm(request.POST, request.FILES)
    submit = request.POST.get("action") == "submit"
    if form.is_valid():
        try:
            services.topic_report_save(
                topic=topic,
                report=form.cleaned_data["report"],
                files=form.cleaned_data["files"],
                expected_version=form.cleaned_data["version"],
                submit=submit,
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            done = _("Report submitted.") if submit else _("Report saved.")
            messages.success(request, done)
            return redirect(topic)
    return _render_detail(request, topic, report_form=form)


@require_POST
@login_required
def research_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a finding the research produced; it goes to the unit's triage queue."""
    topic = _live_topic(request.user, pk)
    _require_writer(request.user, topic)
    form = TopicFindingForm(request.POST, topic=topic)
    if form.is_valid():
        try:
            finding = services.topic_record_finding(
                topic=topic, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Finding No. %(pk)s recorded for triage.") % {"pk": finding.pk}
            )
            return redirect(topic)
    return _render_detail(request, topic, finding_form=form)


def _by_model_name(service):
    """``service(topic=...)`` called as the ledger's delete/restore helper calls services:
    with the object under its model's name."""
    return lambda researchtopic, **kwargs: service(topic=researchtopic, **kwargs)


@require_POST
@login_required
def research_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Soft-delete a topic (an administrator can restore it)."""
    topic = _live_topic(request.user, pk)
    _require_editor(request.user, topic)
    return soft_delete_or_restore(
        request,
        topic,
        _by_model_name(services.topic_delete),
        success=_("Research topic deleted. It can be restored."),
    )


@require_POST
@login_required
def research_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a topic's soft delete."""
    topic = _topic(request.user, pk)
    _require_editor(request.user, topic)
    if not topic.is_deleted:
        return redirect(topic)
    return soft_delete_or_restore(
        request,
        topic,
        _by_model_name(services.topic_restore),
        success=_("Research topic restored."),
    )


@login_required
def research_file(request: HttpRequest, pk: int) -> FileResponse:
    """A report file, as an attachment under its original name, if its topic is in scope."""
    return stored_file_response(get_object_or_404(attachments_visible_to(request.user), pk=pk))
