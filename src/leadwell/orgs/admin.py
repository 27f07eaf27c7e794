"""The organization's models in the Django admin (for superusers; org admins use the app)."""

from __future__ import annotations

from django.contrib import admin

from leadwell.orgs.models import CoachAssignment, LevelChange, Organization, Person, Role, Unit


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "parent")
    list_filter = ("organization",)
    search_fields = ("name",)
    list_select_related = ("organization", "parent")
    raw_id_fields = ("parent",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "organization", "unit", "level", "manager", "is_active")
    list_filter = ("organization", "is_active", "level")
    search_fields = ("name", "email")
    list_select_related = ("organization", "unit", "manager")
    raw_id_fields = ("unit", "manager", "user")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organization")
    list_filter = ("organization", "role")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "organization")
    raw_id_fields = ("user",)


@admin.register(CoachAssignment)
class CoachAssignmentAdmin(admin.ModelAdmin):
    list_display = ("coach", "leader", "organization")
    list_filter = ("organization",)
    list_select_related = ("coach", "leader", "organization")
    raw_id_fields = ("coach", "leader")


@admin.register(LevelChange)
class LevelChangeAdmin(admin.ModelAdmin):
    list_display = ("person", "level_before", "level_after", "changed_at", "organization")
    list_filter = ("organization",)
    search_fields = ("person__name", "person__email")
    list_select_related = ("person", "organization")
    raw_id_fields = ("person",)
