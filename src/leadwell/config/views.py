"""Site-wide views: the home page that routes a signed-in user, the health check and the page
of a request that failed."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.views import defaults

#: Seconds a client is asked to wait before trying again when the database cannot be reached.
RETRY_AFTER = 10


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("cycles:list")


def health(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return JsonResponse({"status": "error", "database": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """A request that failed (DEBUG off): 503 with Retry-After when the database could not be
    reached (stopped, restarting, unreachable, or SQLite kept locked), else Django's 500.

    Django calls this while it handles the exception, so ``sys.exc_info()`` holds it. Like
    500.html, 503.html is rendered with no context: nothing that could fail again.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request)
