"""Every key sees one organization: each operation of the API that takes an object's id, when
given another organization's object, answers 404 exactly like a missing object, and changes
nothing. The operations come from the API's own OpenAPI document, so a new one is covered the
day it is added (and fails here until its id and its example body are known)."""

from __future__ import annotations

import re

import pytest
from api_helpers import Api, error_of

from leadwell.api.main import api as ninja_api

PARAM = re.compile(r"{(\w+)}")


def _operations():
    schema = ninja_api.get_openapi_schema(path_prefix="/api/")
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if PARAM.search(path):
                found.append((method.upper(), path, _example_body(schema, operation)))
    return found


def _example_body(schema, operation):
    """The first example of the operation's request body (a valid body, so that the answer is
    about the id, not about the body), or None when it takes none."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
    examples = schema["components"]["schemas"][ref].get("examples")
    assert examples, f"{operation['operationId']}: give {ref} an example (json_schema_extra)"
    return examples[0]


OPERATIONS = _operations()


def test_the_object_operations_are_all_found():
    # Reads, changes and actions on people, cycles, assessments, nominations and reports.
    assert len(OPERATIONS) >= 12, OPERATIONS
    assert {p for _, p, _ in OPERATIONS} >= {
        "/api/people/{person_id}",
        "/api/cycles/{cycle_id}/advance",
        "/api/assessments/{assessment_id}/report",
        "/api/nominations/{nomination_id}/decline",
    }


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_another_organizations_object_is_404_and_untouched(
    client, api_key, foreign, method, path, body
):
    from leadwell.cycles.models import Cycle, Nomination
    from leadwell.reports.models import ReportView

    names = PARAM.findall(path)
    unknown = [n for n in names if n not in foreign]
    assert not unknown, f"{path}: add a Globex object for {unknown} to the `foreign` fixture"
    url = PARAM.sub(lambda m: str(foreign[m.group(1)]), path)
    response = Api(client, api_key).call(method, url, body)
    error = error_of(response, 404)
    assert error["code"] == "not_found"
    assert Cycle.objects.get(pk=foreign["cycle_id"]).status == Cycle.CLOSED
    assert Nomination.objects.get(pk=foreign["nomination_id"]).status == Nomination.PROPOSED
    assert not ReportView.objects.exists()


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_the_same_request_for_our_own_object_is_not_404(
    client, api_key, closed_assessment, people, exports, method, path, body
):
    """The control: the 404 above is about the organization, not about the request."""
    from leadwell.cycles.models import Nomination

    nomination = Nomination.objects.create(
        organization=closed_assessment.organization,
        assessment=closed_assessment,
        name="Ana",
        email="ana@acme.example",
        group="peer",
    )
    ours = {
        "person_id": people["Lee"].pk,
        "cycle_id": closed_assessment.cycle_id,
        "assessment_id": closed_assessment.pk,
        "nomination_id": nomination.pk,
        "export_id": exports[0],
    }
    url = PARAM.sub(lambda m: str(ours[m.group(1)]), path)
    response = Api(client, api_key).call(method, url, body)
    assert response.status_code != 404, response.content[:300]


def test_lists_hold_only_the_keys_organization(client, api_key, foreign, people, other_key):
    ours, theirs = Api(client, api_key), Api(client, other_key)
    acme = ours.get("people", limit=500).json()
    assert acme["count"] == len(people)
    assert foreign["person_id"] not in {p["id"] for p in acme["items"]}
    assert ours.get("cycles").json()["count"] == 0
    globex = theirs.get("cycles").json()
    assert [c["id"] for c in globex["items"]] == [foreign["cycle_id"]]
    assert theirs.get("people").json()["count"] == 1
