"""Reads of development plans: lists, the overview, what a new plan starts from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from leadwell.config.http import row_id
from leadwell.cycles.answers import cycle_instrument
from leadwell.cycles.models import Assessment, Cycle
from leadwell.development.models import Action, Comment, Focus, Plan
from leadwell.development.services import live
from leadwell.instrument import default_instrument
from leadwell.orgs.models import Organization, Person
from leadwell.practices import practice_for

__all__ = [
    "FocusChoices",
    "focus_choices",
    "own_assessment",
    "own_plans",
    "person_of",
    "plan_overview",
    "readable_plans",
    "reports_to_start_from",
    "row_label",
]


def person_of(org: Organization, user: Any) -> Person | None:
    """The person record of the signed-in user in ``org`` (leaders have one)."""
    return Person.objects.filter(organization=org, user=user).first()


def own_plans(org: Organization, user: Any) -> QuerySet[Plan]:
    return Plan.objects.filter(organization=org, leader__user=user)


def readable_plans(org: Organization, user: Any) -> QuerySet[Plan]:
    """Plans of leaders the user coaches, and plans shared with the user as their manager."""
    return (
        Plan.objects.filter(organization=org)
        .filter(
            Q(leader__coaches__coach=user, leader__coaches__organization=org)
            | Q(shared_with_manager=True, leader__manager__user=user)
        )
        .exclude(leader__user=user)
        .select_related("leader")
        .distinct()
        .order_by("leader__name", "-created_at")
    )


def reports_to_start_from(org: Organization, user: Any) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(organization=org, leader__user=user, cycle__status=Cycle.RELEASED)
        .select_related("cycle")
        .order_by("-cycle__released_at", "-pk")
    )


def own_assessment(org: Organization, user: Any, pk: str | None) -> Assessment | None:
    """The user's own released assessment ``pk`` (from a link), or None."""
    number = row_id(pk)
    if number is None:
        return None
    return reports_to_start_from(org, user).select_related("leader").filter(pk=number).first()


@dataclass(frozen=True)
class FocusChoices:
    options: list[tuple[str, str, str]]  # (facet id, name, axis name)
    recommended: list[str]


def focus_choices(source: Assessment | None) -> FocusChoices:
    """Every facet a plan can focus on; the report's recommendations pre-chosen."""
    instrument = cycle_instrument(source.cycle) if source is not None else default_instrument()
    axes = {a.id: a.name for a in instrument.axes}
    options = [(f.id, f.name, axes[f.axis]) for f in instrument.facets if f.axis is not None]
    recommended: list[str] = []
    if source is not None:
        from leadwell.reports.selectors import report_for

        recommended = [area.focus.facet for area in report_for(source).focus]
    return FocusChoices(options, recommended)


def plan_overview(plan: Plan) -> dict[str, Any]:
    """What the plan's overview shows: focus areas with their practice, actions, comments."""
    instrument = cycle_instrument(plan.source.cycle) if plan.source_id else default_instrument()
    focuses = list(live(Focus.objects.filter(plan=plan)))
    actions = list(live(Action.objects.filter(plan=plan)).select_related("focus"))
    areas = [
        {
            "focus": focus,
            "name": instrument.facet_by_id[focus.facet].name,
            "practice": practice_for(focus.facet),
            "actions": [a for a in actions if a.focus_id == focus.pk],
        }
        for focus in focuses
    ]
    return {
        "plan": plan,
        "areas": areas,
        "loose_actions": [a for a in actions if a.focus_id is None or a.focus not in focuses],
        "open_actions": sum(a.status in (Action.TODO, Action.DOING) for a in actions),
        "comments": list(Comment.objects.filter(plan=plan)),
        "statuses": Action.STATUSES,
    }


def row_label(kind: str, row: Any) -> str:
    """A short name of a deletable row, for "Delete …?" and "Restored …"."""
    for field in ("name", "text", "work", "note"):
        value = getattr(row, field, "")
        if value:
            text = str(value)
            return text if len(text) <= 60 else text[:57] + "…"
    if kind == "focus":
        return f"focus area {row.facet}"
    day = getattr(row, "day", None)
    return f"{kind} of {day}" if day else kind
