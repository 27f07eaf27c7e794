"""Schemathesis against /api/openapi.json: generated requests, with a valid key and without
one, never give a 5xx, and every answer (status, content type, headers, body) is one the
OpenAPI document declares. Runs the Django app in-process (WSGI), a few examples per operation.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FEW = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def in_test_transaction(db):
    """Keep the test's database connection across the app's requests, as Django's test client
    does: the WSGI handler would otherwise close it at the end of each request (PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def acme_ids(in_test_transaction, closed_assessment, lee_assessment, people, exports, settings):
    """Ids of Acme's objects, taken in turn for the path's ids: random ids would almost
    always answer 404 (other organizations' ids have a test of their own), these reach the
    operations' real work: a closed cycle's report, a draft cycle to move on, nominations."""
    settings.LEADWELL_API_RATE = "100000/m"  # many requests per test; the limit has its own
    ids = {
        "person_id": [p.pk for p in people.values()],
        "cycle_id": [lee_assessment.cycle_id, closed_assessment.cycle_id],
        "assessment_id": [lee_assessment.pk, closed_assessment.pk],
        "nomination_id": list(lee_assessment.nominations.values_list("pk", flat=True)),
        "export_id": exports,
    }
    turn = itertools.count()
    return lambda name: ids[name][next(turn) % len(ids[name])]


@schema.parametrize()
@FEW
def test_with_a_valid_key_nothing_fails_and_everything_matches_the_schema(case, api_key, acme_ids):
    for name in case.path_parameters or {}:
        case.path_parameters[name] = acme_ids(name)
    case.call_and_validate(headers={"Authorization": f"Bearer {api_key}"}, checks=CHECKS)


@schema.parametrize()
@FEW
def test_without_a_key_nothing_succeeds_and_every_answer_matches_the_schema(
    case, in_test_transaction
):
    response = case.call_and_validate(checks=CHECKS)
    # 401; or, before the key is even looked at, 405 for a method the path does not have
    # (schemathesis tries those too) and 400 for a request that cannot be read.
    assert response.status_code in (400, 401, 405), response.status_code
    if case.method.upper() == case.operation.method.upper():
        assert response.status_code in (400, 401), response.status_code
