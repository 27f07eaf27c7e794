"""API keys in the Django admin: to look at, and to revoke in an emergency (a superuser can
also revoke a key on the org admins' page). Keys are made on /api/keys/ only, because that
page is the one place that shows a new key, once."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from leadwell.api.models import ApiKey
from leadwell.api.services import ApiKeyError, api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "prefix", "created_by", "created_at", "last_used_at")
    list_filter = ("organization", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    readonly_fields = tuple(f.name for f in ApiKey._meta.fields)
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked keys stay listed, for the record

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset.select_related("organization"):
            try:
                api_key_revoke(key=key, actor=request.user)
            except ApiKeyError as error:
                messages.warning(request, str(error))
