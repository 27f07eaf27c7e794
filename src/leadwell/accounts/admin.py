"""Sign-in links in the Django admin: who asked, when it expires, whether it was used.

Only the token's hash is stored, so nothing here can sign anyone in.
"""

from __future__ import annotations

from django.contrib import admin

from leadwell.accounts.models import SignInLink


@admin.register(SignInLink)
class SignInLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "expires_at", "used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "token_hash", "expires_at", "used_at")

    def has_add_permission(self, request: object) -> bool:
        return False  # links are made by asking for one, so the token reaches its owner
