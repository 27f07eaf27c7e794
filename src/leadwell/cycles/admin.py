"""The cycles models in the Django admin (superusers only).

Responses and drafts are read-only. The response list shows nothing that could tie a
response to its rater: no invitation (there is none), no time, no order but the random id.
Token hashes are shown read-only and never as a search field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from leadwell.cycles.models import (
    Assessment,
    Cycle,
    Draft,
    Invitation,
    Nomination,
    Response,
    ResponseComment,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "status", "instrument_version", "created_at")
    list_filter = ("status", "organization")
    search_fields = ("name",)
    readonly_fields = ("instrument_version", "opened_at", "closed_at", "released_at")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("leader", "cycle", "organization")
    list_filter = ("cycle__organization",)
    search_fields = ("leader__name", "leader__email", "cycle__name")
    raw_id_fields = ("leader", "cycle")


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "group", "status", "assessment")
    list_filter = ("status", "group")
    search_fields = ("name", "email")
    raw_id_fields = ("assessment", "person", "proposed_by", "decided_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "group", "status", "reminders_sent", "bounced", "assessment")
    list_filter = ("status", "group", "bounced")
    search_fields = ("name", "email")
    raw_id_fields = ("assessment", "nomination")
    readonly_fields = ("token_hash", "sent_at", "last_reminded_at", "status")


@admin.register(Draft)
class DraftAdmin(_ReadOnly):
    list_display = ("invitation", "page", "updated_at")
    # The answers in progress are never shown.
    exclude = ("answers", "comments")


class ResponseCommentInline(admin.TabularInline):
    model = ResponseComment
    extra = 0
    can_delete = False
    fields = ("question", "text")
    readonly_fields = ("question", "text")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(_ReadOnly):
    # Random id, assessment and group only: nothing that points back to an invitation.
    list_display = ("id", "assessment", "group")
    list_filter = ("group",)
    ordering = ("id",)
    fields = ("id", "organization", "assessment", "group", "seconds")
    readonly_fields = fields
    inlines = (ResponseCommentInline,)
