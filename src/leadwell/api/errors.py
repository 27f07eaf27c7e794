"""The API's one error shape, and the one place where exceptions become error responses.

Every error answer of the API has the body ``{"error": {"code", "message", "details"}}``:
``code`` is a stable word a program can branch on, ``message`` a sentence a person can act on
(the services' own refusal messages pass through unchanged), ``details`` more structure where
there is some (the bad fields, the bad rows), else null. No stack trace ever reaches a client;
a 500 is logged with its trace on the server.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from leadwell.api.throttling import describe_rate
from leadwell.config.http import private
from leadwell.cycles.services import CycleError
from leadwell.exports.tables import ExportError
from leadwell.orgs.services import PeopleImportError

__all__ = [
    "CODES",
    "STATE_CHANGES",
    "ErrorBody",
    "ErrorOut",
    "KeyRefused",
    "error_body",
    "guard",
    "install_error_handlers",
    "json_error",
]

logger = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}

#: Operations that move an existing object to another state: a service's refusal there means
#: "not from the state it is in" (409). Elsewhere a refusal means "these data cannot be
#: accepted" (422): creating a cycle, adding leaders, proposing a rater.
STATE_CHANGES = frozenset({"cycle_advance", "nomination_approve", "nomination_decline"})

NO_KEY = (
    "This request needs an API key: send it as “Authorization: Bearer <key>” (or in an "
    "X-API-Key header). An org admin makes keys on the page /api/keys/."
)


class KeyRefused(AuthenticationError):
    """A key was sent but cannot be used (unknown, revoked, or its admin is no longer one)."""

    def __init__(self) -> None:
        super().__init__(
            401,
            "This API key is not valid: it is unknown or revoked, or the admin who made it "
            "is no longer an org admin. Ask an org admin for a new key.",
        )


class ErrorBody(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    """The body of every error answer."""

    error: ErrorBody


def error_body(status: int, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": CODES.get(status, "error"), "message": message, "details": details}}


def json_error(status: int, message: str, details: Any = None) -> HttpResponse:
    """An error answer outside ninja's handlers (unknown path, method not allowed)."""
    return JsonResponse(error_body(status, message, details), status=status)


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors[:3]:
        where = ".".join(str(part) for part in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg", ""))
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "The request is not valid: " + "; ".join(parts) + more + "."


def _people_rows(error: PeopleImportError) -> list[dict[str, Any]] | None:
    if error.preview is None:
        return None
    return [
        {"row": bad.row, "name": bad.name, "email": bad.email, "problems": list(bad.reasons)}
        for bad in error.preview.bad
    ]


def _map(request: HttpRequest, exc: Exception) -> tuple[int, str, Any]:
    """(status, message, details) of an exception raised while answering ``request``."""
    if isinstance(exc, Throttled):
        wait = f" Try again in {max(1, round(exc.wait))} seconds." if exc.wait else ""
        rate = describe_rate(settings.LEADWELL_API_RATE)
        return 429, f"Too many requests: each API key may make {rate}.{wait}", None
    if isinstance(exc, KeyRefused):
        return 401, exc.message, None
    if isinstance(exc, AuthenticationError):
        return 401, NO_KEY, None
    if isinstance(exc, ValidationError):
        return 422, _validation_message(exc.errors), exc.errors
    if isinstance(exc, HttpError):
        return exc.status_code, exc.message, None
    if isinstance(exc, Http404):
        return 404, "Not found: there is no such object in this organization.", None
    if isinstance(exc, PeopleImportError):
        rows = _people_rows(exc)
        return (422 if rows is not None else 409), str(exc), {"rows": rows} if rows else None
    if isinstance(exc, CycleError):
        match = getattr(request, "resolver_match", None)
        state_change = match is not None and match.url_name in STATE_CHANGES
        return (409 if state_change else 422), str(exc), None
    if isinstance(exc, ExportError):
        return 422, str(exc), None
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024) or 1
        return 413, f"The request body is larger than {limit} MB: send it in parts.", None
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return 500, "Something went wrong on the server; it has been logged. Try again later.", None


def _respond(request: HttpRequest, exc: Exception, api: NinjaAPI | None = None) -> HttpResponse:
    status, message, details = _map(request, exc)
    body = error_body(status, message, details)
    if api is not None:
        response = api.create_response(request, body, status=status)
    else:
        response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="leadwell"'
    return response


def install_error_handlers(api: NinjaAPI) -> None:
    """Route every exception of ``api``'s operations through :func:`_map`."""
    handler: Callable[[HttpRequest, Exception], HttpResponse] = functools.partial(_respond, api=api)
    for exc_class in (Exception, Http404, HttpError, ValidationError):
        api.add_exception_handler(exc_class, handler)


def _has_nul(request: HttpRequest) -> bool:
    # Neither PostgreSQL text nor a sensible name holds U+0000; refuse it before it reaches
    # a query (as Django's forms do), raw or escaped in JSON.
    if any("\x00" in value for _, values in request.GET.lists() for value in values):
        return True
    return b"\x00" in request.body or b"\\u0000" in request.body


def guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap one of the API's URL views: what happens before ninja's own handling (a body too
    large, a null character) and ninja's plain-text 405 get the error shape too, and answers
    are not cached by default (they hold people's data)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if _has_nul(request):
                raise HttpError(400, "The request contains a null character (U+0000).")
        except (HttpError, RequestDataTooBig) as error:
            return _respond(request, error)
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            error = json_error(405, f"This path accepts {allowed or 'other methods'} only.")
            error["Allow"] = allowed
            response = error
        return response if response.has_header("Cache-Control") else private(response)

    return guarded
