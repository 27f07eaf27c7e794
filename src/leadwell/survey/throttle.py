"""Rate limiting of guessed survey links, per client IP, in Django's cache.

A rater's token carries 256 bits, so guessing one is hopeless; the limit is there to make a
scan of ``/r/<random>/`` cheap to refuse and visible (a 429 instead of endless 404s and hash
look-ups). Only *unknown* tokens count: a rater using their own link never adds to the count,
however often they open it. Once an address has sent ``LEADWELL_LINK_GUESS_LIMIT`` unknown
tokens within ``LEADWELL_LINK_GUESS_MINUTES`` minutes, every survey address it asks for answers
429 with ``Retry-After`` for the next ``LEADWELL_LINK_GUESS_MINUTES`` minutes, valid tokens
included: answering a valid token differently from an unknown one would let the scan go on.
Other addresses are not affected.

The client IP is the one django-axes uses for sign-in throttling (``AXES_IPWARE_*`` settings
say how to read it behind a proxy), so both throttles are configured in one place. The counts
live in the default cache: with several server processes that cache must be shared (Redis,
Memcached or the database cache), otherwise each process counts on its own.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import engines

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MINUTES",
    "blocked_for",
    "client_ip",
    "guess_limit",
    "guess_minutes",
    "record_unknown",
    "refusal",
    "too_many",
]

#: Unknown tokens an address may send within the window before it is refused.
DEFAULT_LIMIT = 20
#: The window, and how long an address is refused once over the limit, in minutes.
DEFAULT_MINUTES = 15

_PAGE = engines["django"].from_string(
    """{% extends "survey/base.html" %}{% load i18n %}
{% block title %}{% translate "Too many attempts" %}{% endblock %}
{% block content %}
<h1>{% translate "Too many attempts" %}</h1>
<p class="lead">{% blocktranslate trimmed count minutes=minutes %}
  Too many links that do not work were opened from your network.
  Try again in {{ minutes }} minute.
{% plural %}
  Too many links that do not work were opened from your network.
  Try again in {{ minutes }} minutes.
{% endblocktranslate %}</p>
<p>{% translate "Open the link in your most recent email, or copy the whole address." %}</p>
{% endblock %}"""
)


def guess_limit() -> int:
    return max(1, int(getattr(settings, "LEADWELL_LINK_GUESS_LIMIT", DEFAULT_LIMIT)))


def guess_minutes() -> float:
    return max(1 / 60, float(getattr(settings, "LEADWELL_LINK_GUESS_MINUTES", DEFAULT_MINUTES)))


def client_ip(request: HttpRequest) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(request: HttpRequest) -> tuple[str, str]:
    # Hashed so that an IPv6 address (or anything a proxy sends) is a safe cache key.
    digest = hashlib.sha256(client_ip(request).encode("utf-8")).hexdigest()[:32]
    return f"leadwell:link-guesses:{digest}", f"leadwell:link-blocked:{digest}"


def blocked_for(request: HttpRequest) -> int:
    """Seconds this request's address is still refused for (0: not refused)."""
    until = cache.get(_keys(request)[1])
    if until is None:
        return 0
    return max(1, math.ceil(float(until) - time.time()))


def record_unknown(request: HttpRequest) -> None:
    """Count one unknown token from this request's address; refuse the address at the limit."""
    count_key, blocked_key = _keys(request)
    window = max(1, round(guess_minutes() * 60))
    # add() starts a fixed window only when none is running; incr() is atomic in shared caches.
    cache.add(count_key, 0, timeout=window)
    try:
        count = cache.incr(count_key)
    except ValueError:  # the window ran out between add() and incr()
        cache.add(count_key, 1, timeout=window)
        count = 1
    if count >= guess_limit():
        cache.set(blocked_key, time.time() + window, timeout=window)
        cache.delete(count_key)


def too_many(request: HttpRequest, seconds: int) -> HttpResponse:
    """The plain 429 page, with ``Retry-After`` in seconds."""
    html = _PAGE.render({"minutes": max(1, math.ceil(seconds / 60))}, request)
    response = HttpResponse(html, status=429)
    response["Retry-After"] = str(seconds)
    return response


def refusal(request: HttpRequest) -> HttpResponse | None:
    """The 429 page when this request's address is refused, else None: the first thing every
    view behind a secret link asks."""
    seconds = blocked_for(request)
    return too_many(request, seconds) if seconds else None
