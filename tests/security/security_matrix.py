"""The machinery of the authorization matrix: walk the URL configuration, fill a pattern's
arguments from the world's objects, ask the server, and name its answer.

An answer is named by a short code: the status ("200", "404", "405", ...), "login" for a
redirect to a sign-in page (the site's or the Django admin's), "302" for any other redirect.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

__all__ = ["ROLES", "Pattern", "Row", "code_of", "fill", "parse_table", "row_for", "url_patterns"]

ROLES = ("anonymous", "rater", "leader", "coach", "manager", "admin", "outsider", "superuser")
_LOGINS = ("/accounts/login/", "/django-admin/login/")
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: its key (the URL name, or the route when it has none) and its route."""

    key: str
    route: str


@dataclass(frozen=True)
class Row:
    """One line of the expectations table."""

    key: str  # a URL name, a route, or a glob over either
    method: str  # GET, or POST for views that only take POST
    scope: str  # "-" (no object), "own" or "other"
    cells: dict[str, str]  # role -> expected code


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> list[Pattern]:
    found: list[Pattern] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _walk(entry, route, inner)
        elif isinstance(entry, URLPattern):
            found.append(Pattern(f"{namespace}{entry.name}" if entry.name else route, route))
    return found


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the project, the included ones too, in resolution order."""
    return _walk(get_resolver(), "", "")


def parse_table(text: str, roles: tuple[str, ...]) -> list[Row]:
    """The rows of a whitespace-separated table: key, method, scope, then one code per role."""
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, method, scope, *codes = line.split()
        assert len(codes) == len(roles), f"{key}: {len(codes)} codes for {len(roles)} roles"
        rows.append(Row(key, method, scope, dict(zip(roles, codes, strict=True))))
    return rows


def row_for(pattern: Pattern, rows: list[Row]) -> list[Row]:
    """The rows about ``pattern``: those naming it, else those whose glob matches it."""
    exact = [r for r in rows if r.key == pattern.key]
    return exact or [r for r in rows if "*" in r.key and fnmatch.fnmatchcase(pattern.key, r.key)]


def fill(route: str, values: dict[str, Any]) -> str:
    """The address of ``route`` with its parameters replaced by ``values``."""
    return "/" + _PARAM.sub(lambda m: str(values[m.group(1)]), route)


def code_of(response: Any) -> str:
    """The short name of an answer (see the module's docstring)."""
    if response.status_code in (301, 302, 303, 307, 308):
        where = response.headers.get("Location", "")
        return "login" if any(where.startswith(login) for login in _LOGINS) else "302"
    return str(response.status_code)
