"""Who is calling: the API key in ``Authorization: Bearer <key>`` or in ``X-API-Key``.

A request with a usable key gets ``request.auth`` = the :class:`~leadwell.api.models.ApiKey`
(its organization and creator loaded). The key acts as its creator: every service is called
with ``actor=key.created_by``, so the API can do exactly what that org admin can, in their
organization only. A key sent but unusable answers 401 at once, whichever header carried it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from leadwell.api import selectors, services
from leadwell.api.errors import KeyRefused
from leadwell.api.models import ApiKey
from leadwell.orgs.models import Organization

__all__ = ["AUTH", "BearerKey", "HeaderKey", "actor", "organization"]


def _authenticate(clear: str) -> ApiKey:
    key = selectors.api_key_for(clear)
    if key is None:
        raise KeyRefused()
    services.api_key_touch(key=key)
    return key


class BearerKey(HttpBearer):
    """``Authorization: Bearer lw_…``"""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return _authenticate(token)


class HeaderKey(APIKeyHeader):
    """``X-API-Key: lw_…``, for clients that cannot set the Authorization header."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _authenticate(key) if key else None


AUTH = [BearerKey(), HeaderKey()]


def organization(request: HttpRequest) -> Organization:
    """The one organization the calling key may see."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    return key.organization


def actor(request: HttpRequest) -> Any:
    """The user the services see as acting: the org admin who made the key."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    return key.created_by
