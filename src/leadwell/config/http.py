"""Small helpers for responses that several apps' views share."""

from __future__ import annotations

from django.http import HttpResponse

__all__ = ["private"]


def private(response: HttpResponse) -> HttpResponse:
    """Mark a page that holds people's data as never to be cached or shared by a proxy."""
    response["Cache-Control"] = "private, no-store"
    return response
