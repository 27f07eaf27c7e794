"""Helpers for the API tests (a module of its own: test modules cannot import conftest)."""

from __future__ import annotations

import json
from typing import Any

PASSWORD = "a-long-test-password"


class Api:
    """Django's test client speaking JSON to /api/ with one key (or none)."""

    def __init__(self, client: Any, key: str | None, header: str = "bearer") -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if key is not None:
            if header == "bearer":
                self.headers["Authorization"] = f"Bearer {key}"
            else:
                self.headers["X-API-Key"] = key

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        send = getattr(self.client, method.lower())
        url = path if path.startswith("/") else f"/api/{path}"
        if method.upper() == "GET":
            return send(url, params, headers=self.headers)
        data = json.dumps(body) if body is not None else ""
        return send(url, data, content_type="application/json", headers=self.headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, **params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("POST", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.call("PATCH", path, body)


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The error object of an answer, checking its status and the one error shape."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["message"], body
    return body["error"]
