"""Browser tests: a real Chromium (Debian's, /usr/bin/chromium) driven by Playwright against
pytest-django's live server, with axe-core checking accessibility.

On CI (CI=true) a missing browser is a failure, not a skip: a green run must not hide a missing
install step. Screenshots go to ``LEADWELL_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The ``browser`` fixture (one Chromium per test process) is in tests/conftest.py: Playwright's
# sync API allows one instance per thread, and other folders' browser tests share it.


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def axe_clean():
    """Check a page with axe-core (WCAG 2.1 A and AA rules): no violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, what: str) -> None:
        results = axe.run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
        violations = results.response.get("violations", [])
        summary = "; ".join(
            f"{v['id']} ({v['impact']}): {len(v['nodes'])} × {v['nodes'][0]['target']}"
            for v in violations
        )
        assert not violations, f"axe-core on {what}: {summary}"

    return check


@pytest.fixture
def shot():
    """Save a screenshot under LEADWELL_SCREENSHOTS (for looking at, not for comparing)."""
    folder = os.environ.get("LEADWELL_SCREENSHOTS")

    def take(page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take
