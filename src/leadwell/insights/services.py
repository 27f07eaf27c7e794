"""Writes of org insights: asking for a computation, and running it (in a task)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadwell.cycles._common import check_admin
from leadwell.cycles.models import Cycle
from leadwell.insights.compute import FORMAT, insights_compute
from leadwell.insights.models import CycleInsights
from leadwell.insights.selectors import READY

__all__ = [
    "STALLED_MINUTES",
    "InsightsError",
    "insights_request",
    "insights_run",
    "insights_stalled",
]

#: A computation that has not finished this long after it was asked for is taken as lost (no
#: task worker, or one that stopped) and may be asked for again.
STALLED_MINUTES = 10

logger = logging.getLogger(__name__)


class InsightsError(ValueError):
    """A request for insights that cannot be met; the message says why."""


def insights_request(*, cycle: Cycle, actor: Any) -> CycleInsights:
    """Queue the computation of ``cycle``'s insights (unless one is already under way).

    The previous result stays readable until the new one replaces it.
    """
    check_admin(cycle.organization_id, actor)
    if cycle.status not in READY:
        raise InsightsError(
            "Insights are computed once the cycle is closed: while raters can still answer, "
            "figures that change after each answer would show what one rater said."
        )
    from leadwell.insights.tasks import compute_insights

    with transaction.atomic():
        insights, created = CycleInsights.objects.select_for_update().get_or_create(
            cycle=cycle, defaults={"organization_id": cycle.organization_id, "requested_by": actor}
        )
        busy = insights.status in (CycleInsights.QUEUED, CycleInsights.RUNNING)
        if not created and busy and not insights_stalled(insights):
            return insights
        insights.status, insights.step, insights.error = CycleInsights.QUEUED, "", ""
        insights.requested_by = actor
        insights.requested_at = timezone.now()
        insights.save(update_fields=["status", "step", "error", "requested_by", "requested_at"])
        transaction.on_commit(lambda: compute_insights.enqueue(insights.pk))
    return insights


def insights_stalled(insights: CycleInsights) -> bool:
    """Waiting or computing for more than :data:`STALLED_MINUTES`: its task is lost."""
    if insights.finished:
        return False
    since = insights.started_at or insights.requested_at
    return timezone.now() - since > timedelta(minutes=STALLED_MINUTES)


def insights_run(insights_id: int) -> str:
    """Compute and store one cycle's insights; a failure is stored with its message."""
    insights = CycleInsights.objects.select_related("cycle__organization").get(pk=insights_id)
    started = time.perf_counter()
    _update(insights_id, status=CycleInsights.RUNNING, started_at=timezone.now())

    def step(text: str) -> None:
        _update(insights_id, step=text)

    try:
        data = insights_compute(insights.cycle, step=step)
    except Exception as error:  # the page shows what went wrong instead of waiting forever
        logger.exception("insights of cycle %s failed", insights.cycle_id)
        _update(insights_id, status=CycleInsights.FAILED, step="", error=_message(error))
        return "failed"
    _update(
        insights_id,
        status=CycleInsights.DONE,
        step="",
        data=data,
        version=FORMAT,
        computed_at=timezone.now(),
        seconds=time.perf_counter() - started,
    )
    return "done"


def _update(pk: int, **fields: Any) -> None:
    CycleInsights.objects.filter(pk=pk).update(**fields)


def _message(error: Exception) -> str:
    # Our own checks raise ValueError with a message meant for people; anything else (a
    # database error, say) may hold internals: the log has it, the page a plain sentence.
    if isinstance(error, ValueError) and str(error):
        return f"{str(error)[:300]} (the server log has the details)"
    return "an unexpected error; the server log has the details"
