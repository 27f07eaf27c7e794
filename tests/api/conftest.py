"""Fixtures of the API tests: a key of Acme's admin, an API client with it, another
organization's key and objects, and a closed cycle whose raters have answered."""

from __future__ import annotations

import pytest
from api_helpers import Api
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no request counted against any key (the cache is per process)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(org, admin):
    from leadwell.api.services import api_key_create

    return api_key_create(organization=org, name="HR sync", actor=admin)[1]


@pytest.fixture
def api(client, api_key):
    return Api(client, api_key)


@pytest.fixture
def anonymous_api(client):
    return Api(client, None)


@pytest.fixture
def other_key(other_org, outsider):
    from leadwell.api.services import api_key_create

    return api_key_create(organization=other_org, name="Globex BI", actor=outsider)[1]


@pytest.fixture
def draft_cycle(org):
    from leadwell.cycles.services import cycle_create

    return cycle_create(org, name="Spring 2026")


@pytest.fixture
def lee_assessment(draft_cycle, leader):
    """Lee in the draft cycle: self and manager (Maria) approved."""
    from leadwell.cycles.services import assessments_add

    (made,) = assessments_add(draft_cycle, leaders=[leader])
    return made


def _values(shift: int):
    # A rater's answers: 2-5 by item position, shifted per rater so that raters differ.
    return lambda i: 2 + (i + shift) % 4


@pytest.fixture
def closed_assessment(org, people, leader, respond):
    """Lee's assessment in a closed cycle, answered by self, manager, three peers and two
    direct reports (with comments), the answers known: rater r gives item i the value
    2 + (i + r) % 4."""
    from leadwell.cycles.models import Assessment, Cycle

    cycle = Cycle.objects.create(
        organization=org, name="Autumn 2025", status=Cycle.CLOSED, closed_at=timezone.now()
    )
    assessment = Assessment.objects.create(organization=org, cycle=cycle, leader=leader)
    raters = ["self", "manager", "peer", "peer", "peer", "direct", "direct"]
    for shift, group in enumerate(raters):
        comments = {"keep": f"Keep going {shift}"} if group in ("peer", "direct") else None
        respond(assessment, group, _values(shift), comments)
    return assessment


@pytest.fixture
def foreign(other_org, respond):
    """One object of each kind in Globex: what Acme's key must never see."""
    from leadwell.cycles.models import Assessment, Cycle, Nomination
    from leadwell.orgs.models import Person

    person = Person.objects.create(organization=other_org, name="Zed", email="zed@globex.example")
    cycle = Cycle.objects.create(organization=other_org, name="Globex 2026", status=Cycle.CLOSED)
    assessment = Assessment.objects.create(organization=other_org, cycle=cycle, leader=person)
    nomination = Nomination.objects.create(
        organization=other_org,
        assessment=assessment,
        name="Yan",
        email="yan@globex.example",
        group="peer",
        status=Nomination.PROPOSED,
    )
    respond(assessment, "self", _values(0))
    return {
        "person_id": person.pk,
        "cycle_id": cycle.pk,
        "assessment_id": assessment.pk,
        "nomination_id": nomination.pk,
        "export_id": _export(cycle).pk,
    }


def _export(cycle, *, made: bool = False):
    """An export of ``cycle``'s results: queued, or made (its file written) with ``made``."""
    from leadwell.exports.models import Export
    from leadwell.exports.services import export_run

    export = Export.objects.create(
        organization_id=cycle.organization_id, cycle=cycle, format="json", file_name="r.json"
    )
    if made:
        export_run(export.pk)
    return export


@pytest.fixture
def exports(settings, tmp_path, closed_assessment):
    """Two exports of Acme's closed cycle: one whose file is made, one still queued."""
    settings.LEADWELL_EXPORTS_DIR = tmp_path / "exports"
    cycle = closed_assessment.cycle
    return [_export(cycle, made=True).pk, _export(cycle).pk]
