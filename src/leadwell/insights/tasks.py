"""Background task: compute a cycle's org insights."""

from __future__ import annotations

from django_tasks import task

from leadwell.insights.services import insights_run

__all__ = ["compute_insights"]


@task()
def compute_insights(insights_id: int) -> str:
    return insights_run(insights_id)
