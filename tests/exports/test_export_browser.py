"""The export pages in a real Chromium: an admin prepares an export, follows it and downloads
it, or downloads a small cycle at once; axe-core finds no WCAG 2.1 A/AA violation. Screenshots
go to LEADWELL_SCREENSHOTS when it is set. (The browser fixtures of tests/e2e/ live in that
folder's conftest, so this module launches its own, the same way.)"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _check(page, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    violations = results.response.get("violations", [])
    assert not violations, f"axe-core on {what}: " + "; ".join(v["id"] for v in violations)
    folder = os.environ.get("LEADWELL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"export-{what}.png"), full_page=True)


def test_an_admin_prepares_follows_and_downloads_an_export(
    live_server, page, admin, results, exports_dir
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/exports/cycle/{results.pk}/")
    page.get_by_role("heading", name="Export the results of Spring 2026").wait_for()
    _check(page, "cycle")
    page.get_by_label("JSON").check()
    page.get_by_label("Include the raw responses").check()
    page.get_by_role("button", name="Prepare the file").click()
    page.get_by_text("Done").first.wait_for()  # the test settings run the task at once
    _check(page, "done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download leadwell-spring-2026-results.json").click()
    document = json.loads(Path(download.value.path()).read_text())
    assert len(document["tables"]["responses"]) == 12
    page.goto(f"{live_server.url}/exports/cycle/{results.pk}/")
    page.get_by_label("CSV").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download now").click()
    assert download.value.suggested_filename == "leadwell-spring-2026-results.zip"
    names = zipfile.ZipFile(download.value.path()).namelist()
    assert names == ["readme.csv", "assessments.csv", "figures.csv", "gaps.csv", "comments.csv"]
    page.reload()
    _check(page, "list")
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, "the export page is wider than a phone's screen"
    _check(page, "phone")
