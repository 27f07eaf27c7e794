"""Lists of the API: ``?limit=&offset=``, answered as ``{"count", "next", "items"}``.

``next`` is the full URL of the following page (the same query with a larger offset), or null
on the last page, so a client can follow it without building URLs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_OFFSET", "Page"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 2**62


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return."
        )
        # Bounded: the databases take a 64-bit OFFSET and fail on a larger one.
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")

    class Output(Schema):
        count: int = Field(description="How many items the whole list has.")
        next: str | None = Field(description="URL of the next page; null on the last page.")
        items: list[Any]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        count = self._items_count(queryset)
        following = None
        if offset + limit < count:
            query = request.GET.copy()
            query["offset"], query["limit"] = str(offset + limit), str(limit)
            following = (
                request.build_absolute_uri(request.path)
                + "?"
                + urlencode(sorted(query.lists()), doseq=True)
            )
        return {"count": count, "next": following, "items": queryset[offset : offset + limit]}
