"""Shared fixtures: named personas in two organizations (healthchecks' alice/bob style).

``org`` is Acme with ``admin`` (org admin), ``leader`` (a leader with an account), the leader's
``manager``, and a few colleagues; ``other_org`` is Globex with its own admin, ``outsider``.
Every admin view must refuse the other organization's objects with 404.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("LEADWELL_CHROMIUM", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in this thread; the ORM calls of the tests themselves
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test process (Playwright's sync API allows one instance per thread):
    every browser test, in tests/e2e or elsewhere, opens its pages from it. On CI (CI=true)
    a missing browser is a failure, not a skip."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/setup installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def org(db):
    from leadwell.orgs.models import Organization

    return Organization.objects.create(name="Acme", slug="acme")


@pytest.fixture
def other_org(db):
    from leadwell.orgs.models import Organization

    return Organization.objects.create(name="Globex", slug="globex")


def _user(username: str, password: str = "a-long-test-password"):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, f"{username}@example.com", password)


@pytest.fixture
def admin(org):
    from leadwell.orgs.models import Role

    user = _user("admin")
    Role.objects.create(organization=org, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def outsider(other_org):
    from leadwell.orgs.models import Role

    user = _user("outsider")
    Role.objects.create(organization=other_org, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def people(org):
    """A small org chart: Maria manages Lee; Lee manages Dana, Eli and Fay; Ana, Ben, Cy are
    Lee's peers under Maria."""
    from leadwell.orgs.models import Person, Unit

    unit = Unit.objects.create(organization=org, name="Operations")

    def person(name: str, manager=None, level: str = "manager") -> Person:
        email = f"{name.lower()}@acme.example"
        return Person.objects.create(
            organization=org, name=name, email=email, unit=unit, manager=manager, level=level
        )

    maria = person("Maria", level="director")
    lee = person("Lee", maria)
    staff = {p.name: p for p in (person(n, lee, "staff") for n in ("Dana", "Eli", "Fay"))}
    peers = {p.name: p for p in (person(n, maria) for n in ("Ana", "Ben", "Cy"))}
    return {"Maria": maria, "Lee": lee, **staff, **peers}


@pytest.fixture
def leader(people, org):
    """Lee, with an account and the leader role."""
    from leadwell.orgs.models import Role

    user = _user("lee")
    lee = people["Lee"]
    lee.user = user
    lee.save()
    Role.objects.create(organization=org, user=user, role=Role.LEADER)
    return lee


@pytest.fixture
def coach(org, leader):
    """A coach of Lee's, with an account and the coach role."""
    from leadwell.orgs.models import CoachAssignment, Role

    user = _user("coach")
    Role.objects.create(organization=org, user=user, role=Role.COACH)
    CoachAssignment.objects.create(organization=org, coach=user, leader=leader)
    return user


@pytest.fixture
def instrument():
    """Version 1 of the instrument."""
    from leadwell.instrument import load_instrument

    return load_instrument("1")


@pytest.fixture
def respond(instrument):
    def respond(
        assessment,
        group: str,
        values: Mapping[str, int] | Callable[[int], int],
        comments: Mapping[str, str] | None = None,
    ):
        """Store one submitted response as the survey does (answers as bytes in instrument
        order, comments in their own rows); ``values`` maps item ids to 1-5 or is a function
        of the item's position."""
        from leadwell.cycles.answers import encode_answers
        from leadwell.cycles.models import Response, ResponseComment

        if callable(values):
            values = {
                item.id: values(i)
                for i, item in enumerate(instrument.items)
                if group != "self" or item.facet is not None
            }
        response = Response.objects.create(
            organization_id=assessment.organization_id,
            assessment=assessment,
            group=group,
            answers=encode_answers(values, instrument),
        )
        for question, text in (comments or {}).items():
            ResponseComment.objects.create(response=response, question=question, text=text)
        return response

    return respond


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate limits (API keys, guessed rater links) count
    in it, and the local-memory cache lives as long as the test process."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
