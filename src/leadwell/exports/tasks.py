"""Background tasks: the file of an export of a cycle's results."""

from __future__ import annotations

from django_tasks import task

from leadwell.exports.services import export_run

__all__ = ["make_export"]


@task()
def make_export(export_id: int) -> str:
    return export_run(export_id)
