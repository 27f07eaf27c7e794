"""Security headers, the Content-Security-Policy, and the production settings.

The pages are those of the demo organization (``demo_build``, as `leadwell demo` serves it),
seen by each role: the org admin, a leader (Lee), a coach, and a rater with no account. Every
page is parsed with ``html.parser``: CSP forbids inline scripts, inline event handlers and
inline styles, so none may be in the markup (they would be blocked and the page would break).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from leadwell.cycles.models import Assessment, Cycle, Invitation
from leadwell.demo import DEMO_PASSWORD, demo_build

ROOT = Path(__file__).resolve().parents[2]
LEADWELL = Path(sys.executable).with_name("leadwell")


class _Inline(HTMLParser):
    """What CSP (script-src/style-src 'self', no 'unsafe-inline') would block in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            elif name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            elif name in ("href", "src", "action") and (value or "").strip().startswith("javas"):
                self.found.append(f"javascript: URL on <{tag}>")


def _inline(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def _problems(response, *, private: bool) -> list[str]:
    """Everything wrong with one page's headers and markup (empty when all is well)."""
    problems = [f"inline: {found}" for found in _inline(response.content.decode())]
    policy = _policy(response.get("Content-Security-Policy", ""))
    for kind in ("script-src", "style-src"):
        sources = policy.get(kind, policy.get("default-src"))
        if not sources or "'unsafe-inline'" in sources or "'unsafe-eval'" in sources:
            problems.append(f"CSP {kind}: {sources}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    if response.get("X-Frame-Options") != "DENY" and policy.get("frame-ancestors") != ["'none'"]:
        problems.append("framing allowed")
    cache_control = response.get("Cache-Control", "")
    if private and not ({"private", "no-store"} & set(re.split(r"[,\s]+", cache_control))):
        problems.append(f"Cache-Control {cache_control!r} on a private page")
    return problems


def _check(client: Client, pages: list[tuple[str, bool]]) -> None:
    failures = {}
    for url, private in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        assert response.request["PATH_INFO"] != reverse("accounts:login"), f"{url}: not signed in"
        assert response["Content-Type"].startswith("text/html"), url
        if problems := _problems(response, private=private):
            failures[url] = problems
    assert not failures, failures


@pytest.fixture
def demo(db):
    """The demo organization (small), with a development plan of Lee's from his report."""
    from leadwell.development.services import plan_create

    info = demo_build(leaders=8, seed=5)
    released = Cycle.objects.filter(organization=info.organization, status=Cycle.RELEASED)
    latest = released.order_by("-closed_at").first()
    lee = Assessment.objects.get(cycle=latest, leader__user__username="lee")
    plan = plan_create(leader=lee.leader, facets=["L1"], source=lee)
    return {"info": info, "released": latest, "report": lee, "plan": plan}


def _signed_in(username: str) -> Client:
    """A client signed in through the real sign-in form (django-axes needs the request)."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content
    return client


def test_the_policy_allows_no_inline_script_or_style_and_no_framing(client, db):
    response = client.get(reverse("accounts:login"))
    policy = _policy(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert _problems(response, private=False) == []


def test_the_inline_checker_finds_what_csp_would_block():
    page = (
        '<script>alert(1)</script><script src="/static/a.js"></script><style>p{}</style>'
        '<p style="color:red" onclick="x()"><a href="javascript:void(0)">x</a></p>'
    )
    assert _inline(page) == [
        "<script> without src", "<style> element", "style= on <p>", "onclick= on <p>",
        "javascript: URL on <a>",
    ]  # fmt: skip


def test_the_org_admins_pages_have_no_inline_code_and_send_the_security_headers(demo):
    released = demo["released"].pk
    open_cycle = Cycle.objects.get(organization=demo["info"].organization, status=Cycle.OPEN)
    pages = [
        (reverse("home"), False),
        (reverse("cycles:list"), False),
        (reverse("cycles:detail", args=[open_cycle.pk]), False),
        (reverse("cycles:detail", args=[released]), False),
        (reverse("orgs:people"), False),
        (reverse("reports:cycle", args=[released]), True),
        (reverse("reports:detail", args=[demo["report"].pk]), True),
        (reverse("reports:log"), False),
        (reverse("insights:index"), True),
        (reverse("insights:cycle", args=[released]), True),
        (reverse("exports:cycle", args=[released]), True),
        (reverse("api:keys"), False),
    ]
    _check(_signed_in("admin"), pages)


def test_the_leaders_and_coachs_pages_have_no_inline_code_and_send_the_security_headers(demo):
    report, plan = demo["report"].pk, demo["plan"].pk
    leader_pages = [
        (reverse("home"), False),
        (reverse("reports:detail", args=[report]), True),
        (reverse("development:list"), False),
        (f"{reverse('development:new')}?from={report}", False),
        (reverse("development:detail", args=[plan]), False),
    ]
    _check(_signed_in("lee"), leader_pages)
    _check(_signed_in("coach"), [(reverse("home"), False), (leader_pages[1][0], True)])


def test_the_raters_pages_have_no_inline_code_and_are_never_cached(demo, settings):
    token = demo["info"].sample_links[0]
    rater = Client()
    assert rater.post(reverse("survey:start", args=[token])).status_code == 302
    invitation = Invitation.objects.get(status=Invitation.STARTED)
    pages = [reverse("survey:start", args=[token])]
    pages += [reverse("survey:page", args=[token, n]) for n in (1, 7)]  # items, open questions
    pages.append(reverse("survey:review", args=[token]))
    _check(rater, [(url, True) for url in pages])
    assert invitation.assessment.cycle.status == Cycle.OPEN
    # The broken-link page and the "too many attempts" page, without following anything.
    cache.clear()
    settings.LEADWELL_LINK_GUESS_LIMIT = 1
    unknown = rater.get(reverse("survey:start", args=[secrets.token_urlsafe(32)]))
    refused = rater.get(reverse("survey:start", args=[secrets.token_urlsafe(32)]))
    cache.clear()
    assert (unknown.status_code, refused.status_code) == (404, 429)
    assert _problems(unknown, private=True) == []
    assert _problems(refused, private=True) == []
    assert _problems(Client().get(reverse("accounts:login")), private=False) == []


# --- production settings ------------------------------------------------------------------


def _production(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADWELL", "DJANGO"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="leadwell.example.org",
        SITE_URL="https://leadwell.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'leadwell.sqlite3'}",
        LEADWELL_HOME=str(tmp_path),
        DJANGO_SETTINGS_MODULE="leadwell.config.settings",
    )
    env.pop("SECURE_COOKIES", None)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=240)


def _warnings(result: subprocess.CompletedProcess[str]) -> set[str]:
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))


@pytest.mark.slow
def test_production_settings_make_cookies_secure_http_only_and_same_site(tmp_path):
    code = (
        "import json; from leadwell.config import settings as s; print(json.dumps({n: "
        "getattr(s, n) for n in ('DEBUG', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'CSRF_COOKIE_SECURE', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS') "
        "if hasattr(s, n)}))"
    )
    result = _run([sys.executable, "-c", code], _production(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
    }
    # Not set by leadwell: Django's default, which must stay Lax (or Strict).
    from django.conf import global_settings

    assert global_settings.SESSION_COOKIE_SAMESITE == "Lax"
    samesite = _run(
        [sys.executable, "-c", "from django.conf import settings as s; "
         "print(s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE)"],
        _production(tmp_path), tmp_path,
    )  # fmt: skip
    assert samesite.stdout.split() == ["Lax", "Lax"], samesite.stderr


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    found = _warnings(_run([str(LEADWELL), "manage", "check", "--deploy"], _production(tmp_path),
                           tmp_path))  # fmt: skip
    assert found == set()
    # Behind a TLS proxy the header is read; plain HTTP is redirected, the health check not.
    env = _production(tmp_path) | {"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_REDIRECT_EXEMPT)"
    )
    shown = _run([sys.executable, "-c", code], env, tmp_path)
    assert shown.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "31536000", "['^health/$']"
    ], shown.stderr  # fmt: skip
