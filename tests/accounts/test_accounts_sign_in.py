"""Signing in with a password, throttled by django-axes, and signing out (POST only)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.conf import settings
from django.urls import reverse

PASSWORD = "a-long-test-password"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.controls: list[dict] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"])
        elif tag == "input" and attributes.get("type") not in ("hidden", "submit"):
            self.controls.append(attributes)


def assert_accessible_basics(response) -> None:
    page = _Page()
    page.feed(response.content.decode())
    assert page.h1 == 1
    for control in page.controls:
        assert control.get("id") in page.label_for, control


def test_the_sign_in_page_has_a_heading_and_labelled_fields(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_accessible_basics(response)
    assert 'autocomplete="current-password"' in response.content.decode()


def test_the_right_password_signs_in_and_goes_home(client, admin):
    response = client.post(reverse("accounts:login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("orgs:people")).status_code == 200


def test_a_wrong_password_says_so_on_the_page(client, admin):
    response = client.post(reverse("accounts:login"), {"username": "admin", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert_accessible_basics(response)


def test_the_throttle_locks_after_the_failure_limit_even_for_the_right_password(client, admin):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        response = client.post(
            reverse("accounts:login"), {"username": "admin", "password": f"wrong-{attempt}"}
        )
        assert response.status_code == 200
    locked = client.post(reverse("accounts:login"), {"username": "admin", "password": "wrong"})
    assert locked.status_code == 429
    body = locked.content.decode()
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert f"Try again in {minutes} minutes" in body
    assert_accessible_basics(locked)
    right = client.post(reverse("accounts:login"), {"username": "admin", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_out_takes_a_post(client, admin):
    client.force_login(admin)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
