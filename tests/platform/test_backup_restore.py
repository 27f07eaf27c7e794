"""scripts/backup and scripts/restore, run as a user runs them, on SQLite and PostgreSQL.

Each round trip builds data with the real app (the demo organization: leaders, cycles,
responses), backs it up, changes and deletes data, restores, and compares every table's row
count and a checksum of every table's content, computed by the database itself, with what
it was before. A damaged backup must fail with a clear message and leave the target as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "scripts" / "backup"
RESTORE = ROOT / "scripts" / "restore"
LEADWELL = Path(sys.executable).with_name("leadwell")


def _environment(home: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LEADWELL_"))}
    # pytest-django points DJANGO_SETTINGS_MODULE at the test settings: a user's shell does not.
    env.update(DATABASE_URL=database_url, LEADWELL_HOME=str(home), LEADWELL_INSECURE="1")
    return env


def _run(args: list[str | Path], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _sqlite_fingerprint(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 of the sorted rows of every table."""
    with sqlite3.connect(path) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result = {}
        for table in tables:
            rows = sorted(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    db.close()
    return result


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> Path:
    """The demo organization, built once by `leadwell demo --build-only` (as a user would)."""
    home = tmp_path_factory.mktemp("demo")
    env = _environment(home, "")
    del env["DATABASE_URL"]  # the demo chooses its own file
    done = _run([LEADWELL, "demo", "--build-only", "--home", home], env, home)
    assert done.returncode == 0, done.stderr
    return home / "leadwell-demo.sqlite3"


@pytest.fixture
def live(tmp_path, demo_database) -> tuple[Path, dict[str, str]]:
    database = tmp_path / "data" / "leadwell.sqlite3"
    database.parent.mkdir()
    shutil.copyfile(demo_database, database)
    return database, _environment(tmp_path, f"sqlite:///{database}")


def _one_backup(folder: Path) -> Path:
    (file,) = folder.iterdir()
    return file


def test_sqlite_restore_brings_back_every_row_of_every_table_after_changes(live, tmp_path):
    database, env = live
    before = _sqlite_fingerprint(database)
    assert before["cycles_response"][0] > 100  # the demo's answered cycles are there
    done = _run([BACKUP, "--out", tmp_path / "backups"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    backup = _one_backup(tmp_path / "backups")
    assert backup.name.startswith("leadwell-")
    assert backup.suffix == ".sqlite3"
    assert backup.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM cycles_response")
        db.execute("UPDATE orgs_organization SET name = 'Changed after the backup'")
    db.close()
    changed = _sqlite_fingerprint(database)
    assert changed["cycles_response"][0] == 0
    assert changed["orgs_organization"] != before["orgs_organization"]

    refused = _run([RESTORE, backup], env, tmp_path)
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _sqlite_fingerprint(database) == changed

    done = _run([RESTORE, "--yes", backup], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "No migrations to apply" in done.stdout  # restore ran migrate on the result
    assert _sqlite_fingerprint(database) == before
    assert not list(database.parent.glob(".restore-*"))


def test_sqlite_backup_holds_commits_still_in_the_write_ahead_log(live, tmp_path):
    database, env = live
    # The running app writes in WAL mode; a commit lives in the -wal file until a checkpoint,
    # so copying the main file alone would miss it.
    app = sqlite3.connect(database, isolation_level=None)
    app.execute("PRAGMA journal_mode=WAL")
    app.execute("PRAGMA wal_autocheckpoint=0")
    app.execute("UPDATE orgs_organization SET name = 'Written while backing up'")
    assert Path(f"{database}-wal").stat().st_size > 0
    try:
        done = _run([BACKUP, "--out", tmp_path / "backups"], env, tmp_path)
    finally:
        app.close()
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(_one_backup(tmp_path / "backups")) as copy:
        names = {r[0] for r in copy.execute("SELECT name FROM orgs_organization")}
    copy.close()
    assert names == {"Written while backing up"}


def test_a_truncated_or_foreign_backup_fails_clearly_and_changes_nothing(live, tmp_path):
    database, env = live
    done = _run([BACKUP, "--out", tmp_path / "backups"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    good = _one_backup(tmp_path / "backups")
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a backup\n")
    before = _sqlite_fingerprint(database)
    modified = database.stat().st_mtime_ns
    for bad, message in [(truncated, "is damaged"), (foreign, "is not an SQLite backup")]:
        failed = _run([RESTORE, "--yes", bad], env, tmp_path)
        assert failed.returncode != 0
        assert message in failed.stderr
        assert "nothing was changed" in failed.stderr
        assert "Traceback" not in failed.stderr
    assert database.stat().st_mtime_ns == modified
    assert _sqlite_fingerprint(database) == before
    assert not list(database.parent.glob(".restore-*"))


def test_a_restore_waits_for_the_app_to_let_go_of_an_sqlite_database(live, tmp_path):
    database, env = live
    done = _run([BACKUP, "--out", tmp_path / "backups"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    app = sqlite3.connect(database)  # the running app keeps its connection open
    app.execute("PRAGMA journal_mode=WAL")
    app.execute("SELECT count(*) FROM orgs_organization").fetchone()
    try:
        before = _sqlite_fingerprint(database)
        refused = _run([RESTORE, "--yes", _one_backup(tmp_path / "backups")], env, tmp_path)
    finally:
        app.close()
    assert refused.returncode != 0
    assert "stop leadwell first" in refused.stderr
    assert _sqlite_fingerprint(database) == before


def test_a_restore_into_a_new_place_needs_no_yes_and_files_come_only_when_asked(live, tmp_path):
    database, env = live
    (tmp_path / "report-batches").mkdir()
    (tmp_path / "report-batches" / "batch-1.zip").write_bytes(b"PK")
    done = _run([BACKUP, "--out", tmp_path / "plain"], env, tmp_path)
    assert done.returncode == 0
    assert len(list((tmp_path / "plain").iterdir())) == 1
    done = _run([BACKUP, "--out", tmp_path / "full", "--with-files"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    (archive,) = (tmp_path / "full").glob("*-files.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    listing = subprocess.run(["tar", "-tzf", archive], capture_output=True, text=True).stdout
    assert "report-batches/batch-1.zip" in listing.split()

    fresh = tmp_path / "new-server" / "leadwell.sqlite3"
    new_env = {**env, "DATABASE_URL": f"sqlite:///{fresh}"}
    done = _run([RESTORE, "--no-migrate", _one_backup(tmp_path / "plain")], new_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert _sqlite_fingerprint(fresh) == _sqlite_fingerprint(database)


def test_both_scripts_explain_themselves():
    for script in (BACKUP, RESTORE):
        shown = subprocess.run([script, "--help"], capture_output=True, text=True)
        assert shown.returncode == 0
        assert "DATABASE_URL" in shown.stdout
    assert "SECRET_KEY" in subprocess.run([BACKUP, "--help"], capture_output=True, text=True).stdout


# PostgreSQL -----------------------------------------------------------------------------------


def _postgres_server() -> str | None:
    """The server to use: DATABASE_URL's when it is PostgreSQL, else one on 127.0.0.1:5432."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql://" + url.split("://", 1)[1]
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return None
    return "postgresql://postgres@127.0.0.1:5432/postgres"


def _on(server: str, database: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{database}"))


def _psql(url: str, query: str) -> str:
    done = subprocess.run(
        ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-At", "-F", "|", "-d", url, "-c", query],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _pg_fingerprint(url: str) -> dict[str, str]:
    """Row count and an md5 of the sorted rows of every table, and every sequence's position."""
    tables = _psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split()
    query = " UNION ALL ".join(
        f"SELECT '{t}', count(*)::text || ' ' || md5(coalesce("
        f"string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM \"{t}\" x"
        for t in tables
    )
    query += " UNION ALL SELECT 'seq:' || sequencename, coalesce(last_value, 0)::text "
    query += "FROM pg_sequences WHERE schemaname = 'public'"
    return dict(line.split("|") for line in _psql(url, query).splitlines())


@pytest.fixture
def postgres():
    server = _postgres_server()
    if server is None:
        pytest.skip("no PostgreSQL server answers at 127.0.0.1:5432")
    names = ("helper_backup_src", "helper_backup_dst")
    for name in names:
        _psql(_on(server, "postgres"), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _psql(_on(server, "postgres"), f"CREATE DATABASE {name}")
    yield [_on(server, name) for name in names]
    for name in names:
        _psql(_on(server, "postgres"), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


BUILD = """
import django
django.setup()
from django.core.management import call_command
from leadwell.demo import demo_build
call_command("migrate", interactive=False, verbosity=0)
demo_build(leaders=4, seed=1)
"""


def test_postgres_restore_brings_back_every_row_and_sequence_after_changes(postgres, tmp_path):
    source, target = postgres
    env = _environment(tmp_path, source)
    built = subprocess.run(
        [sys.executable, "-c", BUILD], capture_output=True, text=True, timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "leadwell.config.settings"},
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    before = _pg_fingerprint(source)
    assert int(before["cycles_response"].split()[0]) > 4 * 8
    done = _run([BACKUP, "--out", tmp_path / "backups"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    backup = _one_backup(tmp_path / "backups")
    assert backup.suffix == ".dump"
    assert backup.stat().st_mode & 0o777 == 0o600

    # Into a new, empty database: no --yes needed. (Migrations run after the last restore.)
    target_env = {**env, "DATABASE_URL": target}
    done = _run([RESTORE, "--no-migrate", backup], target_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert _pg_fingerprint(target) == before

    _psql(target, "TRUNCATE cycles_response CASCADE; UPDATE orgs_organization SET name = 'Changed'")
    changed = _pg_fingerprint(target)
    assert changed != before
    refused = _run([RESTORE, backup], target_env, tmp_path)
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert _pg_fingerprint(target) == changed

    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size * 2 // 3])
    failed = _run([RESTORE, "--yes", truncated], target_env, tmp_path)
    assert failed.returncode != 0
    assert "is damaged" in failed.stderr
    assert "nothing was changed" in failed.stderr
    assert _pg_fingerprint(target) == changed

    done = _run([RESTORE, "--yes", backup], target_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "No migrations to apply" in done.stdout
    assert _pg_fingerprint(target) == before
