"""A released cycle with Lee's assessment, and a factory that stores raters' answers.

``respond(assessment, group, values)`` stores one submitted response the way the survey does
(answers as bytes in instrument order); ``values`` maps item ids to 1-5 or is a function of
the item's position.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

PASSWORD = "a-long-test-password"


@pytest.fixture
def cycle(org):
    from leadwell.cycles.models import Cycle

    return Cycle.objects.create(
        organization=org, name="Spring 2026", status=Cycle.RELEASED, released_at=timezone.now()
    )


@pytest.fixture
def assessment(cycle, leader):
    from leadwell.cycles.models import Assessment

    return Assessment.objects.create(organization=cycle.organization, cycle=cycle, leader=leader)
