"""The API's part of the authorization matrix: every operation of /api/openapi.json × {no key,
our organization's key, another organization's key}, on our organization's objects.

tests/api/test_api_isolation.py already sends our key to every id-taking operation with
another organization's object (404, nothing changed) and with our own (not 404). This module
covers the rest: no key at all (401 and nothing changed, for every operation), the other
organization's key on our objects (404 for every id-taking operation; its lists and creations
stay inside its own organization), our key on our objects (the answer each operation is meant
to give), and that a signed-in session is no API credential (see the api:v1 rows of
test_security_authorization.py). The key pages under /api/keys/ are rows of that table too;
revoking is checked here with a POST.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from leadwell.api.main import api as ninja_api

PARAM = re.compile(r"{(\w+)}")
# Which of the world's objects (tests/security/conftest.py) each path parameter names.
OBJECTS = {
    "person_id": "leader_person",
    "cycle_id": "cycle",
    "assessment_id": "assessment",
    "nomination_id": "nomination",
    "export_id": "export",
}
# operationId: (no key, other organization's key, our key), on our organization's objects.
EXPECTED = {
    # Lists and creations: the other key works in its own organization (its lists are checked
    # below); person_create and people_sync's examples name a unit Globex lacks (422).
    "people_list": (401, 200, 200),
    "person_create": (401, 422, 201),
    "people_sync": (401, 422, 200),
    "cycles_list": (401, 200, 200),
    "cycle_create": (401, 201, 201),
    # Our objects: 404 to the other key. Our key's 409/422 are the rules of a released cycle
    # and of the example bodies (ids that are not ours): past the authorization, not a refusal.
    "person_detail": (401, 404, 200),
    "person_update": (401, 404, 200),
    "cycle_detail": (401, 404, 200),
    "cycle_advance": (401, 404, 409),
    "assessments_list": (401, 404, 200),
    "assessments_add": (401, 404, 422),
    "assessment_detail": (401, 404, 200),
    "nominations_list": (401, 404, 200),
    "nomination_propose": (401, 404, 422),
    "nomination_approve": (401, 404, 200),
    "nomination_decline": (401, 404, 200),
    "assessment_report": (401, 404, 200),
    "cycle_results": (401, 404, 200),
    "export_create": (401, 404, 202),
    "export_detail": (401, 404, 200),
    "export_file": (401, 404, 200),
}


def _operations() -> list[tuple[str, str, str, Any]]:
    schema = ninja_api.get_openapi_schema(path_prefix="/api/")
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                body = schema["components"]["schemas"][ref]["examples"][0]
            found.append((operation["operationId"], method.upper(), path, body))
    return found


OPERATIONS = _operations()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _call(client: Any, key: str | None, method: str, url: str, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if method == "GET":
        return client.get(url, headers=headers)
    data = json.dumps(body) if body is not None else ""
    send = getattr(client, method.lower())
    return send(url, data, content_type="application/json", headers=headers)


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    from django.apps import apps

    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for config in apps.get_app_configs()
        if config.name.startswith("leadwell") and config.label != "api"  # keys note last use
        for model in config.get_models()
    }


def test_every_operation_has_its_expected_answers():
    assert {op for op, *_ in OPERATIONS} == set(EXPECTED), "add the new operation to EXPECTED"


def test_each_key_gets_the_expected_answer_on_our_objects(world, client):
    urls = {
        op: "/" + PARAM.sub(lambda m: str(world.own.pks[OBJECTS[m.group(1)]]), path).lstrip("/")
        for op, _, path, _ in OPERATIONS
    }
    keys = {"none": None, "other": world.other.tokens["api"], "own": world.own.tokens["api"]}
    wrong = []
    # Refusals first (no key, then the other organization's), our own key's changes last.
    for who, column in (("none", 0), ("other", 1), ("own", 2)):
        for op, method, path, body in OPERATIONS:
            before = _snapshot() if who == "none" or "{" in path else None
            got = _call(client, keys[who], method, urls[op], body).status_code
            if got != EXPECTED[op][column]:
                expected = EXPECTED[op][column]
                wrong.append(f"{who} key {method} {urls[op]}: expected {expected}, got {got}")
            elif before is not None and got >= 400 and _snapshot() != before:
                wrong.append(f"{who} key {method} {urls[op]}: refused ({got}) yet rows changed")
    assert not wrong, "\n".join(wrong)


def test_each_keys_lists_hold_only_its_own_organization(world, client):
    from leadwell.cycles.models import Cycle
    from leadwell.orgs.models import Person

    for side, org_of in ((world.own, "acme"), (world.other, "globex")):
        key = side.tokens["api"]
        people = _call(client, key, "GET", "/api/people?limit=500", None).json()["items"]
        cycles = _call(client, key, "GET", "/api/cycles?limit=500", None).json()["items"]
        ids = {p["id"] for p in people}
        assert ids == set(
            Person.objects.filter(organization__slug=org_of).values_list("pk", flat=True)
        )
        assert {c["id"] for c in cycles} == set(
            Cycle.objects.filter(organization__slug=org_of).values_list("pk", flat=True)
        )


def test_a_cycle_created_with_a_key_lands_in_the_keys_organization(world, client):
    from leadwell.cycles.models import Cycle

    body = {"name": "Made by Globex"}
    answer = _call(client, world.other.tokens["api"], "POST", "/api/cycles", body)
    assert answer.status_code == 201, answer.content[:300]
    assert Cycle.objects.get(pk=answer.json()["id"]).organization.slug == "globex"


@pytest.mark.parametrize("role", ["leader", "coach", "manager", "outsider", "superuser"])
def test_only_the_org_admin_revokes_the_organizations_key(world, role):
    from leadwell.api.models import ApiKey

    url = f"/api/keys/{world.own.pks['key']}/revoke/"
    assert world.clients[role].post(url).status_code == 404
    key = ApiKey.objects.get(pk=world.own.pks["key"])
    assert key.revoked_at is None
    assert world.clients["admin"].post(url).status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None  # the control
