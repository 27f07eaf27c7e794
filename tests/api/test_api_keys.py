"""API keys: made by org admins only, stored as SHA-256 only, shown once, refused once
revoked or once their admin is no longer one, and the key acts in its own organization."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import timedelta

import pytest
from api_helpers import Api, error_of
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leadwell.api.models import ApiKey
from leadwell.api.services import ApiKeyError, api_key_create, api_key_revoke


def test_a_new_key_is_lw_and_256_random_bits_stored_only_as_its_sha256(org, admin):
    key, clear = api_key_create(organization=org, name="HR sync", actor=admin)
    assert clear.startswith("lw_")
    secret = clear[3:]
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32  # 256 bits from secrets
    key.refresh_from_db()
    assert key.key_hash == hashlib.sha256(clear.encode()).hexdigest()
    assert key.prefix == clear[:8]
    assert key.created_by == admin
    assert key.last_used_at is None
    assert key.revoked_at is None


def test_no_clear_key_is_anywhere_in_the_database(org, admin, client):
    _, clear = api_key_create(organization=org, name="HR sync", actor=admin)
    client.force_login(admin)
    made = client.post("/api/keys/new/", {"name": "BI dashboard"})
    shown = made.context["clear"]
    assert shown in made.content.decode()
    Api(client, clear).get("people")  # used once: last_used_at written
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)  # every table, sessions included
    for key in (clear, shown):
        assert key[8:] not in dump.getvalue()  # not even the part after the prefix
    assert hashlib.sha256(shown.encode()).hexdigest() in dump.getvalue()


def test_the_key_is_shown_once_and_never_again(org, admin, client):
    client.force_login(admin)
    made = client.post("/api/keys/new/", {"name": "HR sync"})
    clear = made.context["clear"]
    assert "Copy it now: it will not be shown again." in made.content.decode()
    assert made["Cache-Control"] == "private, no-store"
    key = ApiKey.objects.get()
    for page in ("/api/keys/", f"/api/keys/{key.pk}/revoke/", "/api/keys/new/"):
        content = client.get(page).content.decode()
        assert clear not in content
        assert clear[8:] not in content
    assert clear[:8] in client.get("/api/keys/").content.decode()


def test_a_revoked_key_is_refused_with_401(org, admin, client):
    key, clear = api_key_create(organization=org, name="HR sync", actor=admin)
    api = Api(client, clear)
    assert api.get("people").status_code == 200
    api_key_revoke(key=key, actor=admin)
    error = error_of(api.get("people"), 401)
    assert error["code"] == "unauthorized"
    assert "revoked" in error["message"]
    with pytest.raises(ApiKeyError, match="already revoked"):
        api_key_revoke(key=key, actor=admin)


def test_an_unknown_key_and_no_key_are_refused_with_401_and_a_bearer_challenge(client, api_key):
    wrong = api_key[:-1] + ("A" if api_key[-1] != "A" else "B")
    for api in (Api(client, wrong), Api(client, wrong, header="x-api-key"), Api(client, None)):
        response = api.get("people")
        error_of(response, 401)
        assert response["WWW-Authenticate"] == 'Bearer realm="leadwell"'
    assert "Authorization: Bearer" in Api(client, None).get("people").json()["error"]["message"]


def test_the_key_also_works_in_an_x_api_key_header(client, api_key):
    assert Api(client, api_key, header="x-api-key").get("people").status_code == 200


def test_a_key_stops_working_when_its_admin_loses_the_admin_role(client, api_key, admin, org):
    from leadwell.orgs.models import Role

    api = Api(client, api_key)
    assert api.get("people").status_code == 200
    Role.objects.filter(user=admin, organization=org, role=Role.ADMIN).delete()
    assert error_of(api.get("people"), 401)["code"] == "unauthorized"


def test_only_an_org_admin_of_the_organization_can_make_or_revoke_keys(
    org, other_org, admin, outsider, leader
):
    with pytest.raises(ApiKeyError, match="Only an org admin"):
        api_key_create(organization=org, name="x", actor=outsider)
    with pytest.raises(ApiKeyError, match="Only an org admin"):
        api_key_create(organization=org, name="x", actor=leader.user)
    key, _ = api_key_create(organization=org, name="x", actor=admin)
    with pytest.raises(ApiKeyError, match="Only an org admin"):
        api_key_revoke(key=key, actor=outsider)
    with pytest.raises(ApiKeyError, match="Give the key a name"):
        api_key_create(organization=org, name="  ", actor=admin)
    assert ApiKey.objects.count() == 1


def test_last_used_is_written_at_most_once_a_minute(client, api_key):
    api = Api(client, api_key)
    api.get("people")
    key = ApiKey.objects.get()
    first = key.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        api.get("people")
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "apikey" in q["sql"]]
    assert ApiKey.objects.get().last_used_at == first
    ApiKey.objects.update(last_used_at=first - timedelta(minutes=2))
    api.get("people")
    assert ApiKey.objects.get().last_used_at > first - timedelta(seconds=1)
    assert ApiKey.objects.get().last_used_at <= timezone.now()


def test_a_superuser_can_revoke_but_not_add_keys_in_the_django_admin(client, org, admin):
    from django.contrib.auth import get_user_model

    key, clear = api_key_create(organization=org, name="HR sync", actor=admin)
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-long-enough")
    client.force_login(root)
    assert client.get("/django-admin/api/apikey/add/").status_code == 403
    listing = client.get("/django-admin/api/apikey/")
    assert key.prefix in listing.content.decode()
    assert clear[8:] not in listing.content.decode()
    client.post("/django-admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_by == root
    assert Api(client, clear).get("people").status_code == 401
