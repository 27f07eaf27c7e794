"""What is computed from a cycle's answers, and how it goes when answers go.

Private to :mod:`leadwell.privacy.services`. Charts, reliability and insights are recomputed
from the stored answers the next time they are needed, so deleting them is enough. Exports
and PDF batches are files made from the old answers (and name leaders): their rows go in the
caller's transaction and their files only once that transaction has committed, so a rolled
back erasure still finds every file it left in place.
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction

from leadwell.exports.models import Export
from leadwell.insights.models import CycleInsights
from leadwell.reports.batch import batch_path
from leadwell.reports.models import CycleReliability, ReportBatch, ReportChart

__all__ = ["add_deleted", "derived_delete"]

logger = logging.getLogger(__name__)
_CHUNK = 500


def add_deleted(counts: Counter[str], deleted: tuple[int, dict[str, int]]) -> None:
    """Add what ``QuerySet.delete()`` reports to ``counts`` (model label -> rows)."""
    for label, rows in deleted[1].items():
        if rows:
            counts[label.lower()] += rows


def derived_delete(
    counts: Counter[str], *, cycle_ids: Iterable[int], chart_assessment_ids: Iterable[int]
) -> None:
    """Delete the caches and files computed from the answers of these cycles, and the chart
    drawings of these assessments."""
    cycles = sorted(set(cycle_ids))
    add_deleted(
        counts, ReportChart.objects.filter(assessment_id__in=set(chart_assessment_ids)).delete()
    )
    add_deleted(counts, CycleReliability.objects.filter(cycle_id__in=cycles).delete())
    add_deleted(counts, CycleInsights.objects.filter(cycle_id__in=cycles).delete())
    exports = list(Export.objects.filter(cycle_id__in=cycles))
    batches = list(ReportBatch.objects.filter(cycle_id__in=cycles))
    _delete_rows(Export, [e.pk for e in exports], counts)
    _delete_rows(ReportBatch, [b.pk for b in batches], counts)
    paths = [p for e in exports for p in (e.path, e.partial_path)]
    for batch in batches:
        paths.extend((batch_path(batch), batch_path(batch).with_suffix("")))  # ZIP and folder
    if paths:
        transaction.on_commit(lambda: _remove_files(paths))


def _delete_rows(model: type[models.Model], pks: list[Any], counts: Counter[str]) -> None:
    # Plain SQL, not QuerySet.delete(): that would send post_delete, whose receivers remove
    # the files at once, before the transaction is known to commit. Nothing points at these.
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _CHUNK):
            chunk = pks[start : start + _CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)
    if pks:
        counts[model._meta.label_lower] += len(pks)


def _remove_files(paths: list[Path]) -> None:
    for path in paths:
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as error:  # the rows are gone either way: say what was left behind
            logger.warning("file %s could not be deleted: %s", path, error)
