"""Fixtures for the cycles tests: the leader's manager and a colleague with accounts, and a
cycle for Lee with raters approved, ready to open."""

from __future__ import annotations

import pytest
from cycle_helpers import account, approve


@pytest.fixture
def manager(people, org):
    """Maria, Lee's manager, with an account."""
    return account(people["Maria"], org, "maria")


@pytest.fixture
def colleague(people, org):
    """Ana, Lee's peer, with an account: neither Lee's manager nor an admin."""
    return account(people["Ana"], org, "ana")


@pytest.fixture
def cycle(org):
    from leadwell.cycles.services import cycle_create

    return cycle_create(org, name="Spring")


@pytest.fixture
def assessment(cycle, leader):
    """Lee in the cycle: self and manager approved, nothing else yet."""
    from leadwell.cycles.services import assessments_add

    (made,) = assessments_add(cycle, leaders=[leader])
    return made


@pytest.fixture
def ready(assessment, people):
    """Lee's assessment with three peers and two direct reports approved (7 raters in all)."""
    approve(assessment, people, ["Ana", "Ben", "Cy"], "peer")
    approve(assessment, people, ["Dana", "Eli"], "direct")
    return assessment


@pytest.fixture
def opened(ready, cycle, admin, django_capture_on_commit_callbacks, mailoutbox):
    """The cycle opened; every invitation emailed (immediate task backend)."""
    from leadwell.cycles.services import cycle_open

    with django_capture_on_commit_callbacks(execute=True):
        cycle_open(cycle, actor=admin)
    cycle.refresh_from_db()
    return cycle
