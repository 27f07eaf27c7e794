"""The API's pages in a real Chromium: the interactive docs run Swagger UI under the
Content-Security-Policy (nothing blocked, every operation listed), and an admin makes, uses
and revokes a key. axe-core checks the key pages (WCAG 2.1 AA); screenshots go to
LEADWELL_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from api_helpers import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.blocked = blocked
    yield page
    context.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("LEADWELL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _axe_clean(page, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    violations = results.response.get("violations", [])
    summary = "; ".join(f"{v['id']}: {v['nodes'][0]['target']}" for v in violations)
    assert not violations, f"axe-core on {what}: {summary}"


def test_the_docs_page_runs_swagger_ui_under_the_csp_and_tries_a_request(
    live_server, page, api_key, people
):
    from leadwell.api.main import api

    operations = sum(
        len(methods) for methods in api.get_openapi_schema(path_prefix="/api/")["paths"].values()
    )
    response = page.goto(f"{live_server.url}/api/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() == operations
    # Authorize with the key, then try GET /api/people from the page.
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".modal-ux input").first.fill(api_key)
    page.locator(".modal-ux button.modal-btn.authorize").first.click()
    page.locator(".modal-ux button.modal-btn.btn-done").first.click()
    block = page.locator("#operations-people-people_list")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert "maria@acme.example" in block.locator(".live-responses-table").inner_text()
    assert page.blocked == [], page.blocked
    _shot(page, "api-docs")


def test_an_admin_makes_uses_and_revokes_a_key(live_server, page, admin, org):
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/api/keys/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="API keys of Acme").wait_for()
    _axe_clean(page, "the key list (empty)")
    page.get_by_role("link", name="New key").click()
    _axe_clean(page, "the new key form")
    _shot(page, "api-key-new")
    page.get_by_label("Name").fill("HR sync")
    page.get_by_role("button", name="Make the key").click()
    page.get_by_text("Copy it now: it will not be shown again.").wait_for()
    key = page.get_by_label("API key").input_value()
    assert key.startswith("lw_")
    assert len(key) == 46
    assert page.get_by_role("button", name="Copy the key").is_visible()
    _axe_clean(page, "the new key")
    _shot(page, "api-key-created")

    answer = page.request.get(f"{base}/api/people", headers={"Authorization": f"Bearer {key}"})
    assert answer.status == 200, answer.text()

    page.get_by_role("link", name="I have copied it: back to the keys").click()
    assert key not in page.content()
    assert key[:8] in page.content()
    _axe_clean(page, "the key list")
    _shot(page, "api-keys")
    page.get_by_role("link", name="Revoke HR sync").click()
    _axe_clean(page, "the revoke confirmation")
    _shot(page, "api-key-revoke")
    page.get_by_role("button", name="Revoke the key").click()
    page.get_by_text("is revoked: it no longer works").wait_for()
    answer = page.request.get(f"{base}/api/people", headers={"Authorization": f"Bearer {key}"})
    assert answer.status == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert page.blocked == [], page.blocked
    _shot(page, "api-keys-revoked")
