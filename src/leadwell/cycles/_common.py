"""What the cycles services share: the error, tokens, permission checks, invitations.

Private to ``leadwell.cycles``; import the public names from ``leadwell.cycles.services``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import salted_hmac

from leadwell.cycles import selectors
from leadwell.cycles.models import Assessment, Cycle, Invitation, Nomination

__all__ = [
    "CycleError",
    "check_admin",
    "check_new_email",
    "clean_email",
    "enqueue",
    "hash_token",
    "invitations_create",
    "invite_if_open",
    "new_token",
]


class CycleError(ValueError):
    """A cycle action that cannot be done, with the reason and what to do instead."""


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a raw token is stored (and looked up)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh raw token (256 bits from ``secrets``) and its hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def link_token(invitation_id: int, salt: str) -> str:
    """The token of an invitation's link: HMAC-SHA256 of its id and salt under SECRET_KEY.

    The same salt always gives the same link (so a reminder can resend it although only its
    hash is stored); a new salt gives a new link and kills the old one. Someone holding a copy
    of the database (salts and hashes) still cannot make a link without the secret key.
    """
    digest = salted_hmac(
        "leadwell.invitation-link", f"{invitation_id}:{salt}", algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_salt() -> str:
    return secrets.token_hex(16)


def check_admin(org_id: int, actor: Any) -> None:
    """None is the system (demo, command line); a person must be an org admin."""
    if actor is not None and not selectors.is_org_admin(org_id, actor):
        raise CycleError("Only an org admin of this organization can do this.")


def clean_email(email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise CycleError(f"“{email}” is not an email address; check it for typos.") from None
    return email


def check_new_email(assessment: Assessment, email: str, *, exclude: int | None = None) -> None:
    if email.lower() == assessment.leader.email.lower():
        raise CycleError(
            f"{email} is {assessment.leader.name}'s own address: a leader answers about "
            "themself in the self-assessment, which is already set up."
        )
    clash = assessment.nominations.filter(email__iexact=email).exclude(pk=exclude).first()
    if clash:
        raise CycleError(
            f"{clash.name} ({email}) is already nominated for {assessment.leader.name} "
            f"({clash.get_status_display().lower()})."
        )


def invitations_create(nominations: Iterable[Nomination]) -> list[Invitation]:
    """Invitations whose token is a dead placeholder until the email task issues a real one."""
    return Invitation.objects.bulk_create(
        Invitation(
            organization_id=n.organization_id,
            assessment_id=n.assessment_id,
            nomination=n,
            group=n.group,
            name=n.name,
            email=n.email,
            token_hash=new_token()[1],
        )
        for n in nominations
    )


def invite_if_open(cycle: Cycle, nominations: Sequence[Nomination]) -> None:
    if cycle.status == Cycle.OPEN:
        enqueue([i.pk for i in invitations_create(nominations)], "invitation")


def enqueue(ids: Sequence[int], kind: str) -> None:
    """Send emails once the transaction has committed, so a worker sees the rows."""
    from leadwell.cycles import tasks

    for pk in ids:
        transaction.on_commit(partial(tasks.send_invitation_email.enqueue, pk, kind))
