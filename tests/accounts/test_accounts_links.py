"""One-time sign-in links: sent only to leaders and coaches, work once, for 15 minutes, and
their tokens are never stored in clear."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from leadwell.accounts import services
from leadwell.accounts.models import SignInLink
from leadwell.orgs.models import Role

LINK = re.compile(r"https?://[^/\s]+(/accounts/link/([A-Za-z0-9_-]+)/)")


def ask_for_link(client, email: str):
    return client.post(reverse("accounts:link"), {"email": email}, follow=True)


def sent_link() -> tuple[str, str]:
    """The path and token of the last email's link."""
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1), match.group(2)


@pytest.fixture
def coach(org):
    user = get_user_model().objects.create_user("coach", "Coach@Acme.example", "x-long-password")
    Role.objects.create(organization=org, user=user, role=Role.COACH)
    return user


def test_a_leader_gets_a_link_that_signs_them_in_once(client, leader):
    response = ask_for_link(client, "LEE@example.com")  # the account's address, any case
    assert "If that address is known, a link is on its way" in response.content.decode()
    assert mail.outbox[-1].to == ["lee@example.com"]
    path, _ = sent_link()

    assert client.get(path).status_code == 200  # opening the link (or a mail scanner) uses nothing
    signed_in = client.post(path)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == leader.user.pk

    client.logout()
    again = client.post(path)
    assert again.status_code == 410
    assert "expired or was already used" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_person_records_address_also_gets_a_link(client, leader):
    ask_for_link(client, "lee@acme.example")
    assert mail.outbox[-1].to == ["lee@acme.example"]


def test_the_link_uses_the_site_address_not_the_requests_host(client, leader, settings):
    settings.SITE_URL = "https://leadwell.example.org"
    client.post(reverse("accounts:link"), {"email": "lee@example.com"}, HTTP_HOST="localhost")
    assert "https://leadwell.example.org/accounts/link/" in mail.outbox[-1].body


def test_a_coach_gets_a_link_too(client, coach):
    ask_for_link(client, "coach@acme.example")
    path, _ = sent_link()
    client.post(path)
    assert int(client.session["_auth_user_id"]) == coach.pk


@pytest.mark.parametrize("who", ["unknown", "admin", "leader_who_is_admin", "inactive"])
def test_the_page_says_the_same_and_sends_nothing_to_others(client, admin, leader, who):
    email = {"unknown": "stranger@example.com", "admin": "admin@example.com"}.get(who)
    if who == "leader_who_is_admin":
        Role.objects.create(organization=leader.organization, user=leader.user, role=Role.ADMIN)
        email = "lee@example.com"
    if who == "inactive":
        get_user_model().objects.filter(pk=leader.user.pk).update(is_active=False)
        email = "lee@example.com"
    response = ask_for_link(client, email)
    assert "If that address is known, a link is on its way" in response.content.decode()
    assert mail.outbox == []
    assert not SignInLink.objects.exists()


def test_a_link_expires_after_fifteen_minutes(client, leader, monkeypatch):
    token = services.sign_in_link_create(user=leader.user)
    link = SignInLink.objects.get()
    assert abs(link.expires_at - (timezone.now() + timedelta(minutes=15))) < timedelta(seconds=5)
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=14, seconds=50))
    assert services.sign_in_link_check(token=token)
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=15, seconds=10))
    assert not services.sign_in_link_check(token=token)
    response = client.post(reverse("accounts:link_use", args=[token]))
    assert response.status_code == 410
    assert "_auth_user_id" not in client.session


def test_a_made_up_token_signs_nobody_in(client, leader):
    services.sign_in_link_create(user=leader.user)
    with pytest.raises(services.SignInLinkError):
        services.sign_in_link_use(token="not-a-real-token")
    assert client.get(reverse("accounts:link_use", args=["nope"])).status_code == 410


def test_the_token_is_never_stored_in_clear(client, leader):
    ask_for_link(client, "lee@example.com")
    _, token = sent_link()
    assert len(token) >= 43  # 256 bits in URL-safe base64
    link = SignInLink.objects.get()
    assert link.token_hash == services.token_hash(token)
    columns = [f.column for f in SignInLink._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {SignInLink._meta.db_table}")
        stored = cursor.fetchall()
    assert stored
    assert all(token not in str(value) for row in stored for value in row)


def test_using_a_link_uses_up_the_others_waiting(leader):
    first = services.sign_in_link_create(user=leader.user)
    second = services.sign_in_link_create(user=leader.user)
    assert services.sign_in_link_use(token=second) == leader.user
    assert not services.sign_in_link_check(token=first)


def test_asking_again_and_again_sends_at_most_three_links(client, leader):
    for _ in range(5):
        ask_for_link(client, "lee@example.com")
    assert len(mail.outbox) == services.MAX_OPEN_LINKS


def test_the_link_pages_have_a_heading_and_a_labelled_field(client, db):
    page = client.get(reverse("accounts:link")).content.decode()
    assert page.count("<h1>") == 1
    assert '<label for="id_email">' in page
    assert 'id="id_email"' in page
    sent = client.get(reverse("accounts:link_sent")).content.decode()
    assert sent.count("<h1>") == 1
