"""Who may see what: the signed-in user's organization and the checks every view makes.

A user belongs to an organization through a :class:`~leadwell.orgs.models.Role`. leadwell
assumes one organization per user (a person who works for two organizations gets two
accounts); when a user does hold roles in several, the oldest role wins, consistently.
Superusers get no organization from being superusers: they use the Django admin.

Every view that takes an object id looks it up with :func:`org_object_or_404`, so another
organization's object answers 404 exactly like a missing one (no hint that it exists).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from leadwell.orgs.models import Organization, Role

__all__ = ["current_org", "has_role", "org_object_or_404", "require_role"]

_M = TypeVar("_M", bound=models.Model)
_CACHE = "_leadwell_roles"


def _roles(request: HttpRequest) -> list[tuple[str, Organization]]:
    """The user's (role, organization) pairs, oldest first, read once per request."""
    cached: list[tuple[str, Organization]] | None = getattr(request, _CACHE, None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    roles: list[tuple[str, Organization]] = []
    if user is not None and user.is_authenticated and user.is_active:
        roles = [
            (role.role, role.organization)
            for role in Role.objects.filter(user=user).select_related("organization").order_by("id")
        ]
    setattr(request, _CACHE, roles)
    return roles


def current_org(request: HttpRequest) -> Organization | None:
    """The organization in which the signed-in user has a role, or None (anonymous, no role)."""
    roles = _roles(request)
    return roles[0][1] if roles else None


def has_role(request: HttpRequest, *roles: str) -> bool:
    """Whether the user holds one of ``roles`` (any role when none given) in their organization."""
    org = current_org(request)
    return org is not None and any(
        o.pk == org.pk and (not roles or r in roles) for r, o in _roles(request)
    )


def require_role(request: HttpRequest, *roles: str) -> Organization:
    """The user's organization if they hold one of ``roles`` in it (any role when none given).

    Raises Http404 otherwise, so a page another role may not see looks like a missing page.
    Views put ``login_required`` first, so anonymous users are sent to sign in instead.
    """
    org = current_org(request)
    if org is None or not has_role(request, *roles):
        raise Http404("No such page.")
    return org


def org_object_or_404(
    model: type[_M] | models.QuerySet[_M], org: Organization, **lookup: Any
) -> _M:
    """``get_object_or_404`` within one organization: another organization's object is a 404.

    ``model`` is a model with an ``organization`` field, or a queryset of one (for
    ``select_related`` and the like).
    """
    queryset = model if isinstance(model, models.QuerySet) else model._default_manager.all()
    found: _M = get_object_or_404(queryset, organization=org, **lookup)
    return found
