"""Benchmark: concurrent raters submitting full responses to `leadwell serve`.

    .venv/bin/python benchmarks/submit.py                       # SQLite and PostgreSQL, 2 and 3 workers
    .venv/bin/python benchmarks/submit.py --database sqlite --workers 3
    .venv/bin/python benchmarks/submit.py --raters 32 --submissions 3000 --database both

For every database and worker count it builds a fresh database (SQLite: a temporary file;
PostgreSQL: the database ``leadwell_bench`` next to DATABASE_URL's, created and dropped here,
so the test database is never touched), migrates it and creates one organization, an open
cycle, assessments of 12 raters each (self, manager, 3 peers, 5 direct reports, 2 others) and
their invitations with known raw tokens. In that setup process it counts the SQL queries of a
submission with django.test.Client on the same database; then it starts ``leadwell serve`` on
127.0.0.1, lets ``--raters`` simulated browsers submit concurrently, stops the server and checks
the database: every acknowledged submission is stored exactly once, and nothing else is.

A submission is what a rater's browser must send for a complete response to be stored, in the
fewest requests the survey takes: the POST of each page with its answers (6 rating pages and
the open questions: a page's form refuses answers of other pages, and autosave saves one page
too) and the submit POST, 8 requests, timed together as one latency sample. The redirect after
each POST is not followed (``--browser`` follows them, and opens the link first, as a browser
does: 19 requests). Each simulated browser GETs one rater's intro page before the timed load,
for its CSRF cookie and form token, as a browser does when the link is opened.

Goals (issue 3): at least 300 submissions per second on this 2-core machine with a p99 latency
under 250 ms at 32 concurrent raters, at most 6 SQL queries per submission, none lost or
duplicated.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import http.client
import io
import json
import os
import pstats
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadwell.instrument import load_instrument
from leadwell.survey.layout import PagePlan, page_plan

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_DEFAULT = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "leadwell_bench"
GOAL_RATE, GOAL_P99_MS, GOAL_QUERIES = 300.0, 250.0, 6
GROUPS_12 = ("self", "manager", *["peer"] * 3, *["direct"] * 5, *["other"] * 2)
INSTRUMENT_VERSION = "1"
IN_PROCESS_QUERIES, IN_PROCESS_TIMED = 3, 30  # invitations the setup process submits itself
PROBE = 32  # invitations submitted twice at once (a double click) after the timed load


# --- what a rater sends ---------------------------------------------------------------------


def _plan(group: str) -> PagePlan:
    return page_plan(load_instrument(INSTRUMENT_VERSION), is_self=group == "self")


def answers_for(token: str, group: str) -> tuple[list[bytes], bytes, int]:
    """The page bodies a rater posts, the answer bytes a submit must store, the comment count.

    Answers are drawn from a generator seeded by the token, so every invitation sends its own
    answers (and a duplicate or a loss shows in the stored bytes); 1 in 20 is "Not observed".
    """
    instrument = load_instrument(INSTRUMENT_VERSION)
    rng = random.Random(token)
    stored = bytearray(len(instrument.item_ids))
    bodies = []
    for page in _plan(group).pages:
        fields = [("action", "next")]
        for item_id in page.item_ids:
            value = 0 if rng.random() < 0.05 else rng.randint(1, 5)
            stored[instrument.item_index[item_id]] = value
            fields.append((f"item-{item_id}", str(value)))
        for number, question in enumerate(page.question_ids):
            text = f"Benchmark comment {number} ({token[:6]})." if number < 2 else ""
            fields.append((f"comment-{question}", text))
        bodies.append(urllib.parse.urlencode(fields).encode())
    comments = min(2, len(_plan(group).question_ids))
    return bodies, bytes(stored), comments


# --- databases --------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, postgres_url: str, home: Path) -> Iterator[str]:
    """A new, empty database for one run; its DATABASE_URL. Dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{home / 'bench.sqlite3'}"
        return
    import psycopg

    parts = urllib.parse.urlsplit(postgres_url)
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    try:
        yield url
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


def _environment(url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE")}
    env.update(
        DATABASE_URL=url,
        LEADWELL_INSECURE="1",
        LEADWELL_HOME=str(home),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SETTINGS_MODULE="leadwell.config.settings",
        DEBUG="false",
        EMAIL_BACKEND="memory",
        LOG_LEVEL="WARNING",
    )
    return env


def _internal(step: str, url: str, home: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Run a step in a Django process on ``url`` (``python submit.py --internal``)."""
    (home / "options.json").write_text(json.dumps(options))
    subprocess.run(
        [sys.executable, __file__, "--internal", step, str(home)],
        env=_environment(url, home),
        cwd=home,
        check=True,
    )
    return json.loads((home / f"{step}.json").read_text())


# --- the setup process (Django) ---------------------------------------------------------------


def _setup_django() -> None:
    import django

    django.setup()


def _populate(count: int) -> list[dict[str, Any]]:
    """One org, one open cycle, ceil(count / 12) assessments of 12 raters; invitations, shuffled."""
    from leadwell.cycles.models import Assessment, Cycle, Invitation
    from leadwell.orgs.models import Organization, Person

    org = Organization.objects.create(name="Bench", slug="bench")
    cycle = Cycle.objects.create(
        organization=org, name="Benchmark", status=Cycle.OPEN, instrument_version="1"
    )
    leaders = Person.objects.bulk_create(
        Person(organization=org, name=f"Leader {i}", email=f"leader{i}@bench.example")
        for i in range(-(-count // len(GROUPS_12)))
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(organization=org, cycle=cycle, leader=leader) for leader in leaders
    )
    rows, invitations = [], []
    for assessment in assessments:
        for number, group in enumerate(GROUPS_12):
            token = secrets.token_urlsafe(32)
            rows.append({"token": token, "group": group, "assessment": assessment.pk})
            invitations.append(
                Invitation(
                    organization=org,
                    assessment=assessment,
                    group=group,
                    name=f"Rater {assessment.pk}-{number}",
                    email=f"rater{assessment.pk}-{number}@bench.example",
                    token_hash=hashlib.sha256(token.encode()).hexdigest(),
                    status=Invitation.SENT,
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=500)
    random.Random(1).shuffle(rows)
    return rows[:count]


def _client_submit(client: Any, row: dict[str, Any], capture: Any = None) -> list[int]:
    """Submit one invitation in-process; the Django query count of each request."""
    bodies, _, _ = answers_for(row["token"], row["group"])
    token, counts = row["token"], []
    paths = [f"/r/{token}/page/{n}/" for n in range(1, len(bodies) + 1)] + [f"/r/{token}/submit/"]
    for path, body in zip(paths, [*bodies, b""], strict=True):
        with capture() if capture else contextlib.nullcontext() as queries:
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        if response.status_code != 302:
            raise RuntimeError(f"in-process {path} answered {response.status_code}")
        counts.append(len(queries.captured_queries) if capture else 0)
    if not response["Location"].endswith("/thanks/"):
        raise RuntimeError(f"in-process submit went to {response['Location']}")
    return counts


def _statements(vendor: str) -> Any:
    """Count every statement the database receives (BEGIN/COMMIT/PRAGMA and health checks too).

    SQLite: its trace callback on every new connection. PostgreSQL: psycopg's execute and
    commit (a commit stands for BEGIN + COMMIT, both sent by psycopg itself)."""
    seen: list[str] = []
    if vendor == "sqlite":
        from django.db.backends.signals import connection_created

        def trace(sender: Any, connection: Any, **_: Any) -> None:
            connection.connection.set_trace_callback(seen.append)

        connection_created.connect(trace, weak=False)
        return seen
    import psycopg

    for cls in (psycopg.Cursor, psycopg.ClientCursor):
        original = cls.execute

        def execute(self: Any, query: Any, *a: Any, _original: Any = original, **k: Any) -> Any:
            seen.append(str(query) if isinstance(query, str) else "(composed)")
            return _original(self, query, *a, **k)

        cls.execute = execute  # type: ignore[method-assign]
    commit = psycopg.Connection.commit

    def counted_commit(self: Any) -> None:
        seen.extend(["BEGIN", "COMMIT"])
        commit(self)

    psycopg.Connection.commit = counted_commit  # type: ignore[method-assign]
    return seen


def _measure(rows: list[dict[str, Any]], options: dict[str, Any]) -> dict[str, Any]:
    """Queries per request (django.test.Client + CaptureQueriesContext) and in-process time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    seen = _statements(connection.vendor)
    client = Client()
    per_request, sql = [], []
    for row in rows[:IN_PROCESS_QUERIES]:
        sql.clear()

        def capture(sql: list[Any] = sql) -> Any:
            context = CaptureQueriesContext(connection)
            sql.append(context)
            return context

        seen.clear()
        per_request.append(_client_submit(client, row, capture))
    statements = len(seen)
    shown = [[q["sql"] for q in context.captured_queries] for context in sql]
    timed = rows[IN_PROCESS_QUERIES : IN_PROCESS_QUERIES + IN_PROCESS_TIMED]
    start = time.perf_counter()
    for row in timed:
        _client_submit(client, row)
    seconds = (time.perf_counter() - start) / len(timed)
    result = {
        "per_request": per_request,
        "statements": statements,
        "sql": shown,
        "in_process_ms": 1000 * seconds,
        "used": IN_PROCESS_QUERIES + len(timed),
    }
    if options["profile"]:
        result["profile"] = _profile(client, rows[result["used"] : result["used"] + 100])
        result["used"] += 100
    return result


def _profile(client: Any, rows: list[dict[str, Any]]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for row in rows:
        _client_submit(client, row)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def _verify(acked: list[dict[str, Any]]) -> dict[str, Any]:
    """Compare the stored responses with the acknowledged submissions, as multisets."""
    from leadwell.cycles.models import Draft, Invitation, Response, ResponseComment

    expected: Counter[tuple[int, str, bytes]] = Counter()
    comments = 0
    for row in acked:
        _, stored, n_comments = answers_for(row["token"], row["group"])
        expected[(row["assessment"], row["group"], stored)] += 1
        comments += n_comments
    stored_rows = Counter(
        (a, g, bytes(b)) for a, g, b in Response.objects.values_list("assessment", "group", "answers")
    )
    hashes = {hashlib.sha256(row["token"].encode()).hexdigest() for row in acked}
    submitted = set(
        Invitation.objects.filter(status=Invitation.SUBMITTED).values_list("token_hash", flat=True)
    )
    return {
        "acknowledged": len(acked),
        "responses": sum(stored_rows.values()),
        "missing": sum((expected - stored_rows).values()),
        "extra": sum((stored_rows - expected).values()),
        "acked_not_marked": len(hashes - submitted),
        "marked_not_acked": len(submitted - hashes),
        "acked_with_draft": Draft.objects.filter(
            invitation__token_hash__in=list(hashes)
        ).count(),
        "comments_expected": comments,
        "comments": ResponseComment.objects.count(),
    }


def internal_main(step: str, home: Path) -> None:
    from django.core.management import call_command

    options = json.loads((home / "options.json").read_text())
    _setup_django()
    if step == "prepare":
        start = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        migrated = time.perf_counter() - start
        rows = _populate(options["invitations"])
        result = _measure(rows, options)
        result.update(rows=rows, migrate_s=migrated, setup_s=time.perf_counter() - start)
    else:
        result = _verify(options["acked"])
    (home / f"{step}.json").write_text(json.dumps(result))


# --- the server and the simulated browsers ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(url: str, home: Path, workers: int) -> Iterator[tuple[int, int]]:
    """`leadwell serve` on a free port; (port, gunicorn master pid). Stopped afterwards."""
    port = _free_port()
    command = [str(Path(sys.executable).parent / "leadwell"), "serve", "--no-migrate"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        command, env=_environment(url, home), cwd=home, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_healthy(port, server)
        yield port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"leadwell serve stopped with code {server.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("leadwell serve did not answer /health/ within 60 s")


class Browser:
    """One rater's browser: an HTTP connection to 127.0.0.1 and the site's CSRF cookie.

    gunicorn's sync workers close the connection after each response; http.client opens a new
    one for the next request (on the loopback interface that costs about 0.1 ms)."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Origin": f"http://127.0.0.1:{port}"}
        self.form_token = b""

    def send(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = b"csrfmiddlewaretoken=" + self.form_token + b"&" + body
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        return response.status, response.getheader("Location", ""), data

    def open_link(self, token: str) -> None:
        """GET a rater's intro page: the CSRF cookie and the form's token, as a browser keeps them."""
        self.connection.request("GET", f"/r/{token}/", headers=self.headers)
        response = self.connection.getresponse()
        html = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "") or "")
        form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if response.status != 200 or cookie is None or form is None:
            raise RuntimeError(f"GET /r/<token>/ answered {response.status} without a CSRF token")
        self.headers["Cookie"] = f"csrftoken={cookie.group(1)}"
        self.form_token = form.group(1).encode()


@dataclass
class Tally:
    """What one or more simulated browsers did."""

    latencies: list[float] = field(default_factory=list)  # seconds per acknowledged submission
    requests: dict[str, list[float]] = field(default_factory=dict)  # kind → seconds each
    acked: list[dict[str, Any]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.acked += other.acked
        self.errors += other.errors
        for kind, times in other.requests.items():
            self.requests.setdefault(kind, []).extend(times)


def _timed(browser: Browser, tally: Tally, kind: str, method: str, path: str, body: Any = None):
    start = time.perf_counter()
    status, location, data = browser.send(method, path, body)
    tally.requests.setdefault(kind, []).append(time.perf_counter() - start)
    return status, location, data


def submit_one(browser: Browser, row: dict[str, Any], bodies: list[bytes], follow: bool, tally: Tally) -> bool:
    """One full submission; True when the server acknowledged it (302 to the thanks page)."""
    token = row["token"]
    if follow:
        _timed(browser, tally, "GET intro", "GET", f"/r/{token}/")
        _timed(browser, tally, "POST start", "POST", f"/r/{token}/", b"")
    for number, body in enumerate(bodies, 1):
        if follow:
            _timed(browser, tally, "GET page", "GET", f"/r/{token}/page/{number}/")
        status, location, _ = _timed(browser, tally, "POST page", "POST", f"/r/{token}/page/{number}/", body)
        if status != 302:
            tally.errors[f"page POST {status}"] += 1
            return False
    if follow:
        _timed(browser, tally, "GET review", "GET", f"/r/{token}/review/")
    status, location, _ = _timed(browser, tally, "POST submit", "POST", f"/r/{token}/submit/", b"")
    if status != 302 or not location.endswith("/thanks/"):
        tally.errors[f"submit POST {status}"] += 1
        return False
    if follow:
        _timed(browser, tally, "GET thanks", "GET", location)
    return True


# --- the load ---------------------------------------------------------------------------------


def run_load(
    browsers: list[Browser],
    jobs: list[list[dict[str, Any]]],
    bodies: dict[str, list[bytes]],
    *,
    follow: bool,
    seconds: float,
) -> tuple[Tally, float]:
    """Each browser submits its own invitations one after the other; (tally, wall seconds).

    All start together; a browser starts no new submission after ``seconds``."""
    tallies = [Tally() for _ in browsers]
    barrier = threading.Barrier(len(browsers) + 1)
    stop_at = time.monotonic() + seconds + 5

    def work(index: int) -> None:
        barrier.wait()
        tally = tallies[index]
        for row in jobs[index]:
            if time.monotonic() > stop_at:
                break
            start = time.perf_counter()
            try:
                ok = submit_one(browsers[index], row, bodies[row["token"]], follow, tally)
            except (OSError, http.client.HTTPException) as error:
                tally.errors[type(error).__name__] += 1
                continue
            if ok:
                tally.latencies.append(time.perf_counter() - start)
                tally.acked.append(row)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    stop_at = time.monotonic() + seconds
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    total = Tally()
    for tally in tallies:
        total.add(tally)
    return total, elapsed


def double_submits(port: int, rows: list[dict[str, Any]], bodies: dict[str, list[bytes]]) -> dict[str, Any]:
    """Answer each invitation, then send its submit twice at the same moment (a double click,
    two tabs). Exactly one may be acknowledged; the other must show "already received"."""
    first, second = Browser(port), Browser(port)
    first.open_link(rows[0]["token"])
    second.headers, second.form_token = dict(first.headers), first.form_token
    acked, twice, received, other = [], 0, 0, Counter()
    for row in rows:
        token = row["token"]
        for number, body in enumerate(bodies[token], 1):
            first.send("POST", f"/r/{token}/page/{number}/", body)
        barrier = threading.Barrier(2)
        answers: list[tuple[int, str]] = []

        def submit(browser: Browser, token: str = token, barrier: Any = barrier) -> None:
            barrier.wait()
            status, location, _ = browser.send("POST", f"/r/{token}/submit/", b"")
            answers.append((status, location))

        threads = [threading.Thread(target=submit, args=(b,)) for b in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        oks = sum(1 for status, location in answers if status == 302 and location.endswith("/thanks/"))
        received += sum(1 for status, _ in answers if status == 200)
        other.update(str(status) for status, _ in answers if status not in (200, 302))
        twice += oks == 2
        if oks:
            acked.append(row)
    return {"invitations": len(rows), "acked": acked, "twice": twice, "received": received,
            "other": dict(other)}


# --- CPU accounting ---------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
    return out


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / _TICK, total / _TICK


@dataclass
class CpuSnapshot:
    server: float
    client: float
    busy: float
    total: float

    @classmethod
    def take(cls, server_pids: list[int]) -> CpuSnapshot:
        busy, total = _machine_cpu()
        return cls(sum(map(_process_cpu, server_pids)), time.process_time(), busy, total)


def _cpu_use(before: CpuSnapshot, after: CpuSnapshot, elapsed: float) -> dict[str, float]:
    """Cores in use on average during the load: machine, gunicorn, the load generator, rest."""
    server = (after.server - before.server) / elapsed
    client = (after.client - before.client) / elapsed
    busy = (after.busy - before.busy) / elapsed
    cores = (after.total - before.total) / elapsed
    return {"cores": cores, "busy": busy, "server": server, "client": client,
            "rest": busy - server - client}


# --- one run ----------------------------------------------------------------------------------


def _quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile (the value below which a fraction q of the samples lie)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-int(q * len(ordered) * 1000) // 1000) - 1))]


def run_once(kind: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="leadwell-bench-"))
    try:
        with fresh_database(kind, args.postgres_url, home) as url:
            return _run(kind, workers, url, home, args)
    finally:
        if args.keep:
            print(f"  (kept {home})")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _run(kind: str, workers: int, url: str, home: Path, args: argparse.Namespace) -> dict[str, Any]:
    in_process = IN_PROCESS_QUERIES + IN_PROCESS_TIMED + (100 if args.profile else 0)
    needed = in_process + args.raters + args.submissions + PROBE
    prep = _internal("prepare", url, home, {"invitations": needed, "profile": args.profile})
    rows = prep["rows"]
    acked = rows[: prep["used"]]
    warm = rows[prep["used"] : prep["used"] + args.raters]
    load = rows[prep["used"] + args.raters : -PROBE]
    probe = rows[-PROBE:]
    bodies = {row["token"]: answers_for(row["token"], row["group"])[0] for row in rows}
    with serving(url, home, workers) as (port, master):
        browsers = [Browser(port) for _ in range(args.raters)]
        for browser, row in zip(browsers, warm, strict=True):
            browser.open_link(row["token"])
        warm_tally, _ = run_load(
            browsers, [[row] for row in warm], bodies, follow=args.browser, seconds=60
        )
        pids = _children(master)
        before = CpuSnapshot.take(pids)
        jobs = [load[i :: args.raters] for i in range(args.raters)]
        tally, elapsed = run_load(browsers, jobs, bodies, follow=args.browser, seconds=args.seconds)
        cpu = _cpu_use(before, CpuSnapshot.take(pids), elapsed)
        doubles = double_submits(port, probe, bodies)
    acked += warm_tally.acked + tally.acked + doubles.pop("acked")
    check = _internal("verify", url, home, {"acked": acked})
    return {
        "database": kind, "workers": workers, "prep": prep, "tally": tally, "elapsed": elapsed,
        "cpu": cpu, "doubles": doubles, "check": check,
        "warm_errors": warm_tally.errors,
    }
