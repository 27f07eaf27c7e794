"""A cycle's organization insights, computed once in the background and stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from leadwell.cycles.models import Cycle
from leadwell.orgs.models import Organization


class CycleInsights(models.Model):
    """The insights of one cycle: quadrants, heat maps, drivers, quality, as a JSON document.

    ``data`` is written whole by one task; the page only reads it. ``version`` is the format of
    ``data``: a page meeting an older one asks for a new computation.
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(QUEUED, "Waiting"), (RUNNING, "Computing"), (DONE, "Ready"), (FAILED, "Failed")]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="insights")
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    step = models.CharField(max_length=200, blank=True)
    data = models.JSONField(null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)
