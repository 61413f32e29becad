"""API tokens in the Django admin: system administrators see them and revoke them."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from rectify.org.admin import SystemAdminPermissions

from .models import ApiToken
from .services import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(SystemAdminPermissions, admin.ModelAdmin):
    """Who holds which token, when it was used; never the key (only its hash is stored)."""

    list_display = ["name", "owner", "prefix", "created_at", "expires_at", "last_used_at",
                    "revoked_at"]  # fmt: skip
    list_select_related = ["owner"]
    search_fields = ["name", "owner__username", "prefix"]
    raw_id_fields = ["owner"]
    readonly_fields = ["owner", "name", "prefix", "created_at", "expires_at", "last_used_at",
                       "revoked_at"]  # fmt: skip
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request, *args):
        return False  # Tokens are made by their owners, on the API tokens page.

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        """Revoke each selected token through the service."""
        for token in queryset:
            token_revoke(token=token, acting_user=request.user)
        messages.success(request, _("Tokens revoked."))
