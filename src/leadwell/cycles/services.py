"""Writes for cycles: the lifecycle, assessments, nominations, invitations and reminders.

The public face of the app's writes (nominations and the invitations after opening live in the
private modules ``_nominations`` and ``_invitations`` and are re-exported here). Every function
is ``<entity>_<action>``, keyword-only after its subject, runs in one transaction, checks
before it saves and raises :class:`CycleError` with a message a person can act on. Emails leave
through background tasks (``leadwell.cycles.tasks``), enqueued once the transaction commits.

Tokens: a raw token exists only in the task that emails it. An invitation is created with the
hash of a token nobody keeps (a dead placeholder), and each email (invitation, reminder,
re-send) issues a fresh token and stores its SHA-256, so the previous link dies. A reminder
therefore carries a new link and says that it replaces the earlier one; the rater's draft
belongs to the invitation, so nothing answered is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leadwell.cycles import selectors
from leadwell.cycles._common import (
    CycleError,
    check_admin,
    enqueue,
    hash_token,
    invitations_create,
    link_token,
    new_salt,
    new_token,
)
from leadwell.cycles._invitations import (
    ReminderResult,
    invitation_correct_email,
    invitations_send,
    reminders_send,
)
from leadwell.cycles._nominations import (
    Suggestion,
    nomination_approve,
    nomination_decline,
    nomination_propose,
    nomination_suggestions,
    nomination_update,
)
from leadwell.cycles.models import Assessment, Cycle, Draft, Nomination
from leadwell.instrument import RELEASED, InstrumentError, load_instrument
from leadwell.orgs.models import Organization, Person

__all__ = [
    "ANONYMOUS_GROUPS",
    "CycleError",
    "OpenResult",
    "ReminderResult",
    "Suggestion",
    "assessment_remove",
    "assessments_add",
    "cycle_close",
    "cycle_create",
    "cycle_open",
    "cycle_release",
    "cycle_start_nominating",
    "hash_token",
    "invitation_correct_email",
    "invitations_send",
    "link_token",
    "new_salt",
    "new_token",
    "nomination_approve",
    "nomination_decline",
    "nomination_propose",
    "nomination_suggestions",
    "nomination_update",
    "reminders_send",
]

ANONYMOUS_GROUPS = selectors.ANONYMOUS_GROUPS
_NEXT = {
    Cycle.DRAFT: (Cycle.NOMINATING, Cycle.OPEN),
    Cycle.NOMINATING: (Cycle.OPEN,),
    Cycle.OPEN: (Cycle.CLOSED,),
    Cycle.CLOSED: (Cycle.RELEASED,),
    Cycle.RELEASED: (),
}
_VERBS = {
    Cycle.NOMINATING: "start nominating",
    Cycle.OPEN: "open",
    Cycle.CLOSED: "close",
    Cycle.RELEASED: "release its reports",
}


@dataclass(frozen=True)
class OpenResult:
    """What opening did: invitations created, assessments opened short of raters (override),
    and proposed raters nobody decided on (they get no invitation)."""

    invitations: int
    short: tuple[selectors.ShortAssessment, ...]
    undecided: int


# --- cycles ------------------------------------------------------------------------------


def cycle_create(
    org: Organization,
    *,
    name: str,
    instrument_version: str = "1",
    min_anonymous: int | None = None,
    max_raters: int | None = None,
    deadline: date | None = None,
    actor: Any = None,
) -> Cycle:
    """A new draft cycle; its instrument version is fixed from now on."""
    min_anonymous = settings.LEADWELL_MIN_ANONYMOUS if min_anonymous is None else min_anonymous
    max_raters = settings.LEADWELL_MAX_RATERS if max_raters is None else max_raters
    name = name.strip()
    if not name:
        raise CycleError("Give the cycle a name, such as “Spring 2026”.")
    if instrument_version not in RELEASED:
        known = ", ".join(sorted(RELEASED))
        raise CycleError(f"Unknown instrument version “{instrument_version}”; use one of {known}.")
    try:
        load_instrument(instrument_version)
    except InstrumentError as error:
        raise CycleError(
            f"Instrument version {instrument_version} cannot be used: {error}"
        ) from None
    if min_anonymous < 2:
        raise CycleError("The anonymity threshold must be at least 2 raters (3 is the default).")
    if max_raters < min_anonymous + 1:
        raise CycleError(
            f"Allow at least {min_anonymous + 1} raters per leader: the manager and "
            f"{min_anonymous} anonymous raters."
        )
    if deadline is not None and deadline < timezone.localdate():
        raise CycleError("The deadline is in the past; pick a later date or leave it empty.")
    with transaction.atomic():
        check_admin(org.pk, actor)
        return Cycle.objects.create(
            organization=org,
            name=name,
            instrument_version=instrument_version,
            min_anonymous=min_anonymous,
            max_raters=max_raters,
            deadline=deadline,
        )


def _advance(cycle: Cycle, target: str, actor: Any) -> Cycle:
    """Lock the cycle row and check that ``target`` is a legal next status."""
    check_admin(cycle.organization_id, actor)
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if target not in _NEXT[locked.status]:
        allowed = " or ".join(_VERBS[s] for s in _NEXT[locked.status]) or "nothing more"
        raise CycleError(
            f"“{locked.name}” is {locked.get_status_display().lower()}, so you cannot "
            f"{_VERBS[target]} now. From here you can {allowed}."
        )
    return locked


def _finish(cycle: Cycle, locked: Cycle, target: str, stamp: str | None) -> Cycle:
    locked.status = target
    fields = ["status"]
    if stamp:
        setattr(locked, stamp, timezone.now())
        fields.append(stamp)
    locked.save(update_fields=fields)
    for field in ("status", "opened_at", "closed_at", "released_at"):
        setattr(cycle, field, getattr(locked, field))
    return cycle


def cycle_start_nominating(cycle: Cycle, *, actor: Any = None) -> Cycle:
    """Draft → nominating: leaders may now propose their raters."""
    with transaction.atomic():
        locked = _advance(cycle, Cycle.NOMINATING, actor)
        if not locked.assessments.exists():
            raise CycleError("Add at least one leader before starting nominations.")
        return _finish(cycle, locked, Cycle.NOMINATING, None)


def cycle_open(cycle: Cycle, *, override: bool = False, actor: Any) -> OpenResult:
    """Draft or nominating → open: invite every approved rater and email them their links.

    Refused while an assessment has fewer than ``min_anonymous`` approved anonymous raters
    (peer, direct, other), unless ``override``; the result then lists those assessments.
    """
    with transaction.atomic():
        locked = _advance(cycle, Cycle.OPEN, actor)
        if not locked.assessments.exists():
            raise CycleError("Add at least one leader before opening the cycle.")
        short = tuple(selectors.assessments_short_of_raters(locked))
        if short and not override:
            names = "; ".join(f"{s.leader_name} ({s.approved_anonymous})" for s in short)
            raise CycleError(
                f"{len(short)} of the leaders have fewer than {locked.min_anonymous} approved "
                f"anonymous raters (peers, direct reports, others): {names}. Approve more "
                "raters, or open anyway with the override; their anonymous results will then "
                "be folded or withheld in the report."
            )
        approved = Nomination.objects.filter(
            assessment__cycle=locked, status=Nomination.APPROVED, invitation__isnull=True
        )
        created = invitations_create(approved)
        undecided = Nomination.objects.filter(
            assessment__cycle=locked, status=Nomination.PROPOSED
        ).count()
        _finish(cycle, locked, Cycle.OPEN, "opened_at")
        enqueue([i.pk for i in created], "invitation")
    return OpenResult(invitations=len(created), short=short, undecided=undecided)


def cycle_close(cycle: Cycle, *, actor: Any = None) -> Cycle:
    """Open → closed: every rater's link stops working (the survey checks the status), the
    drafts of raters who never submitted are deleted (they will never count, and they are the
    only answers still linked to a rater), and the responses are rewritten in a random order,
    so that their storage order no longer follows the order in which they arrived."""
    from leadwell.survey.services import response_shuffle

    with transaction.atomic():
        locked = _advance(cycle, Cycle.CLOSED, actor)
        _finish(cycle, locked, Cycle.CLOSED, "closed_at")
        Draft.objects.filter(invitation__assessment__cycle=locked).delete()
        response_shuffle(cycle=locked)
    return cycle


def cycle_release(cycle: Cycle, *, actor: Any = None) -> Cycle:
    """Closed → released: the reports become visible to leaders and their coaches."""
    with transaction.atomic():
        locked = _advance(cycle, Cycle.RELEASED, actor)
        return _finish(cycle, locked, Cycle.RELEASED, "released_at")


# --- assessments -------------------------------------------------------------------------


def assessments_add(
    cycle: Cycle, *, leaders: Iterable[Person], actor: Any = None
) -> list[Assessment]:
    """One assessment per new leader, with their self nomination and their manager approved.

    Leaders already in the cycle are skipped; returns the assessments created.
    """
    ids = {leader.pk for leader in leaders}
    with transaction.atomic():
        check_admin(cycle.organization_id, actor)
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status not in (Cycle.DRAFT, Cycle.NOMINATING):
            raise CycleError(
                f"“{locked.name}” is {locked.get_status_display().lower()}; leaders can be "
                "added only before it opens. Create a new cycle for them."
            )
        people = list(
            Person.objects.filter(pk__in=ids, organization_id=locked.organization_id)
            .select_related("manager")
            .order_by("name")
        )
        inactive = [p.name for p in people if not p.is_active]
        if len(people) != len(ids) or inactive:
            detail = f": {', '.join(inactive)}" if inactive else ""
            raise CycleError(f"Pick active people of this organization only{detail}.")
        existing = set(locked.assessments.values_list("leader_id", flat=True))
        people = [p for p in people if p.pk not in existing]
        created = Assessment.objects.bulk_create(
            Assessment(organization_id=locked.organization_id, cycle=locked, leader=p)
            for p in people
        )
        Nomination.objects.bulk_create(
            nomination for a in created for nomination in _default_nominations(a, actor)
        )
    return created


def _default_nominations(assessment: Assessment, actor: Any) -> list[Nomination]:
    leader = assessment.leader
    common = {
        "organization_id": assessment.organization_id,
        "assessment": assessment,
        "status": Nomination.APPROVED,
        "proposed_by": actor,
        "decided_by": actor,
    }
    made = [Nomination(person=leader, name=leader.name, email=leader.email, group="self", **common)]
    manager = leader.manager
    if manager and manager.is_active and manager.email.lower() != leader.email.lower():
        made.append(
            Nomination(
                person=manager, name=manager.name, email=manager.email, group="manager", **common
            )
        )
    return made


def assessment_remove(assessment: Assessment, *, actor: Any = None) -> None:
    """Take a leader out of a cycle that has not opened (their nominations go too)."""
    with transaction.atomic():
        check_admin(assessment.organization_id, actor)
        cycle = Cycle.objects.select_for_update().get(pk=assessment.cycle_id)
        if cycle.status not in (Cycle.DRAFT, Cycle.NOMINATING):
            raise CycleError("A leader can be taken out only before the cycle opens.")
        assessment.delete()
