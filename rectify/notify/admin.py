"""Notifications in the Django admin: read-only, for system administrators to look into."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from rectify.org.admin import SystemAdminPermissions

from .models import Channel, Delivery, Notification, ReminderRun


@admin.register(Notification)
class NotificationAdmin(SystemAdminPermissions, admin.ModelAdmin):
    """What was delivered to whom; nothing here is changed or deleted by hand."""

    list_display = ["created_at", "recipient", "kind", "measure", "actor", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "measure", "actor"]
    search_fields = ["recipient__username", "text"]
    raw_id_fields = ["recipient", "measure", "actor"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "recipient",
        "kind",
        "measure",
        "actor",
        "text",
        "data",
        "key",
        "created_at",
        "read_at",
    ]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Channel)
class ChannelAdmin(SystemAdminPermissions, SimpleHistoryAdmin):
    """Units' group robots, read-only here: the address shows masked, the secret never.

    They are added and changed on the unit's robot page, where the address is
    validated and sealed; nothing here can reveal or change what is sealed.
    """

    list_display = ["name", "unit", "kind", "url_hint", "has_secret", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name", "unit__code"]
    fields = ["name", "unit", "kind", "url_hint", "has_secret", "language", "is_active"]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("signing secret"))
    def has_secret(self, obj):
        return obj.has_secret

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(SystemAdminPermissions, admin.ModelAdmin):
    """What was sent by email or to a robot, and what went wrong; read-only."""

    list_display = ["created_at", "kind", "target", "channel", "status", "attempts", "last_error"]
    list_filter = ["kind", "status"]
    list_select_related = ["channel"]
    search_fields = ["target", "key"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "notification",
        "channel",
        "target",
        "language",
        "key",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderRun)
class ReminderRunAdmin(SystemAdminPermissions, admin.ModelAdmin):
    """The daily runs and their counts; read-only."""

    list_display = ["date", "started_at", "finished_at", "counts"]
    readonly_fields = ["date", "started_at", "finished_at", "counts"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
