"""One-time sign-in links for leaders and coaches.

A link carries a random token (``secrets.token_urlsafe(32)``, 256 bits); the database keeps only
its SHA-256, so a copy of the database signs nobody in. A link works once, for 15 minutes.
Org admins (and staff) sign in with their password only: a link by email is weaker than a
password, and their accounts can do the most.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leadwell.accounts.models import SignInLink
from leadwell.orgs.models import Role

__all__ = [
    "LINK_LIFETIME",
    "MAX_OPEN_LINKS",
    "SignInLinkError",
    "link_users",
    "sign_in_link_check",
    "sign_in_link_create",
    "sign_in_link_send",
    "sign_in_link_use",
    "token_hash",
]

logger = logging.getLogger(__name__)
LINK_LIFETIME = timedelta(minutes=15)
MAX_OPEN_LINKS = 3  # unused, unexpired links per user: asking again sends nothing more


class SignInLinkError(ValueError):
    """The link cannot sign anyone in (unknown, used or expired)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_users(email: str) -> QuerySet[Any]:
    """Active users with a leader or coach role (and no admin role) whose address is ``email``.

    The address is the account's, or that of the person record linked to the account.
    """
    user_model = get_user_model()
    email = email.strip()
    return (
        user_model.objects.filter(Q(email__iexact=email) | Q(person__email__iexact=email))
        .filter(is_active=True, is_staff=False, is_superuser=False)
        .filter(roles__role__in=[Role.LEADER, Role.COACH])
        .exclude(roles__role=Role.ADMIN)
        .distinct()
    )


def sign_in_link_create(*, user: Any) -> str:
    """A new link's token for ``user`` (the caller sends it; only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        SignInLink.objects.filter(user=user, expires_at__lte=now).delete()
        SignInLink.objects.create(
            user=user, token_hash=token_hash(token), expires_at=now + LINK_LIFETIME
        )
    return token


def sign_in_link_send(*, email: str, base_url: str | None = None) -> bool:
    """Email a sign-in link to the leader or coach with this address; whether one was sent.

    The link starts with ``base_url`` (default: the SITE_URL setting, never the request's Host
    header, which a visitor could choose).

    Sends nothing (and says so only to the caller, never to the visitor) when no such user
    exists or when they already have ``MAX_OPEN_LINKS`` unused links waiting.
    """
    sent = False
    now = timezone.now()
    for user in link_users(email):
        waiting = SignInLink.objects.filter(user=user, used_at=None, expires_at__gt=now).count()
        if waiting >= MAX_OPEN_LINKS:
            logger.info("sign-in link for user %s not sent: %d waiting", user.pk, waiting)
            continue
        token = sign_in_link_create(user=user)
        url = (base_url or settings.SITE_URL).rstrip("/") + reverse(
            "accounts:link_use", args=[token]
        )
        context = {"user": user, "url": url, "minutes": int(LINK_LIFETIME.total_seconds() // 60)}
        send_mail(
            subject="Your leadwell sign-in link",
            message=render_to_string("accounts/link_email.txt", context),
            from_email=None,
            recipient_list=[_address(user, email)],
        )
        sent = True
    return sent


def _address(user: Any, email: str) -> str:
    """The stored address the visitor typed (the account's, or its person record's)."""
    if user.email and user.email.lower() == email.strip().lower():
        return str(user.email)
    return str(user.person.email)


def _usable(token: str) -> QuerySet[SignInLink]:
    return SignInLink.objects.filter(
        token_hash=token_hash(token),
        used_at=None,
        expires_at__gt=timezone.now(),
        user__is_active=True,
    )


def sign_in_link_check(*, token: str) -> bool:
    """Whether the link would sign someone in now (it is not used up by asking)."""
    return bool(_usable(token).exists())


def sign_in_link_use(*, token: str) -> Any:
    """Use up the link and return its user; SignInLinkError when it is unknown, used or expired.

    Marking it used is one conditional UPDATE, so two clicks at the same moment sign in once.
    The user's other waiting links are used up too.
    """
    now = timezone.now()
    with transaction.atomic():
        link = _usable(token).select_related("user").first()
        if link is None or not _usable(token).filter(pk=link.pk).update(used_at=now):
            raise SignInLinkError(
                "This sign-in link has expired or was already used. Ask for a new one."
            )
        SignInLink.objects.filter(user=link.user, used_at=None).update(used_at=now)
    return link.user
