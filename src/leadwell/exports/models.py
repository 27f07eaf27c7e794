"""What the exports app stores: each export of a cycle's results an admin asked for, and where
its file is. The file lives in ``settings.LEADWELL_EXPORTS_DIR``, readable by its owner only,
and goes when the row goes (the row goes with its cycle or organization)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver

from leadwell.cycles.models import Cycle
from leadwell.orgs.models import Organization

logger = logging.getLogger(__name__)


class Export(models.Model):
    """A cycle's results in one format, made by a background task into one file."""

    CSV, XLSX, JSON = "csv", "xlsx", "json"
    FORMATS = [(CSV, "CSV"), (XLSX, "Excel (XLSX)"), (JSON, "JSON")]
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(QUEUED, "Waiting"), (RUNNING, "Running"), (DONE, "Done"), (FAILED, "Failed")]

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="cycle_exports"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=10, choices=FORMATS)
    tables = models.JSONField(default=list)  # table names, in the order written
    raw = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    progress = models.PositiveBigIntegerField(default=0)  # assessments read, over all tables
    total = models.PositiveBigIntegerField(default=0)
    file_name = models.CharField(max_length=200)  # the name the download gets
    size = models.PositiveBigIntegerField(null=True, blank=True)  # bytes, once done
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the last progress
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.progress / self.total)) if self.total else 0

    @property
    def path(self) -> Path:
        """Where the finished file is (named by id: nothing of the cycle in the file system)."""
        extension = self.file_name.rsplit(".", 1)[-1] if "." in self.file_name else "bin"
        return Path(settings.LEADWELL_EXPORTS_DIR) / f"export-{self.pk}.{extension}"

    @property
    def partial_path(self) -> Path:
        """Where the file is written until it is complete."""
        return self.path.with_name(self.path.name + ".part")


@receiver(post_delete, sender=Export)
def _remove_file(sender: Any, instance: Export, **kwargs: Any) -> None:
    """A deleted export (or its cycle, or organization) takes its file with it."""
    for path in (instance.path, instance.partial_path):
        try:
            path.unlink(missing_ok=True)
        except OSError as error:  # the row is gone either way: say what was left behind
            logger.warning("export file %s could not be deleted: %s", path, error)
