"""Writes of the exports app: start an export of a cycle's results, and make its file.

:func:`export_start` records the request and queues the task; :func:`export_run` (the task's
body) streams :func:`~leadwell.exports.writers.stream_cycle` into a ``.part`` file created
readable by its owner only, in a folder only the owner can enter, and renames it into place
when complete: a failed export leaves no file, only its message. Progress is one UPDATE per
chunk of assessments.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadwell.cycles.models import Cycle
from leadwell.cycles.selectors import is_org_admin
from leadwell.exports.models import Export
from leadwell.exports.tables import ExportError, check_request
from leadwell.exports.writers import FORMATS, export_filename, stream_cycle

__all__ = ["ExportError", "export_run", "export_start"]

logger = logging.getLogger(__name__)


def export_start(
    *,
    cycle: Cycle,
    fmt: str,
    raw: bool,
    actor: Any,
    tables: Sequence[str] | None = None,
) -> Export:
    """Record an export of ``cycle``'s results and queue the task that makes its file.

    Only an org admin of the cycle's organization may export, and only once the cycle is
    closed or released; raw responses only when ``raw``.

    Raises
    ------
    ExportError
        Not an admin, a cycle still open, an unknown format or table.
    """
    from leadwell.exports.tasks import make_export

    if not is_org_admin(cycle.organization_id, actor):
        raise ExportError("Only the organization's admins can export a cycle's results.")
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}: choose csv, xlsx or json.")
    names = check_request(cycle, tables, raw)
    with transaction.atomic():
        export = Export.objects.create(
            organization_id=cycle.organization_id,
            cycle=cycle,
            format=fmt,
            tables=list(names),
            raw=raw,
            file_name=export_filename(cycle, fmt, names),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        transaction.on_commit(lambda: make_export.enqueue(export.pk))
    return export


def export_run(export_id: int) -> str:
    """Make the file of one export; what happened, for the task's result."""
    export = Export.objects.select_related("cycle").filter(pk=export_id).first()
    if export is None or export.finished:
        return "skipped"
    Export.objects.filter(pk=export.pk).update(status=Export.RUNNING, updated_at=timezone.now())

    def progress(done: int, total: int) -> None:
        Export.objects.filter(pk=export.pk).update(
            progress=done, total=total, updated_at=timezone.now()
        )

    try:
        size = _write(export, progress)
    except Exception as error:
        with contextlib.suppress(OSError):  # e.g. its folder could not be made
            export.partial_path.unlink(missing_ok=True)
        _fail(export.pk, _describe(error))
        logger.exception("export %s failed", export.pk)
        raise
    Export.objects.filter(pk=export.pk).update(
        status=Export.DONE, size=size, finished_at=timezone.now(), updated_at=timezone.now()
    )
    return "done"


def _write(export: Export, progress: Any) -> int:
    """Stream the export into its ``.part`` file, then rename it into place; the bytes."""
    folder = export.path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(
            f"The folder for exports ({folder}) cannot be created: {error.strerror or error}."
        ) from error
    pieces = stream_cycle(
        export.cycle,
        fmt=export.format,  # type: ignore[arg-type]
        tables=export.tables,  # as resolved at the start: one table as CSV is a plain CSV
        raw=export.raw,
        progress=progress,
    )
    size = 0
    descriptor = os.open(export.partial_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for piece in pieces:
            size += handle.write(piece)
    os.replace(export.partial_path, export.path)
    return size


def _fail(export_id: int, message: str) -> None:
    Export.objects.filter(pk=export_id).update(
        status=Export.FAILED,
        error=message[:500],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _describe(error: Exception) -> str:
    """A message for the admin's page: ours as they are, the rest without internals."""
    if isinstance(error, ExportError):
        return str(error)
    if isinstance(error, OSError):
        return f"The file could not be written: {error.strerror or error}."
    if isinstance(error, ValueError):
        return f"The stored answers could not be read: {error}"
    return (
        f"The export stopped on an unexpected error ({type(error).__name__}); "
        "the server's log has the details."
    )
