"""Staff pages: the articles of the units one administers, their editing, preview and
publication. Every id is looked up within the user's scope: another unit's article is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify.core.forms import ReasonForm, add_service_error
from rectify.core.pagination import paginate

from .. import services
from ..forms import ArticleForm, FilesForm, PublishForm, WithdrawForm, article_initial
from ..models import Article
from ..selectors import articles_editable_by, signed_off_measures
from .public import article_page, site_context


def _article_for(user, pk: int, *, deleted: bool = False) -> Article:
    return get_object_or_404(articles_editable_by(user, deleted=deleted), pk=pk)


def _refused(request: HttpRequest, exc: Exception) -> None:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("That was refused."))


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    """The articles of the units the user administers, last changed first."""
    articles = articles_editable_by(request.user)
    status = request.GET.get("status", "")
    if status:
        articles = articles.filter(status=status)
    context = {
        "page_obj": paginate(request, articles),
        "deleted": articles_editable_by(request.user, deleted=True)[:20],
        "status": status,
        "review": services.review_required(),
    }
    return render(request, "news/manage_list.html", context)


@login_required
def article_create(request: HttpRequest) -> HttpResponse:
    """Write a new article (a draft until published)."""
    form = ArticleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            article = services.article_create(
                acting_user=request.user, reason=form.cleaned_data["reason"], **fields
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc if isinstance(exc, ValidationError) else
                              ValidationError(str(exc)))  # fmt: skip
        else:
            messages.success(request, _("Article saved as a draft."))
            return redirect("news:preview", pk=article.pk)
    return render(request, "news/manage_form.html", {"form": form})


@login_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an article; a save over someone else's newer save is refused."""
    article = _article_for(request.user, pk)
    form = ArticleForm(request.POST or None, user=request.user, initial=article_initial(article))
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            services.article_update(
                article=article,
                expected_version=form.cleaned_data["version"] or 0,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
                **fields,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            add_service_error(form, ValidationError(str(exc)))
        else:
            messages.success(request, _("Article saved."))
            return redirect("news:preview", pk=article.pk)
    images = list(article.attachments.filter(is_image=True))
    for image in images:
        # In full: the editor takes an image by its whole address.
        image.address = request.build_absolute_uri(reverse("newssite:file", args=[image.pk]))
    context = {"form": form, "article": article, "images": images}
    return render(request, "news/manage_form.html", context)


@login_required
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The article as the public will see it, with the staff's actions; never counted."""
    article = _article_for(request.user, pk)
    attachments = list(article.attachments.all())
    publicity = signed_off_measures(article.publicity_unit) if article.publicity_unit_id else None
    context = {
        **site_context(),
        "object": article,
        "article": article_page(
            article, attachments=[a for a in attachments if not a.is_image], publicity=publicity
        ),
        "images": [a for a in attachments if a.is_image],
        "files_form": FilesForm(),
        "publish_form": PublishForm(),
        "withdraw_form": WithdrawForm(),
        "review": services.review_required(),
        "history": article.history.select_related("history_user")[:20],
    }
    return render(request, "news/manage_preview.html", context)


@login_required
@require_POST
def article_files(request: HttpRequest, pk: int) -> HttpResponse:
    """Add files (images are verified and re-encoded) and, optionally, a cover image."""
    article = _article_for(request.user, pk)
    form = FilesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            if form.cleaned_data["files"]:
                services.attachment_add(
                    article=article, uploads=form.cleaned_data["files"], acting_user=request.user
                )
            if form.cleaned_data["cover"]:
                services.article_set_cover(
                    article=article, upload=form.cleaned_data["cover"], acting_user=request.user
                )
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Files added."))
    else:
        messages.error(request, _("The files could not be read."))
    return redirect("news:preview", pk=article.pk)


def _action(
    request: HttpRequest, pk: int, act, done: str, *, deleted: bool = False
) -> HttpResponse:
    """Run ``act`` on the user's article ``pk``; a refusal becomes a message."""
    article = _article_for(request.user, pk, deleted=deleted)
    try:
        act(article)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    if article.is_deleted:
        return redirect("news:list")
    return redirect("news:preview", pk=article.pk)


@login_required
@require_POST
def article_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the article to a reviewer."""
    return _action(
        request,
        pk,
        lambda a: services.article_submit(article=a, acting_user=request.user),
        _("Submitted for review."),
    )


@login_required
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish now, or schedule for a later time."""
    form = PublishForm(request.POST)
    at = form.cleaned_data["at"] if form.is_valid() else None
    return _action(
        request,
        pk,
        lambda a: services.article_publish(article=a, at=at, acting_user=request.user),
        _("Article published (or scheduled)."),
    )


@login_required
@require_POST
def article_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the article off the public site, with a reason."""
    reason = request.POST.get("reason", "")
    return _action(
        request,
        pk,
        lambda a: services.article_withdraw(article=a, reason=reason, acting_user=request.user),
        _("Article withdrawn."),
    )


@login_required
@require_POST
def article_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Soft-delete the article."""
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _action(
        request,
        pk,
        lambda a: services.article_delete(article=a, reason=reason, acting_user=request.user),
        _("Article deleted; an administrator can restore it."),
    )


@login_required
@require_POST
def article_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring back a deleted article."""
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _action(
        request,
        pk,
        lambda a: services.article_restore(article=a, reason=reason, acting_user=request.user),
        _("Article restored."),
        deleted=True,
    )
