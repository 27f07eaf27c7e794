"""Benchmark: concurrent raters submitting complete responses to `leadwell serve`.

    .venv/bin/python benchmarks/submit.py               # SQLite and PostgreSQL, 2 and 3 workers
    .venv/bin/python benchmarks/submit.py --database sqlite --workers 3 --seconds 10
    .venv/bin/python benchmarks/submit.py --raters 32 --submissions 3000 --database both

For every database and worker count it builds a fresh database (SQLite: a temporary file;
PostgreSQL: the database ``leadwell_bench`` on DATABASE_URL's server, created and dropped here,
so the test database is never touched), migrates it and creates one organization, an open
cycle, assessments of 12 raters each (self, manager, 3 peers, 5 direct reports, 2 others) and
their invitations with known raw tokens. In that setup process it counts the SQL of one
submission with django.test.Client on the same database. Then it starts ``leadwell serve`` on
127.0.0.1, lets ``--raters`` simulated browsers submit at the same time, each its own
invitations one after the other, stops the server and checks the database: every acknowledged
submission is stored exactly once, and nothing else is.

A submission is the request that stores a rater's complete response: the submit POST, which
takes the rater's saved answers (all 40 items and the open questions) and writes the response
in one transaction. That is what the goals below are measured on: the issue's yardstick is "one
40-answer submission", and its limit of 6 queries per submission could not hold for the pages
before it, since the survey must save a draft on every page change (7 page POSTs, each one
write at least). The submission load times the submit POST on invitations whose answers were
saved beforehand (complete drafts, as every rater's are when they press Submit).

The rater's journey is what a browser sends, in the fewest requests the survey takes, for a
complete response to be stored: the POST of each page with its answers (6 rating pages and the
open questions; a page's form refuses answers of other pages, and autosave saves one page too)
and the submit POST: 8 requests, timed together as one latency sample. It runs first and is
printed for context, with no goal: 300 journeys per second would be 2,400 requests per second,
above what the stack answers for its cheapest request (the floor, ``GET /health/``, printed
too). The redirect after each POST is not followed (``--browser`` follows them and opens the
link first, as a browser does: 19 requests). Each simulated browser GETs an intro page once
before the timed loads, for the CSRF cookie and form token a browser keeps.

Goals (issue 3): at least 300 submissions per second on this 2-core machine with a p99
latency under 250 ms at 32 concurrent raters, at most 6 SQL queries per submission, none lost
or duplicated.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import hashlib
import http.client
import io
import json
import math
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
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _databases import fresh_database  # benchmarks/ is on sys.path when run as a script
from leadwell.instrument import Instrument, load_instrument
from leadwell.survey.layout import PagePlan, page_plan

POSTGRES_DEFAULT = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "leadwell_bench"
GOAL_RATE, GOAL_P99_MS, GOAL_QUERIES = 300.0, 250.0, 6
GROUPS_12 = ("self", "manager", *["peer"] * 3, *["direct"] * 5, *["other"] * 2)
INSTRUMENT_VERSION = "1"
MEASURED, IN_PROCESS_TIMED = 3, 20  # invitations the setup process submits itself
PROFILED = 100  # in-process submissions under cProfile (--profile)
HEALTH_SECONDS = 3  # the stack's floor: GET /health/ as fast as the server answers
PROBE = 32  # invitations submitted twice at once (a double click) after the timed loads
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


# --- what a rater sends -----------------------------------------------------------------------


@functools.cache
def _instrument() -> Instrument:
    return load_instrument(INSTRUMENT_VERSION)


@functools.cache
def _plan(group: str) -> PagePlan:
    return page_plan(_instrument(), is_self=group == "self")


@dataclass(frozen=True)
class Answers:
    """One rater's answers: the page bodies posted, and what a submit must store."""

    bodies: list[bytes]  # urlencoded form of each page, without the CSRF field
    stored: bytes  # one byte per item in instrument order, 0 for "Not observed"
    comments: dict[str, str]  # open question → text


def answers_for(token: str, group: str) -> Answers:
    """Answers drawn from a generator seeded by the token, so every invitation sends its own
    (a loss or a duplicate shows in the stored bytes); 1 in 20 is "Not observed", and two of
    the four open questions get a comment."""
    instrument = _instrument()
    rng = random.Random(token)
    stored = bytearray(len(instrument.item_ids))
    bodies, comments = [], {}
    for page in _plan(group).pages:
        fields = [("action", "next")]
        for item_id in page.item_ids:
            value = 0 if rng.random() < 0.05 else rng.randint(1, 5)
            stored[instrument.item_index[item_id]] = value
            fields.append((f"item-{item_id}", str(value)))
        for number, question in enumerate(page.question_ids):
            text = f"Benchmark comment {number} ({token[:6]})." if number < 2 else ""
            fields.append((f"comment-{question}", text))
            if text:
                comments[question] = text
        bodies.append(urllib.parse.urlencode(fields).encode())
    return Answers(bodies, bytes(stored), comments)


# --- databases and the Django processes -------------------------------------------------------


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


Step = Callable[[dict[str, Any]], dict[str, Any]]


def _internal(
    step: str, url: str, home: Path, options: dict[str, Any], *, script: str = __file__
) -> dict[str, Any]:
    """Run ``step`` in a Django process on ``url`` (``script``, this file by default, with
    ``--internal``)."""
    (home / "options.json").write_text(json.dumps(options))
    subprocess.run(
        [sys.executable, script, "--internal", step, str(home)],
        env=_environment(url, home),
        cwd=home,
        check=True,
    )
    result: dict[str, Any] = json.loads((home / f"{step}.json").read_text())
    return result


def internal_main(step: str, home: Path, steps: dict[str, Step] | None = None) -> None:
    """Run ``step`` with the options ``_internal`` wrote; ``steps`` (name → function of the
    options) replaces this file's own steps."""
    import django
    from django.core.management import call_command

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
    options = json.loads((home / "options.json").read_text())
    django.setup()
    if steps is not None:
        result = steps[step](options)
    elif step == "prepare":
        start = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        migrated = time.perf_counter() - start
        rows = _populate(options["invitations"])
        _draft(rows[len(rows) - options["drafted"] :])
        result = _measure(rows, profile=options["profile"])
        result.update(rows=rows, migrate_s=migrated, setup_s=time.perf_counter() - start)
    else:
        result = _verify(options["acked"])
    (home / f"{step}.json").write_text(json.dumps(result))


# --- the setup process: data, SQL counts, in-process time, the final check -------------------


def _populate(count: int) -> list[dict[str, Any]]:
    """One org, one open cycle, assessments of 12 raters; ``count`` invitations, shuffled."""
    from leadwell.cycles.models import Assessment, Cycle, Invitation
    from leadwell.orgs.models import Organization, Person

    org = Organization.objects.create(name="Bench", slug="bench")
    cycle = Cycle.objects.create(organization=org, name="Benchmark", status=Cycle.OPEN)
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


def _draft(rows: list[dict[str, Any]]) -> None:
    """Save every answer of these invitations as a draft, as if each rater reached Submit."""
    from leadwell.cycles.models import Draft, Invitation

    hashes = [hashlib.sha256(row["token"].encode()).hexdigest() for row in rows]
    ids = dict(Invitation.objects.filter(token_hash__in=hashes).values_list("token_hash", "pk"))
    drafts = []
    for row, token_hash in zip(rows, hashes, strict=True):
        answers = answers_for(row["token"], row["group"])
        comments = {"_started": int(time.time()) - 600, **answers.comments}
        drafts.append(
            Draft(invitation_id=ids[token_hash], answers=answers.stored, comments=comments, page=8)
        )
    Draft.objects.bulk_create(drafts, batch_size=500)
    Invitation.objects.filter(pk__in=ids.values()).update(status=Invitation.STARTED)


class _Counted:
    """Around one request: Django's queries (CaptureQueriesContext) and every statement."""

    def __init__(self, wire: list[str], out: list[dict[str, Any]]) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.wire, self.out, self.django = wire, out, CaptureQueriesContext(connection)

    def __enter__(self) -> _Counted:
        self.start = len(self.wire)
        self.django.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.django.__exit__(*exc)
        sql = [q["sql"] for q in self.django.captured_queries]
        queries = [q for q in sql if not TRANSACTION_CONTROL.match(q)]
        self.out.append({"queries": queries, "wire": self.wire[self.start :]})


def _client_submit(client: Any, token: str, bodies: list[bytes], **options: Any) -> None:
    """Submit one invitation in-process: its page POSTs, then the submit POST.

    ``close_old_connections()`` before each request does what the server's request_started
    signal does (django.test.Client leaves it out): SQLite opens a new connection (its
    CONN_MAX_AGE is 0), PostgreSQL health-checks its kept connection on first use.
    ``options``: ``count`` (a factory of context managers around each request), ``keep`` (keep
    the connection between requests instead).
    """
    from django.db import close_old_connections

    pages = [f"/r/{token}/page/{n}/" for n in range(1, len(bodies) + 1)]
    for path, body in zip([*pages, f"/r/{token}/submit/"], [*bodies, b""], strict=True):
        if not options.get("keep"):
            close_old_connections()
        with options["count"]() if "count" in options else contextlib.nullcontext():
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        if response.status_code != 302:
            raise RuntimeError(f"in-process {path} answered {response.status_code}")
    if not response["Location"].endswith("/thanks/"):
        raise RuntimeError(f"in-process submit went to {response['Location']}")
    if not options.get("keep"):
        close_old_connections()  # the server's request_finished


def _wire(vendor: str) -> list[str]:
    """Record every statement the database receives: BEGIN/COMMIT, PRAGMAs, health checks too.

    SQLite: its trace callback on every new connection. PostgreSQL: psycopg's cursor execute
    and commit (psycopg sends BEGIN itself before a transaction's first statement).
    """
    seen: list[str] = []
    if vendor == "sqlite":
        from django.db import connection
        from django.db.backends.signals import connection_created

        def trace(sender: Any, connection: Any, **_: Any) -> None:
            connection.connection.set_trace_callback(seen.append)

        connection_created.connect(trace, weak=False)
        connection.close()
        return seen
    import psycopg

    execute, commit = psycopg.Cursor.execute, psycopg.Connection.commit

    def traced_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(query if isinstance(query, str) else repr(query))
        return execute(self, query, *args, **kwargs)

    def traced_commit(self: Any) -> None:
        seen.extend(["BEGIN", "COMMIT"])
        commit(self)

    psycopg.Cursor.execute = traced_execute  # type: ignore[method-assign]
    psycopg.Connection.commit = traced_commit  # type: ignore[method-assign]
    return seen


def _measure(rows: list[dict[str, Any]], *, profile: bool) -> dict[str, Any]:
    """SQL of each request of a rater's journey, and the in-process time of one."""
    from django.db import connection
    from django.test import Client

    bodies = {row["token"]: answers_for(row["token"], row["group"]).bodies for row in rows}
    wire = _wire(connection.vendor)
    client = Client()
    runs: list[list[dict[str, Any]]] = []
    for row in rows[:MEASURED]:
        runs.append([])
        _client_submit(
            client, row["token"], bodies[row["token"]], count=lambda: _Counted(wire, runs[-1])
        )
    result: dict[str, Any] = {
        "requests": runs[-1],
        "stable": all(
            [len(r["queries"]) for r in run] == [len(r["queries"]) for r in runs[-1]]
            for run in runs
        ),
    }
    used = MEASURED
    for keep in (False, True):
        timed = rows[used : used + IN_PROCESS_TIMED]
        start = time.perf_counter()
        for row in timed:
            _client_submit(client, row["token"], bodies[row["token"]], keep=keep)
        result["kept_ms" if keep else "served_ms"] = (
            1000 * (time.perf_counter() - start) / len(timed)
        )
        used += len(timed)
    if profile:
        result["profile"] = _profile(client, rows[used : used + PROFILED], bodies)
        used += PROFILED
    result["used"] = used
    return result


def _profile(client: Any, rows: list[dict[str, Any]], bodies: dict[str, list[bytes]]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for row in rows:
        _client_submit(client, row["token"], bodies[row["token"]])
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(45)
    return out.getvalue()


def _verify(acked: list[dict[str, Any]]) -> dict[str, Any]:
    """Compare the stored responses with the acknowledged submissions, as multisets of
    (assessment, group, answer bytes): a lost submission is missing, a duplicate is extra."""
    from leadwell.cycles.models import Draft, Invitation, Response, ResponseComment

    expected: Counter[tuple[int, str, bytes]] = Counter()
    comments = 0
    for row in acked:
        answers = answers_for(row["token"], row["group"])
        expected[(row["assessment"], row["group"], answers.stored)] += 1
        comments += len(answers.comments)
    stored = Counter(
        (assessment, group, bytes(data))
        for assessment, group, data in Response.objects.values_list(
            "assessment", "group", "answers"
        )
    )
    hashes = {hashlib.sha256(row["token"].encode()).hexdigest() for row in acked}
    submitted = set(
        Invitation.objects.filter(status=Invitation.SUBMITTED).values_list("token_hash", flat=True)
    )
    return {
        "acknowledged": len(acked),
        "responses": sum(stored.values()),
        "missing": sum((expected - stored).values()),
        "extra": sum((stored - expected).values()),
        "acked_not_marked": len(hashes - submitted),
        "marked_not_acked": len(submitted - hashes),
        "drafts_left": Draft.objects.filter(invitation__token_hash__in=list(hashes)).count(),
        "comments_expected": comments,
        "comments": ResponseComment.objects.count(),
    }


# --- the server and the simulated browsers ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    url: str, home: Path, workers: int, port: int, *, log: str = "server.log", **popen: Any
) -> subprocess.Popen[bytes]:
    """Start `leadwell serve` on ``port``, its output appended to ``home / log``; ``popen``:
    more arguments of subprocess.Popen."""
    command = [str(Path(sys.executable).parent / "leadwell"), "serve", "--no-migrate"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with (home / log).open("ab") as out:
        return subprocess.Popen(
            command,
            env=_environment(url, home),
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            **popen,
        )


@contextlib.contextmanager
def serving(url: str, home: Path, workers: int) -> Iterator[tuple[int, int]]:
    """`leadwell serve` on a free port; (port, gunicorn master's pid). Stopped afterwards."""
    port = _free_port()
    server = start_server(url, home, workers, port)
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
    one for the next request, as a browser would."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Origin": f"http://127.0.0.1:{port}"}
        self.form_token = b""

    def send(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
        """(status, Location) of one request; a POST body gets the CSRF form field."""
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = b"csrfmiddlewaretoken=" + self.form_token + b"&" + body
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        return response.status, response.getheader("Location", "")

    def open_link(self, token: str) -> None:
        """GET a rater's intro page; keep the CSRF cookie and the form's token, as a browser."""
        self.connection.request("GET", f"/r/{token}/", headers=self.headers)
        response = self.connection.getresponse()
        html = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "") or "")
        form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if response.status != 200 or cookie is None or form is None:
            raise RuntimeError(f"GET /r/<token>/ answered {response.status} without a CSRF token")
        self.headers["Cookie"] = f"csrftoken={cookie.group(1)}"
        self.form_token = form.group(1).encode()

    def copy(self, port: int) -> Browser:
        """A second tab: its own connection, the same cookie."""
        twin = Browser(port)
        twin.headers, twin.form_token = dict(self.headers), self.form_token
        return twin


@dataclass
class Tally:
    """What simulated browsers did: latencies, acknowledged invitations, errors."""

    latencies: list[float] = field(default_factory=list)  # seconds per acknowledged submission
    requests: dict[str, list[float]] = field(default_factory=dict)  # kind → seconds of each
    acked: list[dict[str, Any]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.acked += other.acked
        self.errors += other.errors
        for kind, times in other.requests.items():
            self.requests.setdefault(kind, []).extend(times)

    def timed(self, browser: Browser, kind: str, path: str, body: bytes | None) -> tuple[int, str]:
        start = time.perf_counter()
        answer = browser.send("GET" if body is None else "POST", path, body)
        self.requests.setdefault(kind, []).append(time.perf_counter() - start)
        return answer


def submit_one(
    browser: Browser, token: str, bodies: list[bytes], *, follow: bool, tally: Tally
) -> bool:
    """One submission: each page's POST, then the submit POST (with ``follow``, also the GETs a
    browser makes: the intro, Start, each page, the review, the thanks page). True when the
    server acknowledged it: a redirect to the thanks page."""
    if follow:
        tally.timed(browser, "GET intro", f"/r/{token}/", None)
        tally.timed(browser, "POST start", f"/r/{token}/", b"")
    for number, body in enumerate(bodies, 1):
        if follow:
            tally.timed(browser, "GET page", f"/r/{token}/page/{number}/", None)
        status, _ = tally.timed(browser, "POST page", f"/r/{token}/page/{number}/", body)
        if status != 302:
            tally.errors[f"page POST answered {status}"] += 1
            return False
    if follow:
        tally.timed(browser, "GET review", f"/r/{token}/review/", None)
    status, location = tally.timed(browser, "POST submit", f"/r/{token}/submit/", b"")
    if status != 302 or not location.endswith("/thanks/"):
        tally.errors[f"submit POST answered {status}"] += 1
        return False
    if follow:
        tally.timed(browser, "GET thanks", location, None)
    return True


def _together(count: int, work: Callable[[int, float], None], seconds: float) -> float:
    """Run ``work(i, deadline)`` for i < count in threads released at the same moment, with
    ``deadline`` (time.monotonic) ``seconds`` later; the wall time until the last one ends."""
    barrier = threading.Barrier(count + 1)
    deadline = [math.inf]

    def run(index: int) -> None:
        barrier.wait()
        work(index, deadline[0])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def run_load(
    browsers: list[Browser],
    jobs: list[list[dict[str, Any]]],
    bodies: dict[str, list[bytes]],
    *,
    follow: bool = False,
    seconds: float = 60,
) -> tuple[Tally, float]:
    """Browser i submits jobs[i] one after the other, all browsers at once; (tally, seconds).

    A browser starts no new submission once ``seconds`` have passed."""
    tallies = [Tally() for _ in browsers]

    def work(index: int, deadline: float) -> None:
        browser, tally = browsers[index], tallies[index]
        for row in jobs[index]:
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            try:
                ok = submit_one(browser, row["token"], bodies[row["token"]], follow=follow,
                                tally=tally)  # fmt: skip
            except (OSError, http.client.HTTPException) as error:
                tally.errors[type(error).__name__] += 1
                continue
            if ok:
                tally.latencies.append(time.perf_counter() - start)
                tally.acked.append(row)

    elapsed = _together(len(browsers), work, seconds)
    total = Tally()
    for tally in tallies:
        total.add(tally)
    return total, elapsed


def health_load(browsers: list[Browser], seconds: float) -> Load:
    """The floor of the stack: every browser GETs /health/ (one SELECT 1) for ``seconds``."""
    tallies = [Tally() for _ in browsers]

    def work(index: int, deadline: float) -> None:
        while time.monotonic() < deadline:
            tallies[index].timed(browsers[index], "GET /health/", "/health/", None)

    elapsed = _together(len(browsers), work, seconds)
    total = Tally()
    for tally in tallies:
        total.add(tally)
    return Load("health", total, elapsed, {})


def double_submits(
    port: int, rows: list[dict[str, Any]], bodies: dict[str, list[bytes]]
) -> dict[str, Any]:
    """Answer each invitation, then send its submit twice at the same moment from two
    connections (a double click, two tabs): one may be acknowledged, the other must be told
    "already received"."""
    first = Browser(port)
    first.open_link(rows[0]["token"])
    second = first.copy(port)
    acked, twice, received, other = [], 0, 0, Counter[str]()
    for row in rows:
        token = row["token"]
        for number, body in enumerate(bodies[token], 1):
            first.send("POST", f"/r/{token}/page/{number}/", body)
        answers = _at_once([first, second], f"/r/{token}/submit/")
        oks = sum(status == 302 and location.endswith("/thanks/") for status, location in answers)
        received += sum(status == 200 for status, _ in answers)
        other.update(str(status) for status, _ in answers if status not in (200, 302))
        twice += oks == 2
        if oks:
            acked.append(row)
    return {"invitations": len(rows), "acked": acked, "twice": twice, "received": received,
            "other": dict(other)}  # fmt: skip


def _at_once(browsers: list[Browser], path: str) -> list[tuple[int, str]]:
    """POST ``path`` from every browser at the same moment; (status, Location) of each."""
    barrier = threading.Barrier(len(browsers))
    answers: list[tuple[int, str]] = []

    def post(browser: Browser) -> None:
        barrier.wait()
        answers.append(browser.send("POST", path, b""))

    threads = [threading.Thread(target=post, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


# --- CPU accounting ---------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        fields = _stat(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            if entry.name.isdigit() and int(_stat(entry.name)[1]) == pid:
                out.append(int(entry.name))
    return out


@dataclass
class CpuSnapshot:
    server: float  # the gunicorn workers
    client: float  # this process: the simulated browsers
    busy: float  # the whole machine, all cores
    total: float
    wall: float

    @classmethod
    def take(cls, server_pids: list[int]) -> CpuSnapshot:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle, total = values[3] + values[4], sum(values[:8])
        return cls(
            sum(map(_process_cpu, server_pids)),
            time.process_time(),
            (total - idle) / _TICK,
            total / _TICK,
            time.perf_counter(),
        )

    def since(self, before: CpuSnapshot) -> dict[str, float]:
        """Cores in use on average: the machine, gunicorn, the load generator, the rest."""
        wall = self.wall - before.wall
        server, client = (self.server - before.server) / wall, (self.client - before.client) / wall
        busy = (self.busy - before.busy) / wall
        return {"cores": (self.total - before.total) / wall, "busy": busy, "server": server,
                "client": client, "rest": max(0.0, busy - server - client)}  # fmt: skip


# --- one run: a database, a worker count ------------------------------------------------------


@dataclass
class Load:
    """One timed load: its tally, its wall time, its CPU use."""

    name: str
    tally: Tally
    seconds: float
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        return len(self.tally.latencies) / self.seconds

    @property
    def rate_requests(self) -> float:
        return sum(map(len, self.tally.requests.values())) / self.seconds


def run_once(kind: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="leadwell-bench-"))
    try:
        with fresh_database(kind, args.postgres_url, home, name=BENCH_DATABASE) as url:
            return _run(kind, workers, url, home, args)
    finally:
        if args.keep:
            print(f"  (kept {home})")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _run(kind: str, workers: int, url: str, home: Path, args: argparse.Namespace) -> dict[str, Any]:
    in_process = MEASURED + 2 * IN_PROCESS_TIMED + (PROFILED if args.profile else 0)
    n = args.submissions
    options = {"invitations": in_process + args.raters + 2 * n + PROBE, "drafted": n}
    prep = _internal("prepare", url, home, {**options, "profile": args.profile})
    rows, used = prep["rows"], prep["used"]
    warm = rows[used : used + args.raters]
    journeys = rows[used + args.raters : used + args.raters + n]
    probe, drafted = rows[-n - PROBE : -n], rows[-n:]
    bodies = {row["token"]: answers_for(row["token"], row["group"]).bodies for row in rows}
    loads = []
    with serving(url, home, workers) as (port, master):
        browsers = [Browser(port) for _ in range(args.raters)]
        for browser, row in zip(browsers, warm, strict=True):
            browser.open_link(row["token"])
        warm_tally, _ = run_load(browsers, [[row] for row in warm], bodies)
        pids = _children(master)
        floor = health_load(browsers, HEALTH_SECONDS)
        for name, pool in (("journey", journeys), ("submission", drafted)):
            jobs = [pool[i :: args.raters] for i in range(args.raters)]
            pages = bodies if name == "journey" else {row["token"]: [] for row in pool}
            before = CpuSnapshot.take(pids)
            tally, seconds = run_load(
                browsers,
                jobs,
                pages,
                follow=args.browser and name == "journey",
                seconds=args.seconds,
            )
            loads.append(Load(name, tally, seconds, CpuSnapshot.take(pids).since(before)))
        doubles = double_submits(port, probe, bodies)
    acked = rows[:used] + warm_tally.acked + doubles.pop("acked")
    acked += [row for load in loads for row in load.tally.acked]
    check = _internal("verify", url, home, {"acked": acked})
    return {"database": kind, "workers": workers, "prep": prep, "loads": loads, "floor": floor,
            "warm_errors": warm_tally.errors, "doubles": doubles, "check": check}  # fmt: skip


# --- report -----------------------------------------------------------------------------------


def _quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile: the smallest sample with at least a fraction q at or below it."""
    ordered = sorted(values)
    rank = math.ceil(round(q * len(ordered), 9))
    return ordered[min(len(ordered), max(1, rank)) - 1]


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f} ms"


def _sql_rows(prep: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(request, Django queries without BEGIN/COMMIT, statements received) for a submission."""
    requests = prep["requests"]
    counts = [(len(r["queries"]), len(r["wire"])) for r in requests]
    out = [("POST page 1 (creates the draft)", *counts[0])]
    if len(set(counts[1:-1])) == 1:
        out.append((f"POST pages 2-{len(counts) - 1}, each", *counts[1]))
    else:
        out += [(f"POST page {i}", *c) for i, c in enumerate(counts[1:-1], 2)]
    out.append(("POST submit", *counts[-1]))
    out.append(("a rater's journey", sum(c[0] for c in counts), sum(c[1] for c in counts)))
    return out


def print_run(result: dict[str, Any], *, show_sql: bool) -> None:
    prep, check, d = result["prep"], result["check"], result["doubles"]
    print(f"\n{NAMES[result['database']]}, {result['workers']} gunicorn workers")
    print(f"  setup: migrate {prep['migrate_s']:.1f} s, whole setup {prep['setup_s']:.1f} s")
    floor = result["floor"]
    print(
        f"  the stack's floor: GET /health/ (one SELECT 1), {floor.rate_requests:,.0f} requests "
        f"per second, p50 {_ms(_quantile(floor.tally.requests['GET /health/'], 0.5))}"
    )
    for load in result["loads"]:
        _print_load(load)
    errors = result["warm_errors"]
    if errors:
        print(f"  errors while warming up: {dict(errors)}")
    print("  SQL per request, in-process (django.test.Client + CaptureQueriesContext on the same")
    print("  database): queries without BEGIN/COMMIT | every statement the database received")
    for name, queries, wire in _sql_rows(prep):
        print(f"    {name:<34} {queries:>4} | {wire:>4}")
    if not prep["stable"]:
        print("    (the first measured submissions differed in their query counts)")
    print(
        f"  in-process, one thread, no HTTP: {prep['served_ms']:.1f} ms per rater's journey "
        f"(a new SQLite connection / a PostgreSQL health check per request, as served); "
        f"{prep['kept_ms']:.1f} ms keeping the connection"
    )
    print(
        f"  double submits: {d['invitations']} invitations submitted twice at the same moment: "
        f"{d['twice']} acknowledged twice, {d['received']} answered 'already received'"
        + (f", other answers {d['other']}" if d["other"] else "")
    )
    print(
        f"  database check: {check['acknowledged']:,} acknowledged, {check['responses']:,} "
        f"responses: {check['missing']} missing, {check['extra']} extra; invitations: "
        f"{check['acked_not_marked']} acknowledged but not marked submitted, "
        f"{check['marked_not_acked']} marked but not acknowledged; drafts left "
        f"{check['drafts_left']}; comments {check['comments']:,} of {check['comments_expected']:,}"
    )
    if show_sql:
        for number, request in enumerate(prep["requests"], 1):
            print(f"  -- request {number}: every statement the database received")
            for sql in request["wire"]:
                print(f"     {sql[:160]}")
    if "profile" in prep:
        print(prep["profile"])


def _print_load(load: Load) -> None:
    tally, cpu = load.tally, load.cpu
    what = "rater's journeys" if load.name == "journey" else "submissions (submit POSTs)"
    done = len(tally.latencies)
    if done:
        print(
            f"  {done:,} {what} in {load.seconds:.1f} s = {load.rate:.1f} per second; latency "
            f"p50 {_ms(_quantile(tally.latencies, 0.5))}, "
            f"p99 {_ms(_quantile(tally.latencies, 0.99))}"
        )
    for kind, times in tally.requests.items():
        print(
            f"    {kind:<12} {len(times):>6,} requests, {len(times) / load.seconds:6.0f}/s, "
            f"p50 {_ms(_quantile(times, 0.5))}, p99 {_ms(_quantile(times, 0.99))}"
        )
    print(
        f"    CPU in cores (of {cpu['cores']:.1f}): machine {cpu['busy']:.2f} = gunicorn workers "
        f"{cpu['server']:.2f} + load generator {cpu['client']:.2f} + database and the rest "
        f"{cpu['rest']:.2f}"
    )
    if tally.errors:
        print(f"    errors: {dict(tally.errors)}")


def _met(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def print_table(results: list[dict[str, Any]], *, browser: bool) -> None:
    """The goals apply to submissions; the rater's journey is context (module docstring)."""
    print(
        "\n| database | workers | measured | per second | p50 | p99 | SQL queries | lost "
        "| duplicated | goals |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        check, sql = r["check"], _sql_rows(r["prep"])
        lost, extra = check["missing"], check["extra"] + r["doubles"]["twice"]
        for load in sorted(r["loads"], key=lambda load: load.name != "submission"):
            latencies = load.tally.latencies or [math.nan]
            p50, p99 = _quantile(latencies, 0.5), _quantile(latencies, 0.99)
            if load.name == "submission":
                what, queries = "submission (submit POST)", sql[-2][1]
                goals = (
                    f"rate {_met(load.rate >= GOAL_RATE)}, p99 {_met(p99 * 1000 < GOAL_P99_MS)}, "
                    f"queries {_met(queries <= GOAL_QUERIES)}, "
                    f"lost/dup {_met(lost == 0 and extra == 0)}"
                )
            else:
                what, queries = "rater's journey (8 POSTs)", sql[-1][1]
                if browser:
                    what = "rater's journey (as a browser, 19 requests; SQL of its 8 POSTs)"
                goals = "context, no goal"
            print(
                f"| {NAMES[r['database']]} | {r['workers']} | {what} | {load.rate:.1f} "
                f"| {_ms(p50)} | {_ms(p99)} | {queries} | {lost} | {extra} | {goals} |"
            )
    print(f"| goal | | submission | >= {GOAL_RATE:.0f} | | < {GOAL_P99_MS:.0f} ms "
          f"| <= {GOAL_QUERIES} | 0 | 0 | |")  # fmt: skip


def _postgres_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else POSTGRES_DEFAULT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raters", type=int, default=32, help="concurrent simulated browsers")
    parser.add_argument("--submissions", type=int, default=3000, help="per load, at most")
    parser.add_argument("--seconds", type=float, default=12, help="time limit of each load")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", default="2,3", help="gunicorn worker counts, e.g. 2,3")
    parser.add_argument(
        "--postgres-url",
        default=_postgres_server(),
        help=f"server to create {BENCH_DATABASE} on (DATABASE_URL, else {POSTGRES_DEFAULT})",
    )
    parser.add_argument("--browser", action="store_true", help="follow redirects as a browser")
    parser.add_argument("--profile", action="store_true", help="cProfile in-process submissions")
    parser.add_argument("--show-sql", action="store_true", help="print a submission's SQL")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    if args.submissions < 1 or args.raters < 1:
        parser.error("--raters and --submissions must be at least 1")
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    workers = [int(w) for w in args.workers.split(",")]
    load = os.getloadavg()[0]
    print(
        f"{args.raters} concurrent raters; each load at most {args.submissions:,} submissions "
        f"or {args.seconds:.0f} s; {'following redirects' if args.browser else '8 POSTs'} per "
        f"rater's journey; {os.cpu_count()} cores, load average {load:.2f} before the start"
    )
    results = []
    for kind in databases:
        for count in workers:
            results.append(run_once(kind, count, args))
            print_run(results[-1], show_sql=args.show_sql)
    print_table(results, browser=args.browser)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--internal"]:
        internal_main(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
