"""Nominations: who rates a leader. The leader proposes, their manager (or an org admin)
approves, declines or edits; the manager's and the admin's own additions are approved at once.

Private to ``leadwell.cycles``; import the public names from ``leadwell.cycles.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from leadwell.cycles import selectors
from leadwell.cycles._common import (
    CycleError,
    check_new_email,
    clean_email,
    invite_if_open,
)
from leadwell.cycles.models import Assessment, Cycle, Invitation, Nomination
from leadwell.orgs.models import Person

__all__ = [
    "Suggestion",
    "nomination_approve",
    "nomination_decline",
    "nomination_propose",
    "nomination_suggestions",
    "nomination_update",
]

ANONYMOUS_GROUPS = selectors.ANONYMOUS_GROUPS
#: Groups a leader (or their manager) may propose; an admin may also name the manager.
_PROPOSABLE = {"leader": ANONYMOUS_GROUPS, "manager": ANONYMOUS_GROUPS}
_ADMIN_GROUPS = ("manager", *ANONYMOUS_GROUPS)
_EDITABLE = (Cycle.DRAFT, Cycle.NOMINATING, Cycle.OPEN)
_role = selectors.assessment_role


def _check_group(role: str, group: str, assessment: Assessment, exclude: int | None) -> None:
    allowed = _ADMIN_GROUPS if role == "admin" else _PROPOSABLE[role]
    if group not in allowed:
        raise CycleError(
            f"Pick one of these groups: {', '.join(allowed)} (“{group}” is not one of them)."
        )
    if group == "manager":
        others = assessment.nominations.filter(group="manager").exclude(
            Q(pk=exclude) | Q(status=Nomination.DECLINED)
        )
        if others.exists():
            raise CycleError(
                f"{assessment.leader.name} already has a manager rater; name a second "
                "manager in the group “other”."
            )


def _check_room(assessment: Assessment, cycle: Cycle) -> None:
    counted = assessment.nominations.exclude(group="self").exclude(status=Nomination.DECLINED)
    if counted.count() >= cycle.max_raters:
        raise CycleError(
            f"{assessment.leader.name} already has {cycle.max_raters} raters, the most this "
            "cycle allows. Decline one before adding another."
        )


def _lock(assessment: Assessment) -> tuple[Assessment, Cycle]:
    """The assessment with its leader, and its cycle locked against concurrent changes."""
    cycle = Cycle.objects.select_for_update().get(pk=assessment.cycle_id)
    fresh = Assessment.objects.select_related("leader__manager").get(pk=assessment.pk)
    return fresh, cycle


def _check_editable(cycle: Cycle, role: str | None, what: str) -> str:
    """The actor's role, when they may change this cycle's raters now."""
    if role is None:
        raise CycleError(f"Only the leader, their manager or an org admin can {what}.")
    if cycle.status not in _EDITABLE:
        raise CycleError(f"“{cycle.name}” is {cycle.status}: raters can no longer change.")
    if role == "leader" and cycle.status != Cycle.NOMINATING:
        raise CycleError(
            "Leaders can propose and edit raters while the cycle is nominating; ask your "
            "manager or the org admin."
        )
    return role


def nomination_propose(
    assessment: Assessment, *, name: str, email: str, group: str, actor: Any
) -> Nomination:
    """A rater for a leader. The leader's proposals wait for approval; the manager's and an
    admin's are approved at once (and invited at once when the cycle is open)."""
    with transaction.atomic():
        assessment, cycle = _lock(assessment)
        role = _check_editable(cycle, _role(assessment, actor), "propose raters")
        email = clean_email(email)
        _check_group(role, group, assessment, None)
        check_new_email(assessment, email)
        _check_room(assessment, cycle)
        person = Person.objects.filter(
            organization_id=assessment.organization_id, email__iexact=email
        ).first()
        name = name.strip() or (person.name if person else "")
        if not name:
            raise CycleError("Give the rater's name, so that the email can greet them.")
        approved = role != "leader"
        nomination = Nomination.objects.create(
            organization_id=assessment.organization_id,
            assessment=assessment,
            person=person,
            name=name,
            email=email,
            group=group,
            status=Nomination.APPROVED if approved else Nomination.PROPOSED,
            proposed_by=actor,
            decided_by=actor if approved else None,
        )
        if approved:
            invite_if_open(cycle, [nomination])
    return nomination


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    name: str
    email: str
    group: str


def nomination_suggestions(assessment: Assessment) -> list[Suggestion]:
    """Raters the org chart suggests: direct reports (direct) and colleagues under the same
    manager (peer), leaving out people already nominated."""
    leader = assessment.leader
    taken = {e.lower() for e in assessment.nominations.values_list("email", flat=True)}
    active = Person.objects.filter(organization_id=assessment.organization_id, is_active=True)
    mates = active.filter(manager_id=leader.manager_id) if leader.manager_id else active.none()
    found = [(p, "direct") for p in active.filter(manager_id=leader.pk).order_by("name")]
    found += [(p, "peer") for p in mates.exclude(pk=leader.pk).order_by("name")]
    return [
        Suggestion(person_id=p.pk, name=p.name, email=p.email, group=group)
        for p, group in found
        if p.email.lower() not in taken
    ]


def _decide(nomination: Nomination, actor: Any) -> tuple[Nomination, Cycle]:
    assessment, cycle = _lock(nomination.assessment)
    role = _check_editable(cycle, _role(assessment, actor), "approve or decline raters")
    if role == "leader":
        raise CycleError(
            f"{assessment.leader.name}'s raters are approved by their manager or an org admin."
        )
    fresh = Nomination.objects.select_for_update().get(pk=nomination.pk)
    fresh.assessment = assessment
    return fresh, cycle


def nomination_approve(nomination: Nomination, *, actor: Any) -> Nomination:
    """The leader's manager (or an org admin) approves a proposed or declined rater."""
    with transaction.atomic():
        fresh, cycle = _decide(nomination, actor)
        if fresh.status == Nomination.APPROVED:
            raise CycleError(f"{fresh.name} is already approved.")
        if fresh.status == Nomination.DECLINED:
            _check_room(fresh.assessment, cycle)
            if fresh.group == "manager":
                _check_group("admin", "manager", fresh.assessment, fresh.pk)
        fresh.status, fresh.decided_by = Nomination.APPROVED, actor
        fresh.save(update_fields=["status", "decided_by"])
        invite_if_open(cycle, [fresh])
    nomination.status, nomination.decided_by = fresh.status, fresh.decided_by
    return fresh


def nomination_decline(nomination: Nomination, *, actor: Any) -> Nomination:
    """The leader's manager (or an org admin) declines a rater who has not been invited."""
    with transaction.atomic():
        fresh, _ = _decide(nomination, actor)
        if fresh.group == "self":
            raise CycleError("The self-assessment cannot be declined; remove the leader instead.")
        if Invitation.objects.filter(nomination=fresh).exists():
            raise CycleError(f"{fresh.name} has already been invited; the invitation stands.")
        fresh.status, fresh.decided_by = Nomination.DECLINED, actor
        fresh.save(update_fields=["status", "decided_by"])
    nomination.status, nomination.decided_by = fresh.status, fresh.decided_by
    return fresh


def nomination_update(
    nomination: Nomination,
    *,
    actor: Any,
    group: str | None = None,
    email: str | None = None,
    name: str | None = None,
) -> Nomination:
    """Change a rater's group, address or name before they are invited. The manager and an
    admin may edit any rater; the leader only their own proposals still waiting."""
    with transaction.atomic():
        assessment, cycle = _lock(nomination.assessment)
        fresh = Nomination.objects.select_for_update().get(pk=nomination.pk)
        role = _check_editable(cycle, _role(assessment, actor), "edit raters")
        if role == "leader" and (fresh.status != Nomination.PROPOSED or fresh.group == "self"):
            raise CycleError("Once your manager has decided, only they or an admin can edit.")
        if Invitation.objects.filter(nomination=fresh).exists():
            raise CycleError(
                f"{fresh.name} has already been invited; correct the address from the "
                "cycle's progress page instead."
            )
        if group is not None and group != fresh.group:
            if fresh.group == "self":
                raise CycleError("The self-assessment stays in the group “self”.")
            _check_group(role, group, assessment, fresh.pk)
            fresh.group = group
        if email is not None and email.strip().lower() != fresh.email.lower():
            email = clean_email(email)
            if fresh.group != "self":
                check_new_email(assessment, email, exclude=fresh.pk)
            fresh.email = email
        if name is not None and name.strip():
            fresh.name = name.strip()
        fresh.save(update_fields=["group", "email", "name"])
    return fresh
