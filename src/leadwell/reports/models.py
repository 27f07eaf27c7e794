"""What the reports app stores: who read which report when, batches of PDFs, and the charts
of reports whose answers can no longer change."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from leadwell.cycles.models import Assessment, Cycle
from leadwell.orgs.models import Organization


class ReportView(models.Model):
    """One opening of a report (screen or PDF): the audit log admins read."""

    HTML, PDF, BATCH, API = "html", "pdf", "batch", "api"
    FORMATS = [(HTML, "On screen"), (PDF, "PDF"), (BATCH, "PDF batch"), (API, "API")]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the log still says who it was after an account is deleted.
    viewer_name = models.CharField(max_length=200)
    role = models.CharField(max_length=20)
    format = models.CharField(max_length=10, choices=FORMATS)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]


class ReportBatch(models.Model):
    """PDFs of every report of a cycle, made by a background task into one ZIP file."""

    QUEUED, RUNNING, PACKING, DONE, FAILED = "queued", "running", "packing", "done", "failed"
    STATUSES = [
        (QUEUED, "Waiting"),
        (RUNNING, "Running"),
        (PACKING, "Packing the ZIP"),
        (DONE, "Done"),
        (FAILED, "Failed"),
    ]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="report_batches")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # [{"assessment": id, "leader": name, "error": message}]
    failures = models.JSONField(default=list)
    assessment_ids = models.JSONField(default=list)  # the reports asked for, written once
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the last progress
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)

    @property
    def included(self) -> list[int]:
        """The assessments whose PDF is in the ZIP: those asked for that did not fail."""
        failed = {f.get("assessment") for f in self.failures}
        return [pk for pk in self.assessment_ids if pk not in failed]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class ReportChart(models.Model):
    """An assessment's two chart SVGs, keyed by a hash of everything they are drawn from.

    Drawing them takes most of a report's time; once a cycle is closed its answers do not
    change, so they are drawn once. A different key (the inputs changed) draws them anew.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="charts")
    key = models.CharField(max_length=64)
    quadrant = models.TextField(blank=True)
    profile = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="one_chart_set_per_key")
        ]


class CycleReliability(models.Model):
    """A released cycle's SD across leaders and ICC(2) per facet and axis: what the Reliable
    Change Index of every later report compares against. Computed once from the whole cycle
    (``fingerprint``: the instrument version and threshold it was computed with); deleting
    answers of a released cycle must delete this row."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=100)
    figures = models.JSONField()  # facet ids, then axis ids
    sd = models.JSONField()  # floats, None where unknown
    icc2 = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
