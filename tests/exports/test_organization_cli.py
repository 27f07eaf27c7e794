"""`leadwell org-export` and `leadwell org-import`: the commands around the archive.

In-process runs (typer's CliRunner) use the test database; the exit statuses and the
one-line errors are checked on the installed console script in a real process, against a
SQLite file migrated for the purpose (exit 2: input the user can fix; exit 1: the database).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from test_organization_builder import build_organization
from typer.testing import CliRunner

from leadwell.cli import UserError, app
from leadwell.orgs.models import Organization

LEADWELL = Path(sys.executable).with_name("leadwell")  # the venv's console script
DOCS = Path(__file__).parents[2] / "docs"
runner = CliRunner()


@pytest.mark.django_db
def test_org_export_then_org_import_under_a_new_slug(tmp_path: Path) -> None:
    build_organization()
    # A path longer than any terminal line: the message must not break it over two lines.
    folder = tmp_path / ("a-folder-with-a-long-name-" * 6)
    folder.mkdir()
    archive = folder / "acme.zip"

    done = runner.invoke(app, ["org-export", "acme", str(archive)])
    assert done.exit_code == 0, done.output
    assert "Wrote Acme (" in done.output
    assert str(archive) in done.output
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["organization"]["slug"] == "acme"
    assert [p.name for p in folder.iterdir()] == ["acme.zip"]  # no temporary file left
    assert archive.stat().st_mode & 0o777 == 0o600  # answers and password hashes: owner only

    get_user_model().objects.all().delete()
    done = runner.invoke(app, ["org-import", str(archive), "--slug", "acme-copy"])
    assert done.exit_code == 0, done.output
    assert "Imported Acme as 'acme-copy'" in done.output
    assert "5 users" in done.output
    copy = Organization.objects.get(slug="acme-copy")
    assert copy.people.count() == Organization.objects.get(slug="acme").people.count() == 9


@pytest.mark.django_db
def test_org_export_of_an_unknown_slug_names_the_known_ones_and_writes_nothing(
    tmp_path: Path,
) -> None:
    build_organization()
    done = runner.invoke(app, ["org-export", "nope", str(tmp_path / "x.zip")])
    assert isinstance(done.exception, UserError)
    assert str(done.exception) == "there is no organization 'nope' (there are: acme)"
    assert list(tmp_path.iterdir()) == []


def test_the_commands_are_documented() -> None:
    for command, words in (
        ("org-export", ("{slug} {file}", "slug")),
        ("org-import", ("--slug", "--reuse-users")),
    ):
        done = runner.invoke(app, [command, "--help"], terminal_width=100)
        assert done.exit_code == 0
        assert all(w in done.output for w in words)
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert "## `leadwell org-export`" in reference
    assert "## `leadwell org-import`" in reference
    assert (DOCS / "organization-export.md").exists()


def _run(*args: object, database: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "COLUMNS"}}
    env |= {"DATABASE_URL": f"sqlite:///{database}", "LEADWELL_INSECURE": "1"}
    return subprocess.run(
        [str(LEADWELL), *map(str, args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _one_error(done: subprocess.CompletedProcess[str], status: int, *needles: str) -> None:
    assert done.returncode == status, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: ")
    for needle in needles:
        assert needle in line, line


@pytest.mark.slow
@pytest.mark.django_db
def test_the_console_script_imports_once_then_refuses_with_one_line(tmp_path: Path) -> None:
    from leadwell.exports.organization_export import organization_export

    archive = tmp_path / "acme.zip"
    buffer = io.BytesIO()
    organization_export(build_organization()["org"], buffer)
    archive.write_bytes(buffer.getvalue())
    database = tmp_path / "target.sqlite3"

    _one_error(_run("org-import", archive, database=database), 1, "database:", "migrate")
    assert _run("manage", "migrate", "-v0", database=database).returncode == 0
    done = _run("org-import", archive, database=database)
    assert done.returncode == 0, done.stderr
    assert "Imported Acme as 'acme'" in done.stderr

    _one_error(
        _run("org-import", archive, database=database),
        2,
        f"{archive}: an organization with the slug 'acme' exists already",
        "--slug NEW; nothing was imported",
    )
    _one_error(
        _run("org-import", archive, "--slug", "acme-2", database=database),
        2,
        "5 of the archive's usernames exist in this installation already: admin, coach",
    )
    _one_error(_run("org-import", tmp_path / "none.zip", database=database), 2, "cannot read")
    _one_error(
        _run("org-export", "globex", tmp_path / "g.zip", database=database), 2, "(there are: acme)"
    )
    assert not (tmp_path / "g.zip").exists()
