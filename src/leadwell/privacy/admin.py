from __future__ import annotations

from django.contrib import admin

from leadwell.privacy.models import PrivacyLog


@admin.register(PrivacyLog)
class PrivacyLogAdmin(admin.ModelAdmin):
    list_display = ("at", "organization", "kind", "actor_name", "cycle", "reason")
    list_filter = ("kind",)
    readonly_fields = tuple(f.name for f in PrivacyLog._meta.fields)

    # A log is written by the services only, and nobody edits or deletes its rows by hand.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
