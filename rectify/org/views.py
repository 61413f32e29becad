"""Pages of the unit tree, people, logins, role grants and guidance groups."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from rectify.core.forms import add_service_error
from rectify.core.pagination import paginate

from . import selectors, services
from .forms import GrantForm, GuidanceGroupForm, LoginForm, PersonForm, UnitForm
from .models import GuidanceGroup, Unit
from .scoping import CHANGE, can_change_unit, is_system_admin, scope_paths, units_visible_to

#: People shown on a unit's page before the link to the full list.
PEOPLE_ON_UNIT_PAGE = 20


def _unit_url(unit: Unit) -> str:
    return reverse("org:unit-detail", args=[unit.pk])


def _visible_unit(request: HttpRequest, pk: int) -> Unit:
    """The unit, or 404 when it is missing or out of the user's scope."""
    return get_object_or_404(units_visible_to(request.user).select_related("parent"), pk=pk)


def _administered_unit(request: HttpRequest, pk: int) -> Unit:
    """The unit when the user administers it; 404 when unseen, 403 when only seen."""
    unit = _visible_unit(request, pk)
    if not can_change_unit(request.user, unit):
        raise PermissionDenied
    return unit


def _administered_person(request: HttpRequest, pk: int):
    person = get_object_or_404(selectors.person_visible(request.user), pk=pk)
    if not can_change_unit(request.user, person.unit):
        raise PermissionDenied
    return person


def _form_page(request, form, *, title: str, cancel_url: str, context=None) -> HttpResponse:
    return render(
        request,
        "org/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})},
    )


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """The user's scope roots with one level of children, or search results for ``q``."""
    query = request.GET.get("q", "").strip()
    if query:
        page = paginate(request, selectors.unit_search(request.user, query))
    else:
        page = paginate(request, selectors.unit_roots(request.user), per_page=20)
        selectors.attach_first_children(request.user, page.object_list)
    return render(request, "org/unit_list.html", {"page_obj": page, "query": query})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit: its facts, children (paginated), first people and role grants."""
    unit = _visible_unit(request, pk)
    can_change = can_change_unit(request.user, unit)
    people = selectors.people_of_unit(request.user, unit)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "breadcrumb": selectors.unit_breadcrumb(request.user, unit),
            "page_obj": paginate(request, selectors.unit_children(request.user, unit)),
            "people": list(people[: PEOPLE_ON_UNIT_PAGE + 1]),
            "people_limit": PEOPLE_ON_UNIT_PAGE,
            "grants": selectors.grants_on_unit(unit),
            "can_change": can_change,
            "grant_form": GrantForm(acting_user=request.user) if can_change else None,
        },
    )


@login_required
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a child unit under unit ``pk``."""
    parent = _administered_unit(request, pk)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                parent=parent, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Unit “%(unit)s” created.") % {"unit": unit})
            return redirect(_unit_url(unit))
    title = _("New unit under “%(unit)s”") % {"unit": parent}
    return _form_page(request, form, title=title, cancel_url=_unit_url(parent))


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename or recode a unit."""
    unit = _administered_unit(request, pk)
    title = _("Edit unit “%(unit)s”") % {"unit": unit}
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(unit=unit, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Unit saved."))
            return redirect(_unit_url(unit))
    return _form_page(request, form, title=title, cancel_url=_unit_url(unit))


@login_required
def person_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The people of one unit, paginated."""
    unit = _visible_unit(request, pk)
    return render(
        request,
        "org/person_list.html",
        {
            "unit": unit,
            "page_obj": paginate(request, selectors.people_of_unit(request.user, unit)),
            "can_change": can_change_unit(request.user, unit),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's details and login."""
    person = get_object_or_404(selectors.person_visible(request.user), pk=pk)
    return render(
        request,
        "org/person_detail.html",
        {"person": person, "can_change": can_change_unit(request.user, person.unit)},
    )


@login_required
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to unit ``pk``."""
    unit = _administered_unit(request, pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                unit=unit, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Person “%(person)s” added.") % {"person": person})
            return redirect("org:person-detail", pk=person.pk)
    title = _("New person in “%(unit)s”") % {"unit": unit}
    return _form_page(request, form, title=title, cancel_url=_unit_url(unit))


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a person's details."""
    person = _administered_person(request, pk)
    title = _("Edit “%(person)s”") % {"person": person}
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Person saved."))
            return redirect("org:person-detail", pk=person.pk)
    cancel = reverse("org:person-detail", args=[person.pk])
    return _form_page(request, form, title=title, cancel_url=cancel)


@login_required
def login_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a person a login (username and password)."""
    person = _administered_person(request, pk)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.login_create(
                person=person,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Login created."))
            return redirect("org:person-detail", pk=person.pk)
    title = _("New login for “%(person)s”") % {"person": person}
    cancel = reverse("org:person-detail", args=[person.pk])
    return _form_page(request, form, title=title, cancel_url=cancel)


@login_required
def grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant a role on unit ``pk`` to a login within the granter's scope."""
    unit = _administered_unit(request, pk)
    form = GrantForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant(
                user=form.cleaned_data["login"],
                unit=unit,
                role=form.cleaned_data["role"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Role granted."))
            return redirect(_unit_url(unit))
    title = _("Grant a role on “%(unit)s”") % {"unit": unit}
    return _form_page(request, form, title=title, cancel_url=_unit_url(unit))


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a role away (POST only)."""
    grant = get_object_or_404(selectors.grants_visible_to(request.user), pk=pk)
    if not can_change_unit(request.user, grant.unit):
        raise PermissionDenied
    services.role_revoke(grant=grant, acting_user=request.user)
    messages.success(request, _("Role revoked."))
    return redirect(_unit_url(grant.unit))


#: Functions ``section(request, group) -> (template name, context)`` that add a part to a
#: guidance group's page; apps that know more than org (the campaigns' assignments) add theirs.
_guidance_sections: list[Callable] = []


def register_guidance_section(section: Callable) -> None:
    """Add ``section`` to the guidance group page; registering twice is a no-op."""
    if section not in _guidance_sections:
        _guidance_sections.append(section)


def _visible_group(request: HttpRequest, pk: int) -> GuidanceGroup:
    """The group, or 404 when it is missing or neither administered nor joined by the user."""
    return get_object_or_404(selectors.guidance_groups_visible_to(request.user), pk=pk)


@login_required
def guidance_list(request: HttpRequest) -> HttpResponse:
    """The guidance groups the user administers, leads or belongs to."""
    groups = selectors.guidance_groups_visible_to(request.user).order_by("home_unit__path", "name")
    may_create = is_system_admin(request.user) or bool(scope_paths(request.user, CHANGE))
    return render(
        request,
        "org/guidance_list.html",
        {"page_obj": paginate(request, groups), "may_create": may_create},
    )


@login_required
def guidance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A guidance group: home unit, leader, members, and what other apps add (assignments)."""
    group = _visible_group(request, pk)
    sections = [section(request, group) for section in _guidance_sections]
    return render(
        request,
        "org/guidance_detail.html",
        {
            "group": group,
            "members": selectors.guidance_group_members(group),
            "can_change": can_change_unit(request.user, group.home_unit),
            "sections": sections,
        },
    )


@login_required
def guidance_create(request: HttpRequest) -> HttpResponse:
    """Set up a guidance group at a unit the user administers."""
    if not (is_system_admin(request.user) or scope_paths(request.user, CHANGE)):
        raise PermissionDenied
    form = GuidanceGroupForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.guidance_group_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Guidance group “%(group)s” created.") % {"group": group})
            return redirect(group)
    cancel = reverse("org:guidance-list")
    return _form_page(request, form, title=_("New guidance group"), cancel_url=cancel)


@login_required
def guidance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a group, change its leader and members (administrators of its home unit)."""
    group = _visible_group(request, pk)
    if not can_change_unit(request.user, group.home_unit):
        raise PermissionDenied
    form = GuidanceGroupForm(request.POST or None, instance=group, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.guidance_group_update(
                group=group, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Guidance group saved."))
            return redirect(group)
    title = _("Edit “%(group)s”") % {"group": group}
    return _form_page(request, form, title=title, cancel_url=group.get_absolute_url())


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's reminders follow the choice too."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.person_set_language(
            acting_user=request.user, language=request.POST.get("language", "")
        )
    return response
