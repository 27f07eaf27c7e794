"""The interactive docs (Swagger UI) under leadwell's Content-Security-Policy.

django-ninja ships Swagger UI's files, but finds them through ``ninja`` in INSTALLED_APPS and
otherwise falls back to a CDN, which the CSP (script-src 'self') forbids. Here the page is a
template of our own: the settings travel as JSON data (``json_script``), a small script of
ours (static/api/docs.js) starts Swagger UI, and :func:`docs_asset` serves the bundle and its
stylesheet from ninja's package, so no inline script, no inline style and no CDN are needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ninja
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.static import serve
from ninja.openapi.docs import Swagger

__all__ = ["ASSETS", "LocalSwagger", "docs_asset"]

_NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon.svg", "favicon.png"})
_DAY = 24 * 60 * 60


class LocalSwagger(Swagger):
    template = "api/docs.html"
    default_settings = {  # noqa: RUF012 (ninja's own class attribute)
        "layout": "BaseLayout",
        "deepLinking": True,
        "persistAuthorization": False,  # a key typed in stays in the page, not in storage
        "validatorUrl": None,  # no calls to an outside validator
    }

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"api": api, "swagger_settings": settings})


@require_GET
def docs_asset(request: HttpRequest, name: str) -> HttpResponse:
    """One of Swagger UI's files from django-ninja's package (a fixed list, nothing else)."""
    if name not in ASSETS:
        raise Http404("No such file.")
    response = serve(request, name, document_root=str(_NINJA_STATIC))
    response["Cache-Control"] = f"public, max-age={_DAY}"
    return response
