"""The health check, settings from the environment, and the `leadwell manage` front door."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from leadwell.config import env


@pytest.mark.django_db
def test_health_answers_ok_when_the_database_answers(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_envbool_reads_common_spellings_and_rejects_others(monkeypatch):
    for text, expected in (("1", True), ("Yes", True), ("off", False), ("", False)):
        monkeypatch.setenv("X_FLAG", text)
        assert env.envbool("X_FLAG") is expected
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be true or false"):
        env.envbool("X_FLAG")


def test_envint_names_the_variable_on_a_bad_value(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUMBER must be a whole number"):
        env.envint("X_NUMBER", 3)


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.envsecret("X_SECRET") == "from-a-file"
    monkeypatch.delenv("X_SECRET_FILE")
    monkeypatch.delenv("X_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_SECRET is not set"):
        env.envsecret("X_SECRET")


def test_settings_refuse_to_start_without_a_secret_key(tmp_path):
    import subprocess
    import sys

    environment = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "leadwell.config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment, capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_server_error_page_says_what_to_do_and_shows_no_internals(rf):
    # Django renders 500.html with no context at all: the page must not need a user or a
    # request, and must tell a rater that saved pages are kept and pressing again is safe.
    from django.views.defaults import server_error

    response = server_error(rf.get("/r/some-token/submit/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "the pages you moved past are saved" in page
    assert "never counted twice" in page
    assert "Traceback" not in page
    assert "Sign out" not in page


def test_a_request_the_database_cannot_answer_gets_503_with_retry_after(rf):
    from django.db.utils import OperationalError

    from leadwell.config.views import RETRY_AFTER, server_error

    request = rf.get("/r/some-token/submit/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)  # Django calls it while handling the exception
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert "Back in a moment" in page
    assert "the pages you moved past are saved" in page
    assert "connection refused" not in page
    try:
        raise ValueError("a bug")
    except ValueError:
        other = server_error(request)
    assert other.status_code == 500
    assert not other.has_header("Retry-After")


@pytest.mark.slow
def test_leadwell_serve_answers_503_with_retry_after_while_postgres_is_unreachable(
    tmp_path, leadwell, closed_port
):
    """A real server whose DATABASE_URL points at a port where no PostgreSQL listens (as when
    it is stopped or restarting): survey pages and the health check say 503, try again."""
    nowhere = closed_port
    server = leadwell(
        "serve", "--no-migrate", "--workers", "1",
        env={"DATABASE_URL": f"postgres://postgres@127.0.0.1:{nowhere}/leadwell",
             "LEADWELL_INSECURE": "1", "LEADWELL_HOME": str(tmp_path),
             "ALLOWED_HOSTS": "127.0.0.1"},
    )  # fmt: skip
    assert server.health(60) == 503
    status, headers, page = server.fetch("/r/" + "x" * 43 + "/")
    assert status == 503
    assert headers["Retry-After"].isdigit()
    assert "Back in a moment" in page
    assert "Traceback" not in page
    assert str(nowhere) not in page  # nothing of the connection's details
