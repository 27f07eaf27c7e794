"""Background tasks (django-tasks) that email raters their links.

The raw token is made here, stored only as its hash, and put only in the email: a task's
arguments are kept in the task queue's table, so they carry the invitation's id, never a token.

One task per email: the token is rotated, then the email is sent; if sending fails the old
token is put back (a reminder that failed leaves the earlier link working) and an address the
mail server refused is marked ``bounced``.
"""

from __future__ import annotations

import smtplib

from django.utils import timezone
from django_tasks import task

from leadwell.cycles._common import hash_token, link_token, new_salt
from leadwell.cycles.emails import KINDS, invitation_message
from leadwell.cycles.models import Cycle, Invitation

__all__ = ["send_invitation_email"]


@task()
def send_invitation_email(invitation_id: int, kind: str) -> str:
    """Email one rater a fresh link; returns what happened ("sent", "bounced", "skipped: ...").

    ``kind`` is "invitation" (only while not sent yet, so a repeated task sends nothing),
    "reminder" or "resend" (after an address was corrected).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    invitation = (
        Invitation.objects.select_related("organization", "assessment__cycle", "assessment__leader")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return "skipped: no such invitation"
    if invitation.assessment.cycle.status != Cycle.OPEN:
        return "skipped: the cycle is not open"
    if invitation.status == Invitation.SUBMITTED:
        return "skipped: already submitted"
    if kind == "invitation" and invitation.status != Invitation.PENDING:
        return "skipped: already sent"
    before = {
        "token_hash": invitation.token_hash,
        "token_salt": invitation.token_salt,
        "status": invitation.status,
        "sent_at": invitation.sent_at,
    }
    salt = invitation.token_salt
    token = link_token(invitation.pk, salt) if salt else ""
    if kind != "reminder" or not token or hash_token(token) != invitation.token_hash:
        # A first invitation, a resend to a corrected address, or a link from another key:
        # a new salt, so a new link (and the old one, if any, dies).
        salt = new_salt()
        token = link_token(invitation.pk, salt)
    token_hash = hash_token(token)
    after = {"token_hash": token_hash, "token_salt": salt}
    if invitation.status == Invitation.PENDING:
        after |= {"status": Invitation.SENT, "sent_at": timezone.now()}
    # Claim the row only if nobody changed it meanwhile (a second task, a submission).
    claimed = Invitation.objects.filter(
        pk=invitation.pk, token_hash=before["token_hash"], status=before["status"]
    ).update(**after)
    if not claimed:
        return "skipped: the invitation changed meanwhile"
    try:
        invitation_message(invitation, token=token, kind=kind).send()
    except Exception as error:
        refused = isinstance(error, smtplib.SMTPRecipientsRefused)
        Invitation.objects.filter(pk=invitation.pk, token_hash=token_hash).update(
            **before, **({"bounced": True} if refused else {})
        )
        if refused:
            return "bounced"
        raise
    return "sent"
