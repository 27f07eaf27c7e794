"""Pages of the api app: org admins list, make and revoke API keys. And the API's own
answers outside its operations (/api/ itself and unknown paths below it).

A new key is shown once, in the answer to the form that made it (never stored, never sent
again, and the page is not cached). Changes are POST only, with Django's CSRF check.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leadwell.api import selectors, services
from leadwell.api.errors import json_error
from leadwell.api.forms import ApiKeyForm
from leadwell.api.models import ApiKey
from leadwell.api.throttling import describe_rate
from leadwell.config.http import private as _private
from leadwell.orgs.access import org_object_or_404, require_role
from leadwell.orgs.models import Role

__all__ = ["api_root", "key_new", "key_revoke", "keys", "not_found"]


@login_required
@require_http_methods(["GET"])
def keys(request: HttpRequest) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    context = {
        "org": org,
        "keys": selectors.api_keys_for_org(org),
        "rate": describe_rate(settings.LEADWELL_API_RATE),
    }
    return _private(render(request, "api/keys.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def key_new(request: HttpRequest) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, clear = services.api_key_create(
                organization=org, name=form.cleaned_data["name"], actor=request.user
            )
        except services.ApiKeyError as error:
            form.add_error(None, str(error))
        else:
            context = {"org": org, "key": key, "clear": clear}
            return _private(render(request, "api/key_created.html", context))
    return _private(render(request, "api/key_new.html", {"org": org, "form": form}))


@login_required
@require_http_methods(["GET", "POST"])
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    key = org_object_or_404(ApiKey.objects.select_related("organization"), org, pk=pk)
    if request.method == "POST":
        try:
            services.api_key_revoke(key=key, actor=request.user)
        except services.ApiKeyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The key “{key.name}” is revoked: it no longer works.")
        return redirect("api:keys")
    return _private(render(request, "api/key_revoke.html", {"org": org, "key": key}))


def api_root(request: HttpRequest) -> HttpResponse:
    return redirect("api:v1:openapi-view")


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return json_error(404, "Not found: no such path in the API; see /api/docs.")
