"""Invitations after the cycle opens: sending those not sent, reminders, corrected addresses.

Private to ``leadwell.cycles``; import the public names from ``leadwell.cycles.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from leadwell.cycles._common import (
    CycleError,
    check_admin,
    check_new_email,
    clean_email,
    enqueue,
    new_token,
)
from leadwell.cycles.models import Cycle, Invitation, Nomination

__all__ = ["ReminderResult", "invitation_correct_email", "invitations_send", "reminders_send"]


@dataclass(frozen=True)
class ReminderResult:
    reminded: int
    bounced: int  # not reminded: their address bounced; correct it first


def _check_open(cycle: Cycle, actor: Any, what: str) -> None:
    check_admin(cycle.organization_id, actor)
    if cycle.status != Cycle.OPEN:
        raise CycleError(
            f"“{cycle.name}” is {cycle.get_status_display().lower()}: {what} only while it is open."
        )


def invitations_send(cycle: Cycle, *, actor: Any = None) -> int:
    """Email every invitation not sent yet (after a failure, or created late); the count."""
    with transaction.atomic():
        _check_open(cycle, actor, "invitations go out")
        ids = list(
            Invitation.objects.filter(
                assessment__cycle=cycle, status=Invitation.PENDING, bounced=False
            ).values_list("pk", flat=True)
        )
        enqueue(ids, "invitation")
    return len(ids)


def reminders_send(cycle: Cycle, *, actor: Any) -> ReminderResult:
    """Remind every rater who has not submitted (with the same link as before); bounced
    addresses are left out until corrected."""
    with transaction.atomic():
        _check_open(cycle, actor, "reminders go out")
        waiting = Invitation.objects.filter(assessment__cycle=cycle).exclude(
            status=Invitation.SUBMITTED
        )
        bounced = waiting.filter(bounced=True).count()
        ids = list(waiting.filter(bounced=False).values_list("pk", flat=True))
        Invitation.objects.filter(pk__in=ids).update(
            reminders_sent=F("reminders_sent") + 1, last_reminded_at=timezone.now()
        )
        enqueue(ids, "reminder")
    return ReminderResult(reminded=len(ids), bounced=bounced)


def invitation_correct_email(invitation: Invitation, *, email: str, actor: Any) -> Invitation:
    """A rater's corrected address: the old link dies now and a new one is sent there."""
    with transaction.atomic():
        fresh = (
            Invitation.objects.select_for_update()
            .select_related("assessment__cycle", "assessment__leader")
            .get(pk=invitation.pk)
        )
        _check_open(fresh.assessment.cycle, actor, "invitations can be re-sent")
        if fresh.status == Invitation.SUBMITTED:
            raise CycleError(f"{fresh.name} has already answered; nothing to re-send.")
        email = clean_email(email)
        if fresh.nomination_id and email.lower() != fresh.email.lower():
            if fresh.group != "self":
                check_new_email(fresh.assessment, email, exclude=fresh.nomination_id)
            Nomination.objects.filter(pk=fresh.nomination_id).update(email=email)
        # The old link dies now; the resend derives a new one from a new salt.
        fresh.email, fresh.bounced, fresh.token_hash = email, False, new_token()[1]
        fresh.token_salt = ""
        fresh.save(update_fields=["email", "bounced", "token_hash", "token_salt"])
        enqueue([fresh.pk], "resend")
    invitation.email, invitation.bounced, invitation.token_hash = email, False, fresh.token_hash
    invitation.token_salt = ""
    return fresh
