from __future__ import annotations

from django.contrib import admin

from leadwell.exports.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "cycle", "format", "raw", "status", "size", "created_at")
    list_filter = ("status", "format", "raw")
    readonly_fields = tuple(f.name for f in Export._meta.fields)

    def has_add_permission(self, request, obj=None) -> bool:  # made by the export pages only
        return False
