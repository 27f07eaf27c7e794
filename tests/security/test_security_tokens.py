"""Rater links, dead links after close, sign-in throttling and sessions (docs/security-tokens.md).

Links are made exactly as the invitation emails make them (``link_token`` of the invitation's
id and a salt under SECRET_KEY, stored as its SHA-256). Client IPs come from the TEST-NET
ranges of RFC 5737, so no test address is anyone's.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from leadwell.cycles.models import Assessment, Cycle, Draft, Invitation, Response
from leadwell.cycles.services import (
    cycle_close,
    cycle_release,
    hash_token,
    link_token,
    new_salt,
)
from leadwell.instrument import load_instrument
from leadwell.survey import throttle
from leadwell.survey.layout import page_plan

PASSWORD = "a-long-test-password"
GUESSER, RATER, ELSEWHERE = "203.0.113.7", "198.51.100.4", "192.0.2.55"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the shared local-memory cache: start and leave it empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cycle(org):
    return Cycle.objects.create(organization=org, name="Spring 2026", status=Cycle.OPEN)


@pytest.fixture
def invite(cycle, people):
    assessment = Assessment.objects.create(organization=cycle.organization, cycle=cycle,
                                           leader=people["Lee"])  # fmt: skip

    def make(name: str = "Ana", group: str = "peer") -> tuple[str, Invitation]:
        invitation = Invitation.objects.create(
            organization=cycle.organization, assessment=assessment, group=group, name=name,
            email=f"{name.lower()}@acme.example", token_hash="-", status=Invitation.SENT,
        )  # fmt: skip
        salt = new_salt()
        token = link_token(invitation.pk, salt)
        invitation.token_hash, invitation.token_salt = hash_token(token), salt
        invitation.save(update_fields=["token_hash", "token_salt"])
        return token, invitation

    return make


def _answer(value: int) -> dict[str, str]:
    """An answer to the first item of a peer's first page, as the page form posts it."""
    item = page_plan(load_instrument("1"), is_self=False).page(1).item_ids[0]
    return {"page": "1", f"item-{item}": str(value)}


def _client(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def _url(token: str, name: str = "start", **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


def _guess(client: Client, count: int) -> list[int]:
    return [client.get(_url(secrets.token_urlsafe(32))).status_code for _ in range(count)]


# --- guessed links -----------------------------------------------------------------------


def test_a_guessed_link_gets_the_same_404_page_whether_or_not_the_token_exists(invite, db):
    token, invitation = invite()
    old_salt_token = link_token(invitation.pk, new_salt())  # right id, wrong salt
    guesses = [
        secrets.token_urlsafe(32),
        secrets.token_urlsafe(32),
        invitation.token_hash,  # the stored hash is no credential
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character off a real link
        old_salt_token,
        "x" * 300,  # longer than any token: refused before hashing
    ]
    client = _client(GUESSER)
    answers = [client.get(_url(guess)) for guess in guesses]
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.content for answer in answers}) == 1
    body = answers[0].content.decode()
    assert "This link does not work" in body
    assert guesses[0] not in body
    assert _client(RATER).get(_url(token)).status_code == 200


def test_unknown_tokens_from_one_ip_are_refused_with_429_after_the_limit(settings, invite):
    settings.LEADWELL_LINK_GUESS_LIMIT, settings.LEADWELL_LINK_GUESS_MINUTES = 5, 10
    token, _ = invite()
    guesser = _client(GUESSER)
    assert _guess(guesser, 5) == [404] * 5
    refused = guesser.get(_url(secrets.token_urlsafe(32)))
    assert refused.status_code == 429
    assert 590 <= int(refused["Retry-After"]) <= 600  # the 10-minute block just started
    assert "Too many attempts" in refused.content.decode()
    assert "Try again in 10 minutes" in refused.content.decode()
    assert "no-store" in refused["Cache-Control"]
    # Refused before any look-up, so the answer says nothing about a real token either.
    assert guesser.get(_url(token)).status_code == 429
    autosave = guesser.post(_url(token, "autosave"), {"page": "1"})
    assert autosave.status_code == 429
    assert autosave.json()["saved"] is False
    assert int(autosave["Retry-After"]) > 0


def test_a_valid_link_keeps_working_for_its_rater_while_another_ip_guesses(settings, invite):
    settings.LEADWELL_LINK_GUESS_LIMIT = 3
    token, invitation = invite()
    guesser, rater = _client(GUESSER), _client(RATER)
    assert _guess(guesser, 4) == [404, 404, 404, 429]
    # The rater's own link, opened far more often than the limit, never counts as a guess.
    assert [rater.get(_url(token)).status_code for _ in range(10)] == [200] * 10
    assert rater.post(_url(token)).status_code == 302
    saved = rater.post(_url(token, "autosave"), _answer(4))
    assert saved.json() == {"saved": True}
    assert Draft.objects.filter(invitation=invitation).exists()
    assert _guess(_client(ELSEWHERE), 1) == [404]  # a third address has its own count
    assert _guess(guesser, 1) == [429]


def test_a_forged_forwarded_for_header_does_not_escape_the_block(settings, db):
    settings.LEADWELL_LINK_GUESS_LIMIT = 2
    guesser = _client(GUESSER)
    assert _guess(guesser, 2) == [404, 404]
    forged = guesser.get(_url(secrets.token_urlsafe(32)), HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert forged.status_code == 429


def test_the_block_lifts_when_the_window_has_passed(settings, db):
    settings.LEADWELL_LINK_GUESS_LIMIT, settings.LEADWELL_LINK_GUESS_MINUTES = 2, 2 / 60
    guesser = _client(GUESSER)
    assert _guess(guesser, 3) == [404, 404, 429]
    time.sleep(2.2)  # the cache's own expiry, in real time
    assert _guess(guesser, 1) == [404]


def test_the_documented_defaults_apply_when_settings_say_nothing(settings, db):
    for name in ("LEADWELL_LINK_GUESS_LIMIT", "LEADWELL_LINK_GUESS_MINUTES"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert (throttle.guess_limit(), throttle.guess_minutes()) == (20, 15)  # docs/security-tokens
    guesser = _client(GUESSER)
    assert _guess(guesser, 20) == [404] * 20
    refused = guesser.get(_url(secrets.token_urlsafe(32)))
    assert refused.status_code == 429
    assert 890 <= int(refused["Retry-After"]) <= 900


# --- dead links after close ----------------------------------------------------------------


@pytest.mark.parametrize("final", ["closed", "released"])
def test_a_link_of_a_closed_cycle_is_dead_and_nothing_is_written(settings, invite, cycle, final):
    settings.LEADWELL_LINK_GUESS_LIMIT = 1  # a dead link must not count as a guess
    token, invitation = invite()
    rater = _client(RATER)
    rater.post(_url(token))
    assert rater.post(_url(token, "autosave"), _answer(4)).json()["saved"]
    cycle_close(cycle)
    if final == "released":
        cycle_release(cycle)
    assert not Draft.objects.exists()  # closing deleted the unsent draft
    page = rater.get(_url(token))
    assert page.status_code == 410
    assert "This survey has closed" in page.content.decode()
    assert rater.post(_url(token)).status_code == 410
    draft = rater.post(_url(token, "autosave"), _answer(5))
    assert (draft.status_code, draft.json()) == (410, {"saved": False, "reason": "closed"})
    assert rater.post(_url(token, "page", number=1), _answer(5)).status_code == 410
    assert rater.post(_url(token, "submit")).status_code == 410
    assert not Draft.objects.exists()
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.STARTED  # as it was before the close
    assert _guess(rater, 2) == [404, 429]  # the first real guess is the first strike


# --- sign-in and sessions -----------------------------------------------------------------


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _lock_out(settings, client: Client, username: str = "admin") -> None:
    codes = [
        _sign_in(client, username, f"wrong-{n}").status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_failed_sign_ins_lock_out_the_right_password_until_the_cool_off_has_passed(settings, admin):
    from axes.models import AccessAttempt

    client = _client(GUESSER)
    _lock_out(settings, client)
    assert _sign_in(client, "admin", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # Let the cool-off pass by moving the recorded failures back in time (no clock mocking).
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - cool_off
                                 - timedelta(minutes=1))  # fmt: skip
    signed_in = _sign_in(client, "admin", PASSWORD)
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)


def test_a_lockout_follows_the_username_to_another_ip(settings, admin):
    _lock_out(settings, _client(GUESSER))
    assert _sign_in(_client(ELSEWHERE), "admin", PASSWORD).status_code == 429


def test_a_lockout_follows_the_ip_to_another_username(settings, admin, outsider):
    _lock_out(settings, _client(GUESSER), username="admin")
    assert _sign_in(_client(GUESSER), "outsider", PASSWORD).status_code == 429
    assert _sign_in(_client(RATER), "outsider", PASSWORD).status_code == 302


def test_signing_in_starts_a_new_session_so_a_planted_one_is_useless(admin):
    client = _client(RATER)
    planted = client.session
    planted["note"] = "set before sign-in"
    planted.save()
    before = planted.session_key
    assert _sign_in(client, "admin", PASSWORD).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() in ("lax", "strict")


def test_signing_out_deletes_the_session_on_the_server(admin):
    client = _client(RATER)
    _sign_in(client, "admin", PASSWORD)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replayed = Client(REMOTE_ADDR=RATER)
    replayed.cookies["sessionid"] = key
    assert replayed.get(reverse("cycles:list")).status_code == 302  # back to sign-in
