"""Reads of the exports app: a cycle's exports, whether one has stalled, and whether a cycle is
small enough to be streamed straight to the browser."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from leadwell.cycles.models import Cycle, Response
from leadwell.exports.models import Export

__all__ = ["STALLED_MINUTES", "STREAM_LIMIT", "cycle_exports", "export_stalled", "streamable"]

#: Submitted responses up to which a cycle's export may be streamed in the request itself
#: (a few seconds); larger cycles are exported in the background, where no request time-out
#: can cut the file short.
STREAM_LIMIT = 25_000
STALLED_MINUTES = 10


def cycle_exports(cycle: Cycle, limit: int = 20) -> QuerySet[Export]:
    """The cycle's latest exports, newest first."""
    return Export.objects.filter(organization_id=cycle.organization_id, cycle=cycle).select_related(
        "created_by"
    )[:limit]


def streamable(cycle: Cycle) -> bool:
    """Whether the cycle is small enough to export within one request."""
    found = Response.objects.filter(organization_id=cycle.organization_id, assessment__cycle=cycle)
    return found[: STREAM_LIMIT + 1].count() <= STREAM_LIMIT


def export_stalled(export: Export) -> bool:
    """Whether an unfinished export has made no progress for :data:`STALLED_MINUTES` (no task
    worker runs, or its worker stopped)."""
    limit = timezone.now() - timedelta(minutes=STALLED_MINUTES)
    return not export.finished and export.updated_at < limit
