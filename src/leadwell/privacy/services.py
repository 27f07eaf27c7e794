"""Privacy operations: erasing a person, and deleting answers past the retention time.

Both write a :class:`~leadwell.privacy.models.PrivacyLog` row in the same transaction as the
deletions. See docs/privacy-operations.md for what each keeps and why.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from leadwell.cycles.models import (
    Assessment,
    Cycle,
    Draft,
    Invitation,
    Nomination,
    Response,
    ResponseComment,
)
from leadwell.development.models import Plan
from leadwell.orgs.models import LevelChange, Person
from leadwell.privacy._account import account_remove
from leadwell.privacy._derived import add_deleted, derived_delete
from leadwell.privacy.models import PrivacyLog
from leadwell.privacy.selectors import expired_cycles, retention_months

__all__ = [
    "PLACEHOLDER_DOMAIN",
    "PLACEHOLDER_NAME",
    "PrivacyError",
    "person_erase",
    "responses_purge_expired",
]

PLACEHOLDER_NAME = "Erased person"
# RFC 2606 reserves .invalid: nothing is ever delivered to an erased person's old rows.
PLACEHOLDER_DOMAIN = "erased.invalid"
COMMAND_LINE = "command line"


class PrivacyError(ValueError):
    """An erasure that cannot be done as asked; the message says why."""


def _actor_name(actor: Any) -> str:
    if actor is None:
        return COMMAND_LINE
    return str(actor.get_full_name() or actor.get_username())


def _check(person: Person, reason: str) -> None:
    if not reason:
        raise PrivacyError("Give a reason for the erasure (it is kept in the privacy log).")
    if person.email.endswith("@" + PLACEHOLDER_DOMAIN):
        raise PrivacyError("This person has already been erased.")
    folded = reason.casefold()
    if person.email.casefold() in folded or person.name.casefold() in folded:
        raise PrivacyError(
            "The reason names the person; the privacy log must not. Describe the request "
            "without their name or email (for example its ticket number)."
        )


def person_erase(*, person: Person, actor: Any, reason: str) -> PrivacyLog:
    """Remove a person's identity, account and linkable answers from their organization.

    Their submitted anonymous ratings of others cannot be told from anyone else's (a response
    has no link to its rater) and are kept. Assessments where they are the leader go whole.
    All in one transaction: a failure leaves everything as it was.
    """
    reason = reason.strip()
    _check(person, reason)
    counts: Counter[str] = Counter()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        org_id = person.organization_id
        email = f"erased-{secrets.token_hex(8)}@{PLACEHOLDER_DOMAIN}"
        nominations, invitations, led, cycle_ids = _traces(person)
        changed = _manager_answers_delete(person, invitations, counts)
        add_deleted(counts, Draft.objects.filter(invitation__in=invitations).delete())
        add_deleted(counts, Plan.objects.filter(organization_id=org_id, leader=person).delete())
        add_deleted(counts, led.delete())
        _rename(nominations, invitations, email, counts)
        add_deleted(counts, LevelChange.objects.filter(person=person).delete())
        account_remove(person, PLACEHOLDER_NAME, counts)
        derived_delete(counts, cycle_ids=cycle_ids, chart_assessment_ids=changed)
        Person.objects.filter(pk=person.pk).update(
            name=PLACEHOLDER_NAME, email=email, unit=None, level="", manager=None,
            user=None, is_active=False,
        )  # fmt: skip
        counts["orgs.person (anonymised)"] += 1
        return PrivacyLog.objects.create(
            organization_id=org_id,
            kind=PrivacyLog.ERASURE,
            actor=actor,
            actor_name=_actor_name(actor),
            counts=dict(sorted(counts.items())),
            reason=reason,
        )


def _traces(
    person: Person,
) -> tuple[QuerySet[Nomination], QuerySet[Invitation], QuerySet[Assessment], set[int]]:
    """Where the person was asked to rate (by person or by address: an import may have
    nominated them before they were a person), the assessments they lead, and the cycles
    of all of these."""
    org_id = person.organization_id
    nominations = Nomination.objects.filter(organization_id=org_id).filter(
        Q(person=person) | Q(email__iexact=person.email)
    )
    invitations = Invitation.objects.filter(organization_id=org_id).filter(
        Q(nomination__in=nominations) | Q(email__iexact=person.email)
    )
    led = Assessment.objects.filter(organization_id=org_id, leader=person)
    cycle_ids = (
        set(led.values_list("cycle_id", flat=True))
        | set(invitations.values_list("assessment__cycle_id", flat=True))
        | set(nominations.values_list("assessment__cycle_id", flat=True))
    )
    return nominations, invitations, led, cycle_ids


def _manager_answers_delete(
    person: Person, invitations: QuerySet[Invitation], counts: Counter[str]
) -> set[int]:
    """Delete the manager-group answers the person gave, and return their assessments.

    A leader has one manager rater (the nomination rules allow no second), so the manager
    group of an assessment where the person held the manager invitation is their answer.
    Where another manager invitation was submitted too the two cannot be told apart: both
    are kept, and the log counts the case.
    """
    mine = invitations.filter(group="manager", status=Invitation.SUBMITTED).exclude(
        assessment__leader=person
    )
    changed: set[int] = set()
    for assessment_id in set(mine.values_list("assessment_id", flat=True)):
        others = Invitation.objects.filter(
            assessment_id=assessment_id, group="manager", status=Invitation.SUBMITTED
        ).exclude(pk__in=mine.values("pk"))
        if others.exists():
            counts["manager answers kept: not told apart"] += 1
            continue
        answers = Response.objects.filter(assessment_id=assessment_id, group="manager")
        add_deleted(counts, answers.delete())
        changed.add(assessment_id)
    return changed


def _rename(
    nominations: QuerySet[Nomination],
    invitations: QuerySet[Invitation],
    email: str,
    counts: Counter[str],
) -> None:
    """Put the placeholder where the person was asked to rate; their link stops working."""
    for invitation in invitations.only("pk"):
        Invitation.objects.filter(pk=invitation.pk).update(
            name=PLACEHOLDER_NAME,
            email=email,
            token_hash=secrets.token_hex(32),  # a hash no token gives: the link is dead
            token_salt="",
        )
        counts["cycles.invitation (anonymised)"] += 1
    renamed = Nomination.objects.filter(pk__in=list(nominations.values_list("pk", flat=True)))
    counts["cycles.nomination (anonymised)"] += renamed.update(
        name=PLACEHOLDER_NAME, email=email, person=None
    )


def responses_purge_expired(*, now: datetime | None = None) -> list[PrivacyLog]:
    """Delete the answers (responses, their comments, drafts) of cycles closed more than
    ``LEADWELL_RETENTION_MONTHS`` months ago, and what was computed from them.

    The cycles, assessments, invitations and the report log stay. One transaction and one
    log row per cycle, so a purge stopped midway leaves whole cycles done and logged.
    Returns the log rows written (none when the setting is not set: keep forever).
    """
    months = retention_months()
    logs = []
    for cycle in expired_cycles(now=now):
        logs.append(_cycle_purge(cycle, months))
    return logs


def _cycle_purge(cycle: Cycle, months: int | None) -> PrivacyLog:
    counts: Counter[str] = Counter()
    with transaction.atomic():
        add_deleted(
            counts, ResponseComment.objects.filter(response__assessment__cycle=cycle).delete()
        )
        add_deleted(counts, Draft.objects.filter(invitation__assessment__cycle=cycle).delete())
        add_deleted(counts, Response.objects.filter(assessment__cycle=cycle).delete())
        charts = Assessment.objects.filter(cycle=cycle).values_list("pk", flat=True)
        derived_delete(counts, cycle_ids=[cycle.pk], chart_assessment_ids=list(charts))
        closed = f"{cycle.closed_at:%Y-%m-%d}" if cycle.closed_at else "unknown"
        return PrivacyLog.objects.create(
            organization_id=cycle.organization_id,
            kind=PrivacyLog.RETENTION,
            cycle=cycle,
            actor=None,
            actor_name="retention",
            counts=dict(sorted(counts.items())),
            reason=f"closed {closed}; answers are kept {months} months",
        )
