"""Writes of development plans: creating a plan, its focus and actions, comments, and
deleting with undo. The tools' own writes live in ``tools.py``.

A deleted row is only marked (``deleted_at``) and disappears from every page at once; for
:data:`UNDO_MINUTES` the leader can undo it, then it is removed for good by
:func:`purge_deleted` (called on every deletion, and by ``leadwell manage purge_plans``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from leadwell.cycles.answers import cycle_instrument
from leadwell.cycles.models import Assessment
from leadwell.development.models import (
    Action,
    Comment,
    Delegation,
    Focus,
    Initiative,
    Metric,
    Plan,
    Stakeholder,
    Touch,
    TrustEntry,
)
from leadwell.instrument import default_instrument
from leadwell.orgs.models import Person

__all__ = [
    "DELETABLE",
    "UNDO_MINUTES",
    "PlanError",
    "action_add",
    "action_update",
    "checked_text",
    "comment_add",
    "focus_update",
    "live",
    "plan_create",
    "plan_text",
    "plan_update",
    "purge_deleted",
    "row_delete",
    "row_undo",
]

UNDO_MINUTES = 10
MOST_FOCUS = 3
#: What the leader can delete (and undo), by the name used in addresses.
DELETABLE: dict[str, type[models.Model]] = {
    "focus": Focus,
    "action": Action,
    "stakeholder": Stakeholder,
    "touch": Touch,
    "trust": TrustEntry,
    "initiative": Initiative,
    "metric": Metric,
    "delegation": Delegation,
}


class PlanError(ValueError):
    """A change the plan cannot take, with a message for the leader."""


def checked_text(text: str, what: str, longest: int) -> str:
    """``text`` if the database can store it: PlanError naming ``what`` when it is longer than
    ``longest`` or holds a NUL character (PostgreSQL refuses it in any text column)."""
    if "\x00" in text:
        raise PlanError(f"The {what} contains a null character (\\0): remove it.")
    if len(text) > longest:
        raise PlanError(f"The {what} is too long: at most {longest} characters.")
    return text


def plan_text(value: str | None, what: str, longest: int, *, needed: bool = False) -> str:
    """A text field of the plan or its tools, stripped: PlanError when it is ``needed`` and
    blank, or cannot be stored (:func:`checked_text`)."""
    text = (value or "").strip()
    if needed and not text:
        raise PlanError(f"Write the {what}.")
    return checked_text(text, what, longest)


def live(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Rows not deleted."""
    return queryset.filter(deleted_at__isnull=True)


def _facet_choices(source: Assessment | None) -> dict[str, str]:
    instrument = cycle_instrument(source.cycle) if source is not None else default_instrument()
    return {f.id: f.name for f in instrument.facets if not f.is_caution}


def plan_create(
    *,
    leader: Person,
    facets: list[str],
    title: str = "",
    source: Assessment | None = None,
    review_date: date | None = None,
) -> Plan:
    """A new plan for ``leader`` on one to three focus facets (ids such as "L1").

    ``source`` is the report it starts from (one of the leader's own assessments).
    """
    choices = _facet_choices(source)
    chosen = list(dict.fromkeys(facets))
    if not 1 <= len(chosen) <= MOST_FOCUS:
        raise PlanError(f"Choose one to {MOST_FOCUS} focus areas.")
    unknown = [f for f in chosen if f not in choices]
    if unknown:
        raise PlanError(f"Unknown focus area: {', '.join(unknown)}.")
    if source is not None and source.leader_id != leader.pk:
        raise PlanError("A plan can only start from the leader's own report.")
    with transaction.atomic():
        plan = Plan.objects.create(
            organization_id=leader.organization_id,
            leader=leader,
            source=source,
            title=checked_text(title.strip(), "title", 200) or _default_title(chosen, choices),
            review_date=review_date or timezone.localdate() + timedelta(days=90),
        )
        Focus.objects.bulk_create(
            Focus(plan=plan, facet=facet, position=i) for i, facet in enumerate(chosen)
        )
    return plan


def _default_title(chosen: list[str], choices: dict[str, str]) -> str:
    names = [choices[f] for f in chosen]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Working on {listed}"


def plan_update(
    plan: Plan, *, title: str, review_date: date | None, shared_with_manager: bool
) -> Plan:
    if not title.strip():
        raise PlanError("The plan needs a title.")
    plan.title = checked_text(title.strip(), "title", 200)
    plan.review_date = review_date
    plan.shared_with_manager = shared_with_manager
    plan.save(update_fields=["title", "review_date", "shared_with_manager", "updated_at"])
    return plan


def focus_update(focus: Focus, *, goal: str) -> Focus:
    focus.goal = checked_text(goal.strip(), "goal", 5000)
    focus.save(update_fields=["goal"])
    return focus


def action_add(plan: Plan, *, text: str, due: date | None, focus: Focus | None) -> Action:
    if not text.strip():
        raise PlanError("Say what the action is.")
    if focus is not None and focus.plan_id != plan.pk:
        raise PlanError("That focus area belongs to another plan.")
    text = checked_text(text.strip(), "action", 300)
    return Action.objects.create(plan=plan, text=text, due=due, focus=focus)


def action_update(action: Action, *, status: str) -> Action:
    if status not in dict(Action.STATUSES):
        raise PlanError(f"Unknown status {status!r}.")
    action.status = status
    action.save(update_fields=["status"])
    return action


def comment_add(plan: Plan, *, author: Any, text: str) -> Comment:
    if not text.strip():
        raise PlanError("The comment is empty.")
    text = checked_text(text.strip(), "comment", 5000)
    name = author.get_full_name() or author.get_username()
    return Comment.objects.create(plan=plan, author=author, author_name=name, text=text)


def row_delete(row: Any) -> None:
    """Mark ``row`` deleted (undo possible for :data:`UNDO_MINUTES`); purge expired rows."""
    row.deleted_at = timezone.now()
    row.save(update_fields=["deleted_at"])
    purge_deleted()


def row_undo(row: Any) -> None:
    if row.deleted_at is None:
        return
    if row.deleted_at < timezone.now() - timedelta(minutes=UNDO_MINUTES):
        raise PlanError(f"It is more than {UNDO_MINUTES} minutes since; it cannot be undone.")
    row.deleted_at = None
    row.save(update_fields=["deleted_at"])


def purge_deleted() -> int:
    """Remove rows deleted more than :data:`UNDO_MINUTES` ago; how many went."""
    cutoff = timezone.now() - timedelta(minutes=UNDO_MINUTES)
    removed = 0
    for model in DELETABLE.values():
        removed += model._default_manager.filter(deleted_at__lt=cutoff).delete()[0]
    return removed
