"""Reads of the api app: the key a request presents, and an organization's keys."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from leadwell.api.models import ApiKey
from leadwell.api.services import KEY_PREFIX, hash_key
from leadwell.orgs.models import Organization, Person, Role

__all__ = ["MAX_KEY_LENGTH", "api_key_for", "api_keys_for_org", "people_filtered"]

# A real key is 46 characters; anything much longer is not one and is not worth hashing.
MAX_KEY_LENGTH = 200


def api_key_for(clear: str) -> ApiKey | None:
    """The usable key whose clear text is ``clear``, with its organization and creator.

    Usable: not revoked, and made by someone who is still an active org admin of the key's
    organization (or a superuser). One query.
    """
    clear = clear.strip()
    if not clear.startswith(KEY_PREFIX) or len(clear) > MAX_KEY_LENGTH:
        return None
    admin_role = Role.objects.filter(
        organization_id=OuterRef("organization_id"),
        user_id=OuterRef("created_by_id"),
        role=Role.ADMIN,
    )
    return (
        ApiKey.objects.select_related("organization", "created_by")
        .filter(key_hash=hash_key(clear), revoked_at__isnull=True, created_by__is_active=True)
        .filter(Q(Exists(admin_role)) | Q(created_by__is_superuser=True))
        .first()
    )


def api_keys_for_org(org: Organization) -> QuerySet[ApiKey]:
    """The organization's keys, newest first, revoked ones included (for the record)."""
    return ApiKey.objects.filter(organization=org).select_related("created_by", "revoked_by")


def people_filtered(
    org: Organization,
    *,
    email: str | None = None,
    unit: str | None = None,
    level: str | None = None,
    q: str | None = None,
    active: bool | None = None,
) -> QuerySet[Person]:
    """The organization's people by name, narrowed by each filter given.

    ``email`` and ``unit`` (a unit's name) match whole values without regard to case,
    ``level`` exactly; ``q`` finds each of its words in the name or the email.
    """
    people = Person.objects.filter(organization=org).select_related("unit", "manager")
    if email:
        people = people.filter(email__iexact=email.strip())
    if unit:
        people = people.filter(unit__name__iexact=unit.strip())
    if level is not None:
        people = people.filter(level=level.strip())
    for word in (q or "").split():
        people = people.filter(Q(name__icontains=word) | Q(email__icontains=word))
    if active is not None:
        people = people.filter(is_active=active)
    return people.order_by("name", "id")
