"""Survey fixtures: an open cycle for Lee, and raters invited with raw tokens we keep.

Rows are created with the ORM directly (the cycle lifecycle has its own tests); the token is
stored as its SHA-256 exactly as the invitation emails store it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import pytest


@dataclass
class Rater:
    token: str
    invitation: object

    def url(self, name: str, **kwargs) -> str:
        from django.urls import reverse

        return reverse(f"survey:{name}", kwargs={"token": self.token, **kwargs})

    def refresh(self):
        self.invitation.refresh_from_db()
        return self.invitation


@pytest.fixture
def cycle(org):
    from leadwell.cycles.models import Cycle

    return Cycle.objects.create(organization=org, name="Spring 2026", status=Cycle.OPEN)


@pytest.fixture
def assessment(cycle, people):
    from leadwell.cycles.models import Assessment

    return Assessment.objects.create(
        organization=cycle.organization, cycle=cycle, leader=people["Lee"]
    )


@pytest.fixture
def invite(assessment, people):
    """invite(name, group) → a Rater with a fresh raw token for Lee's assessment."""
    from leadwell.cycles.models import Invitation

    def make(name: str = "Ana", group: str = "peer", target=None) -> Rater:
        target = target or assessment
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organization=target.organization,
            assessment=target,
            group=group,
            name=name,
            email=f"{name.lower()}@acme.example",
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            status=Invitation.SENT,
        )
        return Rater(token, invitation)

    return make


@pytest.fixture
def rater(invite):
    return invite("Ana", "peer")


@pytest.fixture
def instrument():
    from leadwell.instrument import load_instrument

    return load_instrument("1")
