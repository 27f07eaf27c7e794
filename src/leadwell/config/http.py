"""Small helpers for responses that several apps' views share."""

from __future__ import annotations

from django.http import HttpResponse

__all__ = ["private", "row_id"]


def private(response: HttpResponse) -> HttpResponse:
    """Mark a page that holds people's data as never to be cached or shared by a proxy."""
    response["Cache-Control"] = "private, no-store"
    return response


def row_id(text: object) -> int | None:
    """``text`` (a form or query value) as a row id, or None when it is not one: ASCII digits
    only ("²".isdigit() is true and int() refuses it) and at most 18 of them (a bigint)."""
    value = str(text if text is not None else "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None
