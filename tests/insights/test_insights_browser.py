"""Org insights in a real Chromium: the admin opens a closed cycle's insights, the page computes
them, refreshes itself and shows every section; axe-core finds no WCAG 2.1 AA violation, on a
desktop and on a 360 px phone (where the wide tables scroll inside their own frames).
Screenshots go to LEADWELL_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _check(page, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    violations = results.response.get("violations", [])
    summary = "; ".join(f"{v['id']}: {v['nodes'][0]['target']}" for v in violations)
    assert not violations, f"axe-core on {what}: {summary}"
    folder = os.environ.get("LEADWELL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"insights-{what}.png"), full_page=True)


def test_an_admin_reads_a_cycles_insights(live_server, page, admin, org, cycle_builder):
    cycle = cycle_builder(org, leaders=30, seed=4)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/cycles/")
    page.get_by_role("link", name="Org insights").click()
    _check(page, "index")
    page.get_by_role("link", name=cycle.name).click()
    # The test settings run the computation inside the first request; the page shows it.
    page.get_by_role("heading", name="Drivers of followership").wait_for()
    for heading in ("Managing and leading across the ranks", "Peter Principle watch"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("table", name="Leaders by level, from the top of the org chart down")
    _check(page, "cycle")

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, "the insights page is wider than a phone's screen"
    _check(page, "phone")
