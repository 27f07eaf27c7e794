"""Rate limiting per API key: ninja's sliding-window throttle, keyed by the key's id.

The rate is ``settings.LEADWELL_API_RATE`` ("600/m": requests per s, m, h or d), read on each
request, so a changed setting (or a test's override) applies at once. The request history
lives in Django's default cache: with the default in-memory cache each server process counts
on its own (N processes let a key make up to N times the rate); a shared cache (Redis,
Memcached, the database cache) makes the limit exact across processes and machines.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

__all__ = ["KeyRateThrottle", "describe_rate"]


_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


def describe_rate(rate: str) -> str:
    """ "600/m" as "600 requests a minute" (the setting as people read it)."""
    count, _, period = rate.partition("/")
    unit = _UNITS.get(period[:1], period)
    if period[1:] not in ("", "ec", "in", "our", "ay"):
        return rate  # "5/10m" and the like: say it as written
    return f"{count} requests {'an' if unit == 'hour' else 'a'} {unit}"


class KeyRateThrottle(SimpleRateThrottle):
    """One limit per API key, shared by all of the key's requests to any endpoint.

    Ninja's own ``allow_request`` keeps the request being checked in attributes of the
    throttle object, which every request shares; this one keeps it in local variables (and
    the wait for ``Retry-After`` in a thread-local), so two requests answered at once by two
    threads cannot mix up their keys.
    """

    scope = "api-key"
    cache_format = "leadwell-api-rate:%(ident)s"

    def __init__(self) -> None:
        self._state = threading.local()
        super().__init__(rate=settings.LEADWELL_API_RATE)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        key = getattr(request, "auth", None)
        if key is None:
            return None  # no key, no API: authentication has already answered 401
        return self.cache_format % {"ident": key.pk}

    def allow_request(self, request: HttpRequest) -> bool:
        self._state.wait = None
        cache_key = self.get_cache_key(request)
        if cache_key is None:
            return True
        count, duration = self.parse_rate(settings.LEADWELL_API_RATE)
        if count is None or duration is None:
            return True
        now = self.timer()
        # Newest first, as ninja keeps it; drop what has left the window.
        history = [t for t in self.cache.get(cache_key, []) if t > now - duration]
        if len(history) >= count:
            self._state.wait = history[-1] + duration - now
            return False
        history.insert(0, now)
        self.cache.set(cache_key, history, duration)
        return True

    def wait(self) -> float | None:
        wait: float | None = getattr(self._state, "wait", None)
        return wait
