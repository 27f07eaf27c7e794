"""One error shape for every failure of the API, from whichever layer it comes: rate limit,
unknown path, wrong method, unreadable or invalid body, too large, a server error."""

from __future__ import annotations

import logging

from api_helpers import Api, error_of


def test_a_key_over_its_rate_gets_429_with_retry_after_and_other_keys_do_not(
    client, api_key, other_key, settings
):
    settings.LEADWELL_API_RATE = "3/m"
    api = Api(client, api_key)
    assert [api.get("people").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("cycles")  # any endpoint: the limit is per key
    error = error_of(refused, 429)
    assert error["code"] == "rate_limited"
    assert error["message"].startswith(
        "Too many requests: each API key may make 3 requests a minute."
    )
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Api(client, other_key).get("people").status_code == 200


def test_the_rate_window_slides(client, api_key, settings, monkeypatch):
    from leadwell.api.main import api as ninja_api

    (throttle,) = (
        ninja_api.throttle if isinstance(ninja_api.throttle, list) else [ninja_api.throttle]
    )
    now = [1000.0]
    monkeypatch.setattr(throttle, "timer", lambda: now[0])
    settings.LEADWELL_API_RATE = "2/s"
    api = Api(client, api_key)
    assert [api.get("people").status_code for _ in range(3)] == [200, 200, 429]
    now[0] += 1.01
    assert api.get("people").status_code == 200


def test_an_unknown_path_is_404_in_the_error_shape(api):
    assert error_of(api.get("/api/nothing/here"), 404)["code"] == "not_found"
    assert error_of(api.get("/api/people/"), 404)["code"] == "not_found"


def test_a_wrong_method_is_405_with_allow(api):
    response = api.call("DELETE", "people")
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_an_unreadable_body_is_400(api):
    response = api.client.post(
        "/api/cycles", "{not json", content_type="application/json", headers=api.headers
    )
    assert error_of(response, 400)["code"] == "bad_request"


def test_a_null_character_is_refused_before_any_query(api):
    assert error_of(api.get("people", q="a\x00b"), 400)["message"].endswith("(U+0000).")
    assert error_of(api.post("cycles", {"name": "a\u0000b"}), 400)["code"] == "bad_request"


def test_an_invalid_body_names_the_bad_fields(api):
    error = error_of(api.post("cycles", {"name": "X", "min_anonymous": "many", "colour": 1}), 422)
    assert error["code"] == "invalid"
    places = {tuple(d["loc"]) for d in error["details"]}
    assert places == {("body", "data", "min_anonymous"), ("body", "data", "colour")}
    assert "min_anonymous" in error["message"]


def test_a_body_over_the_upload_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    people = [{"name": f"P{i}", "email": f"p{i}@acme.example"} for i in range(100)]
    error = error_of(api.post("people/sync", {"people": people}), 413)
    assert error["code"] == "too_large"


def test_a_server_error_is_500_in_the_shape_without_the_trace_and_is_logged(
    api, monkeypatch, caplog
):
    from leadwell.api import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(selectors, "people_filtered", broken)
    with caplog.at_level(logging.ERROR, logger="leadwell.api.errors"):
        response = api.get("people")
    error = error_of(response, 500)
    assert error["code"] == "server_error"
    assert b"secret detail" not in response.content
    assert b"Traceback" not in response.content
    assert "secret detail of the failure" in caplog.text


def test_the_openapi_document_and_the_docs_need_no_key(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["components"]["securitySchemes"]) == {"BearerKey", "HeaderKey"}
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/").url == "/api/docs"


def test_an_offset_beyond_what_a_database_takes_is_422_not_a_crash(api, people):
    error = error_of(api.get("people", offset=10**30), 422)
    assert error["details"][0]["loc"] == ["query", "offset"]
    assert api.get("people", offset=2**62).json() == {"count": 8, "next": None, "items": []}
