"""The API key pages: org admins only (others get 404, visitors the sign-in page), changes by
POST with a CSRF token, and revoking asks first."""

from __future__ import annotations

import pytest
from django.test import Client

from leadwell.api.models import ApiKey
from leadwell.api.services import api_key_create

PAGES = ("/api/keys/", "/api/keys/new/")


@pytest.mark.parametrize("page", PAGES)
def test_a_visitor_is_sent_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", PAGES)
def test_a_leader_or_a_coach_gets_404(client, leader, coach, page):
    for user in (leader.user, coach):
        client.force_login(user)
        assert client.get(page).status_code == 404


def test_an_admin_of_another_organization_cannot_see_or_revoke_our_keys(
    client, org, admin, outsider
):
    key, _ = api_key_create(organization=org, name="HR sync", actor=admin)
    client.force_login(outsider)
    assert "HR sync" not in client.get("/api/keys/").content.decode()
    assert client.get(f"/api/keys/{key.pk}/revoke/").status_code == 404
    assert client.post(f"/api/keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_the_list_shows_name_prefix_made_last_used_and_status(client, org, admin):
    used, clear = api_key_create(organization=org, name="HR sync", actor=admin)
    gone, _ = api_key_create(organization=org, name="Old BI", actor=admin)
    from leadwell.api.services import api_key_revoke

    api_key_revoke(key=gone, actor=admin)
    client.get("/api/people", headers={"Authorization": f"Bearer {clear}"})
    client.force_login(admin)
    page = client.get("/api/keys/").content.decode()
    assert used.prefix in page
    assert gone.prefix in page
    assert page.count('badge bad">revoked') == 1
    assert page.count('badge good">active') == 1
    assert page.count(">never<") == 1  # the revoked key was never used; the other was
    assert page.count("by admin") == 2


def test_making_and_revoking_need_the_csrf_token(org, admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    assert browser.post("/api/keys/new/", {"name": "HR sync"}).status_code == 403
    assert not ApiKey.objects.exists()
    form = browser.get("/api/keys/new/")
    token = form.context["csrf_token"]
    made = browser.post("/api/keys/new/", {"name": "HR sync", "csrfmiddlewaretoken": str(token)})
    assert made.status_code == 200
    assert ApiKey.objects.count() == 1
    key = ApiKey.objects.get()
    assert browser.post(f"/api/keys/{key.pk}/revoke/").status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None


def test_revoking_asks_first_and_then_revokes(client, org, admin):
    key, _ = api_key_create(organization=org, name="HR sync", actor=admin)
    client.force_login(admin)
    confirm = client.get(f"/api/keys/{key.pk}/revoke/")
    assert "Revoke the key “HR sync”?" in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None
    done = client.post(f"/api/keys/{key.pk}/revoke/", follow=True)
    assert "is revoked: it no longer works" in done.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key.revoked_by == admin


def test_a_blank_name_is_refused_with_a_message(client, admin):
    client.force_login(admin)
    response = client.post("/api/keys/new/", {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ApiKey.objects.exists()
