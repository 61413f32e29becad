"""Django admin for system administrators: campaigns with their phases and targets inline.

Writes go through the campaign services, so the admin keeps the same rules
(and records the same history) as the web pages.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rectify.org.admin import DeletedFilter, SoftDeleteAdmin, SystemAdminPermissions
from rectify.org.scoping import is_system_admin

from . import services
from .models import Campaign, GuidanceAssignment, Phase, Target


class SystemAdminInline:
    """Inline rows a system administrator may add, change and delete."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_system_admin(request.user)


class PhaseInline(SystemAdminInline, admin.TabularInline):
    model = Phase
    fields = ["order", "name", "start_date", "end_date"]


class TargetInline(SystemAdminInline, admin.TabularInline):
    model = Target
    fields = ["order", "code", "title", "description"]


@admin.register(Campaign)
class CampaignAdmin(SoftDeleteAdmin, SimpleHistoryAdmin):
    """Campaigns; a new one starts with the four default phases, edited after saving."""

    list_display = ["name", "slug", "organizer", "start_date", "end_date", "warning_days"]
    list_filter = [DeletedFilter]
    list_select_related = ["organizer"]
    search_fields = ["name", "slug", "organizer__name", "organizer__code"]
    # Raw ids: a select of every unit would not load with tens of thousands of them.
    raw_id_fields = ["organizer", "participating_units"]
    date_hierarchy = "start_date"
    ordering = ["-start_date", "pk"]
    fields = [
        "name",
        "slug",
        "general_requirement",
        "root_task",
        "start_date",
        "end_date",
        "warning_days",
        "organizer",
        "participating_units",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The slug is in every link to the campaign; the organizer decides who may edit.
        return ["slug", "organizer"] if obj is not None else []

    def get_inlines(self, request, obj):
        # campaign_create adds the default phases; they are edited once the campaign exists.
        return [PhaseInline, TargetInline] if obj is not None else [TargetInline]

    def save_model(self, request, obj, form, change):
        data = {
            f: form.cleaned_data[f]
            for f in (
                "name",
                "general_requirement",
                "root_task",
                "start_date",
                "end_date",
                "warning_days",
            )
        }
        units = list(form.cleaned_data["participating_units"])
        if change:
            services.campaign_update(
                campaign=obj, participating_units=units, acting_user=request.user, **data
            )
            return
        campaign = services.campaign_create(
            slug=form.cleaned_data["slug"],
            organizer=form.cleaned_data["organizer"],
            participating_units=units,
            acting_user=request.user,
            **data,
        )
        obj.pk, obj.created_at, obj.updated_at = (
            campaign.pk,
            campaign.created_at,
            campaign.updated_at,
        )
        obj._state.adding, obj._state.db = False, campaign._state.db

    def save_formset(self, request, form, formset, change):
        campaign = form.instance
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        for row in rows:
            if isinstance(row, Target):
                services.target_save(
                    campaign=campaign,
                    target=row if row.pk else None,
                    code=row.code,
                    title=row.title,
                    description=row.description,
                    order=row.order,
                    acting_user=request.user,
                )
            else:
                services.phase_save(
                    campaign=campaign,
                    phase=row if row.pk else None,
                    name=row.name,
                    order=row.order,
                    start_date=row.start_date,
                    end_date=row.end_date,
                    acting_user=request.user,
                )


@admin.register(GuidanceAssignment)
class GuidanceAssignmentAdmin(SystemAdminPermissions, SimpleHistoryAdmin):
    """What each guidance group supervises per campaign; writes go through ``guidance_assign``."""

    list_display = ["group", "campaign", "updated_at"]
    list_select_related = ["group", "campaign"]
    search_fields = ["group__name", "campaign__name", "campaign__slug"]
    raw_id_fields = ["campaign", "group", "units"]
    fields = ["campaign", "group", "units"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "group"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        assignment = services.guidance_assign(
            campaign=form.cleaned_data.get("campaign") or obj.campaign,
            group=form.cleaned_data.get("group") or obj.group,
            units=list(form.cleaned_data["units"]),
            acting_user=request.user,
        )
        obj.pk, obj.created_at, obj.updated_at = (
            assignment.pk,
            assignment.created_at,
            assignment.updated_at,
        )
        obj._state.adding, obj._state.db = False, assignment._state.db

    def save_related(self, request, form, formsets, change):
        # ``guidance_assign`` has set the units.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
