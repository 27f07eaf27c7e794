"""Helpers for the cycles tests (a module of its own: test modules cannot import conftest)."""

from __future__ import annotations

import re

PASSWORD = "a-long-test-password"
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def account(person, org, username: str):
    """Give ``person`` a user account with the leader role in ``org``."""
    from django.contrib.auth import get_user_model

    from leadwell.orgs.models import Role

    user = get_user_model().objects.create_user(username, person.email, PASSWORD)
    person.user = user
    person.save(update_fields=["user"])
    Role.objects.create(organization=org, user=user, role=Role.LEADER)
    return user


def approve(assessment, people, names, group):
    """Approved nominations of ``people[name]`` in ``group`` for ``assessment``."""
    from leadwell.cycles.models import Nomination

    for name in names:
        person = people[name]
        Nomination.objects.create(
            organization=assessment.organization,
            assessment=assessment,
            person=person,
            name=person.name,
            email=person.email,
            group=group,
            status=Nomination.APPROVED,
        )


def token_in(message) -> str:
    """The raw token in a rater's email."""
    from django.conf import settings

    (line,) = [x for x in message.body.splitlines() if x.startswith(settings.SITE_URL)]
    return TOKEN.search(line[len(settings.SITE_URL) :]).group(0)
