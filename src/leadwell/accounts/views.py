"""Signing in and out: password (throttled by django-axes) or a one-time link by email."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from leadwell.accounts import services

__all__ = ["LinkRequestForm", "link_request", "link_sent", "link_use", "locked_out", "sign_in"]

_BACKEND = "django.contrib.auth.backends.ModelBackend"


class SignInView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


sign_in = SignInView.as_view()
sign_out = LogoutView.as_view()  # POST only, as Django requires


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.sign_in_link_send(email=form.cleaned_data["email"])
        # The same answer whether or not the address is known: the page reveals nothing.
        return redirect("accounts:link_sent")
    return render(request, "accounts/link_request.html", {"form": form})


@require_GET
def link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/link_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def link_use(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to continue (mail scanners that open links must not use them up); POST signs in.

    A link that does not work counts against the client's address like a guessed rater link
    (``leadwell.survey.throttle``): a scan of sign-in links is refused with 429."""
    from leadwell.survey import throttle

    if refused := throttle.refusal(request):
        return refused
    if request.method == "POST":
        try:
            user = services.sign_in_link_use(token=token)
        except services.SignInLinkError:
            throttle.record_unknown(request)
            return _link_page(request, valid=False)
        login(request, user, backend=_BACKEND)
        return redirect("home")
    valid = services.sign_in_link_check(token=token)
    if not valid:
        throttle.record_unknown(request)
    return _link_page(request, valid=valid)


def _link_page(request: HttpRequest, *, valid: bool) -> HttpResponse:
    response = render(
        request, "accounts/link_use.html", {"valid": valid}, status=200 if valid else 410
    )
    response["Referrer-Policy"] = "no-referrer"  # the token is in this page's address
    return response


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer once the failure limit is reached (AXES_LOCKOUT_CALLABLE)."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)
