"""Django admin for system administrators: units, people and role grants.

Writes go through the services (so that a unit's tree path is right and
history names who acted); nothing is hard-deleted except role grants, which
are revoked through their service.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from rectify.core.services import restore, soft_delete

from . import services
from .models import GuidanceGroup, Person, RoleGrant, Unit
from .scoping import is_system_admin


class SystemAdminPermissions:
    """Only system administrators (superusers or holders of the role) use these pages."""

    def has_module_permission(self, request):
        return is_system_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_system_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class DeletedFilter(admin.SimpleListFilter):
    """Live rows by default; soft-deleted ones on request, to restore them."""

    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", _("Live")), ("yes", _("Deleted")), ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or "no"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "no":
            return queryset.filter(deleted_at__isnull=True)
        if value == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


class SoftDeleteAdmin(SystemAdminPermissions):
    """Shows soft-deleted rows (the default manager hides them) and offers delete/restore."""

    actions = ["soft_delete_selected", "restore_selected"]

    def get_queryset(self, request):
        qs = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    @admin.action(description=_("Delete the selected rows (they can be restored)"))
    def soft_delete_selected(self, request, queryset):
        rows = [obj for obj in queryset if not obj.is_deleted]
        for obj in rows:
            soft_delete(obj, acting_user=request.user, reason=str(_("Deleted in the admin")))
        self.message_user(
            request, ngettext("%d row deleted.", "%d rows deleted.", len(rows)) % len(rows)
        )

    @admin.action(description=_("Restore the selected rows"))
    def restore_selected(self, request, queryset):
        rows = [obj for obj in queryset if obj.is_deleted]
        for obj in rows:
            restore(obj, acting_user=request.user, reason=str(_("Restored in the admin")))
        self.message_user(
            request, ngettext("%d row restored.", "%d rows restored.", len(rows)) % len(rows)
        )


@admin.register(Unit)
class UnitAdmin(SoftDeleteAdmin, admin.ModelAdmin):
    """Units; a new unit is placed in the tree by ``services.unit_create``."""

    list_display = ["name", "short_name", "code", "kind", "parent", "depth", "deleted_at"]
    list_filter = [DeletedFilter, "kind", "depth"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth", "deleted_at", "created_at", "updated_at"]
    fields = ["name", "short_name", "code", "kind", "parent", "order", *readonly_fields]
    ordering = ["path"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a unit would leave its subtree's paths behind.
        if obj is not None:
            return ["parent", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ("name", "short_name", "code", "kind", "order")}
        if change:
            services.unit_update(unit=obj, acting_user=request.user, **data)
            return
        unit = services.unit_create(
            parent=form.cleaned_data.get("parent"), acting_user=request.user, **data
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the created row.
        obj.pk, obj.path, obj.depth = unit.pk, unit.path, unit.depth
        obj.created_at, obj.updated_at = unit.created_at, unit.updated_at
        obj._state.adding, obj._state.db = False, unit._state.db


@admin.register(Person)
class PersonAdmin(SoftDeleteAdmin, SimpleHistoryAdmin):
    """People, with their history."""

    list_display = ["name", "unit", "position", "rank", "is_leadership_member", "user"]
    list_filter = [DeletedFilter, "rank", "is_leadership_member"]
    list_select_related = ["unit", "user"]
    search_fields = ["name", "phone", "email", "unit__name", "unit__code", "user__username"]
    raw_id_fields = ["unit", "user"]
    fields = [
        "name",
        "unit",
        "position",
        "rank",
        "is_leadership_member",
        "phone",
        "email",
        "language",
        "user",
    ]
    ordering = ["unit__path", "name"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # Left out, the language stays as it is (a new person gets the site's).
        form.base_fields["language"].required = False
        return form

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in self.fields if f != "user"}
        if change:
            # The form already set ``obj.user``; the service's save keeps it.
            services.person_update(person=obj, acting_user=request.user, **data)
            return
        person = services.person_create(
            user=form.cleaned_data.get("user"), acting_user=request.user, **data
        )
        obj.pk, obj.created_at, obj.updated_at = person.pk, person.created_at, person.updated_at
        obj._state.adding, obj._state.db = False, person._state.db


@admin.register(RoleGrant)
class RoleGrantAdmin(SystemAdminPermissions, SimpleHistoryAdmin):
    """Role grants: added and revoked through the services, never edited in place."""

    list_display = ["user", "role", "unit", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    raw_id_fields = ["user", "unit"]
    actions = ["revoke_selected"]

    def has_change_permission(self, request, obj=None):
        # A grant is granted or revoked; the change page only shows it.
        return obj is None and is_system_admin(request.user)

    def save_model(self, request, obj, form, change):
        grant = services.role_grant(
            user=obj.user, unit=obj.unit, role=obj.role, acting_user=request.user
        )
        obj.pk, obj.created_at = grant.pk, grant.created_at
        obj._state.adding, obj._state.db = False, grant._state.db

    @admin.action(description=_("Revoke the selected role grants"))
    def revoke_selected(self, request, queryset):
        grants = list(queryset.select_related("unit"))
        try:
            for grant in grants:
                services.role_revoke(grant=grant, acting_user=request.user)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%d role revoked.", "%d roles revoked.", len(grants)) % len(grants),
        )


@admin.register(GuidanceGroup)
class GuidanceGroupAdmin(SoftDeleteAdmin, SimpleHistoryAdmin):
    """Guidance groups (巡回指导组), with their history; writes go through the services."""

    list_display = ["name", "home_unit", "leader", "deleted_at"]
    list_filter = [DeletedFilter]
    list_select_related = ["home_unit", "leader"]
    search_fields = ["name", "home_unit__name", "home_unit__code", "leader__name"]
    raw_id_fields = ["home_unit", "leader", "members"]
    fields = ["name", "home_unit", "leader", "members"]
    ordering = ["home_unit__path", "name"]

    def get_readonly_fields(self, request, obj=None):
        # The home unit decides who manages the group.
        return ["home_unit"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ("name", "leader", "members")}
        if change:
            services.guidance_group_update(group=obj, acting_user=request.user, **data)
            return
        group = services.guidance_group_create(
            home_unit=form.cleaned_data["home_unit"], acting_user=request.user, **data
        )
        obj.pk, obj.created_at, obj.updated_at = group.pk, group.created_at, group.updated_at
        obj._state.adding, obj._state.db = False, group._state.db

    def save_related(self, request, form, formsets, change):
        # The service has set the members; only inlines (none today) are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
