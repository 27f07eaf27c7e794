"""The other links that carry a token, a shared vision (/v/<token>/) and a one-time sign-in
link (/accounts/link/<token>/), are rate limited per client IP like rater links: after
LEADWELL_LINK_GUESS_LIMIT unknown tokens an address gets 429 for the window, its working links
included, while other addresses are not affected."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
GUESSER, OTHER = "203.0.113.7", "198.51.100.4"


@pytest.fixture
def low_limit(settings):
    settings.LEADWELL_LINK_GUESS_LIMIT = 3
    settings.LEADWELL_LINK_GUESS_MINUTES = 5


@pytest.fixture
def shared_vision(leader):
    from leadwell.development import tools
    from leadwell.development.services import plan_create

    plan = plan_create(leader=leader, facets=["L3"], title="Lee's plan")
    tools.vision_save(
        plan=plan, together="Ship it together", people="Grow", customers="Serve", statement="Go"
    )
    return reverse("vision_public", args=[tools.vision_share(plan=plan)])


def _get(client, url, ip):
    return client.get(url, REMOTE_ADDR=ip)


def test_guessed_vision_links_are_refused_after_the_limit(client, low_limit, shared_vision):
    assert _get(client, shared_vision, GUESSER).status_code == 200
    for n in range(3):
        guess = reverse("vision_public", args=[f"guess-{n}"])
        assert _get(client, guess, GUESSER).status_code == 404

    blocked = _get(client, shared_vision, GUESSER)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Ship it together" not in blocked.content.decode()
    assert _get(client, shared_vision, OTHER).status_code == 200  # other addresses unaffected


def test_guessed_sign_in_links_are_refused_after_the_limit(client, low_limit, leader):
    from leadwell.accounts.services import sign_in_link_create

    token = sign_in_link_create(user=leader.user)
    working = reverse("accounts:link_use", args=[token])
    for n in range(3):
        refused = _get(client, reverse("accounts:link_use", args=[f"guess-{n}"]), GUESSER)
        assert refused.status_code == 410

    assert _get(client, working, GUESSER).status_code == 429
    answer = client.post(reverse("accounts:link_use", args=[token]), REMOTE_ADDR=GUESSER)
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session  # nobody signed in
    assert _get(client, working, OTHER).status_code == 200
