"""Organizations and their people. Every row belongs to exactly one organization."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unit_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone in the organization: a leader, a rater, or both. Keyed on email within it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    level = models.CharField(max_length=100, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="person_email_per_org")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class LevelChange(models.Model):
    """A person's level as an import changed it: the history behind "recently promoted"."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="level_changes")
    level_before = models.CharField(max_length=100, blank=True)
    level_after = models.CharField(max_length=100, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)


class Role(models.Model):
    """What a signed-in user may do in one organization."""

    ADMIN, COACH, LEADER = "admin", "coach", "leader"
    CHOICES = [(ADMIN, "Org admin"), (COACH, "Coach"), (LEADER, "Leader")]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(max_length=20, choices=CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user", "role"], name="one_role_each")
        ]


class CoachAssignment(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    leader = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="coaches")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coach", "leader"], name="coach_leader_once")
        ]
