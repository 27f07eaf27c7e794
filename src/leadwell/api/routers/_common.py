"""What the routers share: the answers each operation documents, and lookups in the key's
organization (another organization's object is a 404, exactly like a missing one)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404, HttpRequest

from leadwell.api.auth import organization
from leadwell.api.errors import ErrorOut
from leadwell.orgs.access import org_object_or_404

__all__ = ["MAX_ID", "answers", "in_org"]

_M = TypeVar("_M", bound=models.Model)
#: Every operation may answer these: a malformed request, no or a bad key, a parameter or
#: body that does not validate, too many requests.
_ALWAYS = (400, 401, 422, 429)
#: The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def answers(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """The ``response=`` of an operation: its success schemas, and the error shape for 400,
    401, 429 and each of ``errors`` (so the OpenAPI document lists every status it gives)."""
    return {**ok, **dict.fromkeys(sorted({*_ALWAYS, *errors}), ErrorOut)}


def in_org(model: type[_M] | models.QuerySet[_M], request: HttpRequest, pk: int) -> _M:
    """The object ``pk`` of the calling key's organization, or Http404."""
    if not 0 < pk <= MAX_ID:  # the database would refuse to even look for it
        raise Http404("No such object.")
    return org_object_or_404(model, organization(request), pk=pk)
