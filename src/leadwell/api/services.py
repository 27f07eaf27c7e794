"""Writes of the api app: making, revoking and touching API keys.

Only org admins make and revoke keys. The clear key exists only in the return value of
:func:`api_key_create`; what is stored is its SHA-256 (see :func:`hash_key`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from leadwell.api.models import ApiKey
from leadwell.cycles.selectors import is_org_admin
from leadwell.orgs.models import Organization

__all__ = [
    "KEY_PREFIX",
    "ApiKeyError",
    "api_key_create",
    "api_key_revoke",
    "api_key_touch",
    "hash_key",
]

KEY_PREFIX = "lw_"
PREFIX_LENGTH = 8
# last_used_at is a hint for admins ("is this key still used?"), not an audit trail: writing
# it at most once a minute keeps a busy key from turning every read into a write.
TOUCH_EVERY = timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A key action that cannot be done, with the reason."""


def hash_key(key: str) -> str:
    """The SHA-256 hex digest under which a key is stored and looked up."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _check_admin(organization: Organization, actor: Any) -> None:
    if not is_org_admin(organization.pk, actor):
        raise ApiKeyError(f"Only an org admin of {organization.name} can manage API keys.")


def api_key_create(*, organization: Organization, name: str, actor: Any) -> tuple[ApiKey, str]:
    """A new key for ``organization``: the stored key and the clear key, to show once.

    The key is ``lw_`` and 256 random bits from :mod:`secrets` (43 URL-safe characters).
    """
    name = name.strip()
    if not name:
        raise ApiKeyError("Give the key a name that says what uses it, such as “HR sync”.")
    if len(name) > 100:
        raise ApiKeyError("Keep the name to 100 characters.")
    clear = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        _check_admin(organization, actor)
        key = ApiKey.objects.create(
            organization=organization,
            name=name,
            prefix=clear[:PREFIX_LENGTH],
            key_hash=hash_key(clear),
            created_by=actor,
        )
    return key, clear


def api_key_revoke(*, key: ApiKey, actor: Any) -> ApiKey:
    """Revoke ``key`` at once: the next request made with it is refused (401)."""
    with transaction.atomic():
        _check_admin(key.organization, actor)
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            raise ApiKeyError(f"The key “{locked.name}” is already revoked.")
        locked.revoked_at, locked.revoked_by = timezone.now(), actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
    key.revoked_at, key.revoked_by = locked.revoked_at, locked.revoked_by
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record that ``key`` was just used, unless that was recorded less than a minute ago.

    One conditional UPDATE, so concurrent requests of the same key write at most once.
    """
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_EVERY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ApiKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
