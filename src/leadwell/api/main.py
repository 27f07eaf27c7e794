"""The REST API: one NinjaAPI with the routers of ``leadwell.api.routers``, mounted at /api/.

Every operation needs an API key (``leadwell.api.auth``), is rate-limited per key
(``leadwell.api.throttling``) and answers errors in one shape (``leadwell.api.errors``). The
OpenAPI 3 document is at /api/openapi.json, the interactive docs at /api/docs.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern
from ninja import NinjaAPI

from leadwell.api.auth import AUTH
from leadwell.api.docs import LocalSwagger
from leadwell.api.errors import guard, install_error_handlers
from leadwell.api.routers import ROUTERS
from leadwell.api.throttling import KeyRateThrottle

__all__ = ["NAMESPACE", "api", "api_urls"]

#: Nested in the api app's namespace, so "api:keys" (pages) and "api:v1:…" (API) differ.
NAMESPACE = "api:v1"

DESCRIPTION = """\
leadwell's REST API: people, cycles, assessments, nominations and reports of one organization.

Authenticate with an API key made by an org admin at [/api/keys/](/api/keys/):
`Authorization: Bearer <key>` (or `X-API-Key: <key>`). Every error has the body
`{"error": {"code", "message", "details"}}`. Lists take `limit` and `offset` and answer
`{"count", "next", "items"}`. The guide with examples is docs/api.md.
"""


class LeadwellAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        # "people_list" rather than ninja's "leadwell_api_routers_people_people_list": the
        # name a generated client gives the method.
        return str(operation.view_func.__name__)


api = LeadwellAPI(
    title="leadwell API",
    version="1",
    description=DESCRIPTION,
    urls_namespace=NAMESPACE,
    auth=AUTH,
    throttle=KeyRateThrottle(),
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
for _router in ROUTERS:
    api.add_router("", _router)


def api_urls() -> tuple[list[Any], str, str]:
    """``api.urls`` with each view wrapped by :func:`leadwell.api.errors.guard`."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = guard(pattern.callback)
    return patterns, app_name, namespace
