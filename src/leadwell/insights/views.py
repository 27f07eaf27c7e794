"""Org insights pages, for org admins: the cycles that have them, and one cycle's insights.

Insights are computed in the background on first opening (and on "Compute again"); the page
polls a small status fragment until they are ready, then shows the stored document.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from leadwell.config.http import private as _private
from leadwell.cycles.models import Cycle
from leadwell.cycles.services import CycleError
from leadwell.insights import selectors, services
from leadwell.insights.compute import FORMAT
from leadwell.insights.models import CycleInsights
from leadwell.insights.present import page_context
from leadwell.orgs.access import org_object_or_404, require_role
from leadwell.orgs.models import Role


def _admin_cycle(request: HttpRequest, pk: int) -> Cycle:
    org = require_role(request, Role.ADMIN)
    return org_object_or_404(Cycle, org, pk=pk)


def _stalled(insights: CycleInsights | None) -> bool:
    return insights is not None and services.insights_stalled(insights)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    cycles = selectors.insights_cycles(org)
    return _private(render(request, "insights/index.html", {"cycles": cycles}))


@login_required
def cycle_insights(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _admin_cycle(request, pk)
    context: dict[str, object] = {"cycle": cycle}
    if cycle.status not in selectors.READY:
        return _private(render(request, "insights/not_ready.html", context))
    insights = CycleInsights.objects.filter(cycle=cycle).first()
    stale = (
        insights is not None
        and insights.status == CycleInsights.DONE
        and insights.version != FORMAT
    )
    if insights is None or stale:
        insights = services.insights_request(cycle=cycle, actor=request.user)
        insights.refresh_from_db()
    context["insights"] = insights
    context["stalled"] = _stalled(insights)
    if insights.data is not None and insights.version == FORMAT:
        previous = selectors.previous_insights(cycle)
        earlier = (
            {"name": previous.cycle.name, "pk": previous.cycle_id, "data": previous.data}
            if previous is not None and previous.version == FORMAT
            else None
        )
        context.update(page_context(insights.data, earlier))
    return _private(render(request, "insights/cycle.html", context))


@login_required
def insights_status(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _admin_cycle(request, pk)
    insights = CycleInsights.objects.filter(cycle=cycle).first()
    context = {"cycle": cycle, "insights": insights, "stalled": _stalled(insights)}
    response = render(request, "insights/_status.html", context)
    if insights is None or insights.status == CycleInsights.DONE:
        response["HX-Refresh"] = "true"  # the whole page, now with the figures
    return _private(response)


@require_POST
@login_required
def insights_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _admin_cycle(request, pk)
    try:
        services.insights_request(cycle=cycle, actor=request.user)
    except (services.InsightsError, CycleError) as error:
        messages.error(request, str(error))
    return redirect("insights:cycle", pk=pk)
