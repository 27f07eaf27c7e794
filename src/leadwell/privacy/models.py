"""The log of privacy operations: each erasure of a person and each retention purge.

A row says what was done, when, by whom and how many rows of each kind went, never whom an
erasure was about: the log of an erasure must not become the place the person is still found.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from leadwell.cycles.models import Cycle
from leadwell.orgs.models import Organization

__all__ = ["PrivacyLog"]


class PrivacyLog(models.Model):
    ERASURE, RETENTION = "erasure", "retention"
    KINDS = [(ERASURE, "Erasure of a person"), (RETENTION, "Answers past the retention time")]

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="privacy_log"
    )
    kind = models.CharField(max_length=10, choices=KINDS)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the log still says who acted after their account is deleted;
    # "command line" when nobody signed in did it.
    actor_name = models.CharField(max_length=200)
    # The cycle whose answers a retention purge deleted (reports of it say so); empty for an
    # erasure, which may touch several cycles and names none of them.
    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="privacy_log"
    )
    counts = models.JSONField(default=dict)  # {"cycles.response": 12, ...}: rows removed
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
