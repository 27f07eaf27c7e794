"""Reads of org insights: the cycles that have them, who the leaders are, response rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from leadwell.cycles.models import Assessment, Cycle, Invitation
from leadwell.insights.models import CycleInsights
from leadwell.orgs.models import LevelChange, Organization, Person

__all__ = [
    "READY",
    "LeaderInfo",
    "insights_cycles",
    "leader_info",
    "level_changes",
    "level_order",
    "previous_insights",
    "response_rates",
]

#: Insights exist once no answer can arrive any more (no figures while a cycle is open:
#: watching them change after each submission would reveal one rater).
READY = (Cycle.CLOSED, Cycle.RELEASED)
NO_VALUE = "(none)"


@dataclass(frozen=True)
class LeaderInfo:
    leader_id: int
    name: str
    unit: str
    level: str


def insights_cycles(org: Organization) -> QuerySet[Cycle]:
    """The organization's closed and released cycles, newest first, with their insights."""
    return (
        Cycle.objects.filter(organization=org, status__in=READY)
        .select_related("insights")
        .annotate(leaders=Count("assessments"))
        .order_by("-closed_at", "-pk")
    )


def leader_info(cycle: Cycle) -> dict[int, LeaderInfo]:
    """Each assessment's leader with their unit and level as they are now, in one query."""
    rows = Assessment.objects.filter(cycle=cycle, organization_id=cycle.organization_id)
    return {
        pk: LeaderInfo(leader_id, name, unit or NO_VALUE, level or NO_VALUE)
        for pk, leader_id, name, unit, level in rows.values_list(
            "pk", "leader_id", "leader__name", "leader__unit__name", "leader__level"
        )
    }


def level_order(org: Organization) -> list[str]:
    """The organization's levels from the top of the org chart down.

    Levels are free text, so their order is read from the chart: a level's rank is the mean
    number of managers above its people (ties by name).
    """
    rows = list(Person.objects.filter(organization=org).values_list("id", "manager_id", "level"))
    manager = {pk: boss for pk, boss, _ in rows}
    depth: dict[int, int] = {}
    for start, _, _ in rows:
        chain = []
        node: int | None = start
        while node is not None and node not in depth and node not in chain:
            chain.append(node)
            node = manager.get(node)
        base = depth.get(node, -1) if node is not None and node not in chain else -1
        for offset, pk in enumerate(reversed(chain), start=1):
            depth[pk] = base + offset
    totals: dict[str, list[int]] = {}
    for pk, _, level in rows:
        totals.setdefault(level or NO_VALUE, []).append(depth[pk])
    return sorted(totals, key=lambda level: (sum(totals[level]) / len(totals[level]), level))


def level_changes(cycle: Cycle, leader_ids: list[int], since: datetime) -> dict[int, Any]:
    """The latest level change of each leader between ``since`` and the cycle's close."""
    until = cycle.closed_at or cycle.created_at
    # The organization's changes in the window, matched here: an IN list of every leader
    # (100,000 of them in a large cycle) would cost the database more than the rows do.
    found = LevelChange.objects.filter(
        organization_id=cycle.organization_id, changed_at__gte=since, changed_at__lte=until
    ).exclude(level_before="")
    wanted = set(leader_ids)
    latest: dict[int, Any] = {}
    for change in found.order_by("changed_at", "pk"):
        if change.person_id in wanted:
            latest[change.person_id] = change
    return latest


def response_rates(cycle: Cycle) -> list[dict[str, Any]]:
    """Invited and submitted raters per group (the leader's own self-assessment included)."""
    rows = (
        Invitation.objects.filter(organization_id=cycle.organization_id, assessment__cycle=cycle)
        .values("group")
        .annotate(invited=Count("pk"), submitted=Count("pk", filter=Q(status="submitted")))
    )
    by_group = {row["group"]: row for row in rows}
    order = ("self", "manager", "peer", "direct", "other")
    return [
        {"group": g, "invited": by_group[g]["invited"], "submitted": by_group[g]["submitted"]}
        for g in order
        if g in by_group
    ]


def previous_insights(cycle: Cycle) -> CycleInsights | None:
    """The computed insights of the organization's cycle closed before this one, if any."""
    if cycle.closed_at is None:
        return None
    return (
        CycleInsights.objects.filter(
            organization_id=cycle.organization_id,
            status=CycleInsights.DONE,
            cycle__status__in=READY,
            cycle__closed_at__lt=cycle.closed_at,
        )
        .select_related("cycle")
        .order_by("-cycle__closed_at")
        .first()
    )
