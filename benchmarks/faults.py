"""Benchmark: nothing lost while an app process is killed or PostgreSQL restarts.

    .venv/bin/python benchmarks/faults.py              # the three runs, 64 raters, 60 s each
    .venv/bin/python benchmarks/faults.py --database sqlite --seconds 15 --raters 16
    .venv/bin/python benchmarks/faults.py --database postgres --fault restart

Three runs, each on a fresh database (reliability issue, part 5):

- PostgreSQL, two app processes, one of them killed: two ``leadwell serve`` instances (gunicorn
  with 2 workers each) on two ports; in the middle of the load the whole process group of the
  first one (master and workers) gets SIGKILL, and after ``--down`` seconds it is started again
  on the same port.
- PostgreSQL, two app processes, PostgreSQL restarted: in the middle of the load the database
  server is stopped with ``pg_ctl stop -m immediate`` (every server process quits at once,
  without a checkpoint, as in a crash: open transactions are cut off and the next start replays
  the write-ahead log) and started again after ``--down`` seconds.
- SQLite, one app process, killed and restarted as above (there is no database server).

PostgreSQL runs on a private cluster the script makes: ``initdb`` into a temporary folder and
``pg_ctl start`` on a free port of 127.0.0.1 (as the ``postgres`` user when run as root, since
initdb refuses root), stopped and removed at the end; no other server is touched. Without
pg_ctl the PostgreSQL runs are skipped. The two faults are separate runs so that each one's
errors and retries can be told apart. Two workers per app process: a kill then cuts off
requests in two workers at once, and the process that survives still serves two at a time.

Each run builds one organization, an open cycle, assessments of 12 raters and their invitations
(``benchmarks/submit.py`` does the same), then lets ``--raters`` simulated browsers (64) submit
full responses, each its own invitations one after the other: the 7 page POSTs, then the submit
POST. On PostgreSQL rater i uses app process i mod 2. A request that gets no answer (refused,
reset, closed, a 20 s timeout) or a 5xx answer is sent again after 0.3 to 1 s, on the other app
process when there are two, as a person pressing the button again would; a rater gives up a
request after 90 s of failures. A submission is acknowledged when its submit POST answers with
the redirect to the thanks page, or, on a retry, with the "already received" page (the first
attempt was stored but its answer lost). A submit given up is in doubt; the rater tries it once
more after the load. After the load, ``--dropped`` (32) more invitations are answered and
submitted with the connection closed before the submit's answer comes (the answer is lost on
the way back, deterministically), then submitted again: each must be stored once.

A quarter of the raters first answer some pages of one invitation (1 to all 7, never
submitted) before the fault, then go on with their other invitations. After the load the drafts
of those invitations are read in the database: each must hold exactly the answers and comments
of the pages acknowledged before the fault, and the page reached. Then those raters continue
where they stopped (the remaining pages, then submit); their stored responses, like those of
every rater whose submission spanned the fault, must equal their full answers, which they are
only if every page saved before the fault is still in the draft.

Integrity, checked at the end on the stored data (``submit._verify``: the stored responses are
unlinkable, so the check compares multisets of (assessment, group, answer bytes), every
rater's answers being drawn from a generator seeded by its token): every acknowledged
submission is stored exactly once (no missing, no extra), the submitted invitations are exactly
the acknowledged ones, none keeps a draft, every comment is there; the held drafts are intact;
no request got an answer a retry should not get (a 4xx, "already received" on a first attempt,
the start page instead of the thanks page); nothing is left in doubt. Exit status 1 when a run
fails any of these.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import math
import os
import pwd
import random
import shutil
import signal
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

from _databases import fresh_database  # benchmarks/ is on sys.path when run as a script
from submit import (
    NAMES,
    Browser,
    Tally,
    _free_port,
    _instrument,
    _internal,
    _populate,
    _stat,
    _together,
    _verify,
    _wait_healthy,
    answers_for,
    internal_main,
    start_server,
)

DATABASE = "leadwell_faults"
WORKERS = 2  # gunicorn workers per app process
CLIENT_TIMEOUT = 20.0  # seconds a simulated browser waits for an answer
GIVE_UP = 90.0  # seconds of failures after which a rater gives a request up
PAUSE = (0.3, 1.0)  # seconds between a failure and the retry
FAULTS = {"kill": "app process killed (SIGKILL) and restarted", "restart": "PostgreSQL restarted"}


# --- a private PostgreSQL cluster -------------------------------------------------------------


def _pg_bin(given: str | None) -> Path | None:
    """The folder of pg_ctl and initdb: ``given``, else the newest /usr/lib/postgresql/*/bin,
    else the one on PATH."""
    if given:
        return Path(given)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


class Cluster:
    """A PostgreSQL cluster in ``root`` on a free port of 127.0.0.1, trust authentication."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin, self.root, self.port = bin_dir, root, _free_port()
        self.data = root / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:  # initdb and the server refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if done.returncode:
            raise RuntimeError(f"{tool} {args[-1]} failed: {done.stderr.decode().strip()}")

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        log = str(self.root / "postgres.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "60", "-o", options, "start"
        )

    def stop(self, mode: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


@contextlib.contextmanager
def private_postgres(bin_dir: Path) -> Iterator[Cluster]:
    """A new cluster, started; stopped and removed afterwards, also on error."""
    root = Path(tempfile.mkdtemp(prefix="leadwell-faults-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(bin_dir, root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


# --- the app processes ------------------------------------------------------------------------


class App:
    """One `leadwell serve` on its own port, in its own process group (master and workers)."""

    def __init__(self, url: str, home: Path, name: str) -> None:
        self.url, self.home, self.name, self.port = url, home, name, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start_server(
            self.url, self.home, WORKERS, self.port, log=f"{self.name}.log", start_new_session=True
        )
        _wait_healthy(self.port, self.process)

    def signal(self, number: int) -> None:
        """Send ``number`` to the process group while its master runs (it leads the group)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, number)

    def kill(self) -> int:
        """SIGKILL to every process of the group at once; how many there were. Raises
        RuntimeError if one is still alive 5 s later."""
        if self.process is None:
            return 0
        group = self.process.pid
        killed = len(_group(group))
        self.signal(signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 5
        while _group(group):
            if time.monotonic() > deadline:
                raise RuntimeError(f"processes {_group(group)} outlived SIGKILL")
            time.sleep(0.05)
        return killed

    def stop(self) -> None:
        self.signal(signal.SIGTERM)
        if self.process is not None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _group(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group."""
    out = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            if entry.name.isdigit():
                fields = _stat(entry.name)
                if int(fields[2]) == pgid and fields[0] != "Z":
                    out.append(int(entry.name))
    return out


@dataclass
class Fault:
    """What was done to the system, and when (time.monotonic)."""

    kind: str
    start: float = math.inf
    end: float = math.inf
    error: str = ""
    killed: int = 0  # processes of the app process's group that got SIGKILL


def inject(
    fault: Fault,
    when: float,
    apps: list[App],
    cluster: Cluster | None,
    down: float,
    ready: threading.Event,
) -> None:
    """At ``when`` (once the held drafts are saved): kill the first app process or stop
    PostgreSQL, wait ``down`` seconds, start it again; ``fault.end`` once every app process
    answers /health/ again."""
    ready.wait(timeout=max(0.0, when - time.monotonic()) + 60)
    time.sleep(max(0.0, when - time.monotonic()))
    fault.start = time.monotonic()
    try:
        if fault.kind == "kill":
            fault.killed = apps[0].kill()
            time.sleep(down)
            apps[0].start()
        elif cluster is not None:
            cluster.stop("immediate")
            time.sleep(down)
            cluster.start()
            for app in apps:
                if app.process is not None:
                    _wait_healthy(app.port, app.process)
    except Exception as error:  # reported with the run, which then fails
        fault.error = f"{type(error).__name__}: {error}"
    fault.end = time.monotonic()


# --- raters that retry ------------------------------------------------------------------------


@dataclass
class FaultTally(Tally):
    """Tally's counts, and: events (retries, answers on retry, give-ups), answers no retry
    should get, submits in doubt, (first page saved, acknowledged) times of each submission."""

    events: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)
    doubt: list[dict[str, Any]] = field(default_factory=list)
    times: list[tuple[float, float]] = field(default_factory=list)
    failed: list[float] = field(default_factory=lambda: [math.inf, -math.inf])  # first, last

    def add(self, other: Tally) -> None:
        super().add(other)
        if isinstance(other, FaultTally):
            self.events += other.events
            self.unexpected += other.unexpected
            self.doubt += other.doubt
            self.times += other.times
            self.failed = [
                min(self.failed[0], other.failed[0]),
                max(self.failed[1], other.failed[1]),
            ]

    def failure(self, when: float) -> None:
        self.failed = [min(self.failed[0], when), max(self.failed[1], when)]


def _failure(error: BaseException) -> str:
    """A short name for a request that got no answer."""
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed without an answer"
    names = {
        TimeoutError: "timeout",
        ConnectionRefusedError: "connection refused",
        ConnectionResetError: "connection reset",
    }
    return next((n for kind, n in names.items() if isinstance(error, kind)), type(error).__name__)


class Rater:
    """One rater's browser with a tab on each app process (the same CSRF cookie in each)."""

    def __init__(self, ports: list[int], tally: FaultTally, seed: int) -> None:
        self.tabs = [Browser(port) for port in ports]
        self.tally, self.rng = tally, random.Random(seed)

    def open(self, token: str) -> None:
        """Open one link on the first app process for the CSRF cookie and form token."""
        self.tabs[0].open_link(token)
        for number, tab in enumerate(self.tabs[1:], 1):
            self.tabs[number] = self.tabs[0].copy(tab.connection.port)
            self.tabs[number].headers["Origin"] = tab.headers["Origin"]
        for tab in self.tabs:
            tab.connection.timeout = CLIENT_TIMEOUT

    def post(self, path: str, body: bytes) -> tuple[int, str, int] | None:
        """POST until an answer below 500: (status, Location, failed attempts before it), each
        attempt on the next app process; None when the rater gives up."""
        first, failed = time.monotonic(), 0
        while True:
            try:
                status, location = self.tabs[failed % len(self.tabs)].send("POST", path, body)
            except (OSError, http.client.HTTPException) as error:
                self.tally.errors[_failure(error)] += 1
            else:
                if status < 500:
                    return status, location, failed
                self.tally.errors[f"HTTP {status}"] += 1
            self.tally.failure(time.monotonic())
            if time.monotonic() - first > GIVE_UP:
                self.tally.events["gave up"] += 1
                return None
            failed += 1
            self.tally.events["retries"] += 1
            time.sleep(self.rng.uniform(*PAUSE))

    def answer(self, token: str, bodies: list[bytes], pages: range) -> bool:
        """POST these pages; True when each was saved (a redirect)."""
        for number in pages:
            got = self.post(f"/r/{token}/page/{number}/", bodies[number - 1])
            if got is None:
                return False
            if got[0] != 302:
                self.tally.unexpected[f"page POST answered {got[0]}"] += 1
                return False
        return True

    def submit(self, row: dict[str, Any], first_saved: float, *, again: str = "") -> None:
        """The submit POST; acknowledged by the thanks page, or by "already received" on a
        retry (``again``: why the rater submits a second time, counted apart)."""
        got = self.post(f"/r/{row['token']}/submit/", b"")
        if got is None:
            self.tally.doubt.append(row)
            return
        status, location, failed = got
        retry = "on a retry" + (f" ({again})" if again else "")
        if status == 302 and location.endswith("/thanks/"):
            if failed or again:
                self.tally.events[f"thanks {retry}"] += 1
        elif status == 200 and (failed or again):
            self.tally.events[f"already received {retry}"] += 1
        else:
            where = f" ({urllib.parse.urlsplit(location).path.split('/')[-2]})" if location else ""
            self.tally.unexpected[f"submit POST answered {status}{where}"] += 1
            return
        self.tally.acked.append(row)
        self.tally.times.append((first_saved, time.monotonic()))

    def drop_answer(self, row: dict[str, Any], bodies: list[bytes]) -> None:
        """Answer every page, send the submit POST and close the connection before its answer
        comes (the network failed on the way back), then press Submit again a moment later."""
        token = row["token"]
        if not self.answer(token, bodies, range(1, len(bodies) + 1)):
            return
        tab = self.tabs[0]
        headers = {**tab.headers, "Content-Type": "application/x-www-form-urlencoded"}
        body = b"csrfmiddlewaretoken=" + tab.form_token + b"&"
        tab.connection.request("POST", f"/r/{token}/submit/", body, headers)
        tab.connection.close()
        self.tally.events["answers dropped"] += 1
        time.sleep(self.rng.uniform(*PAUSE))
        self.submit(row, time.monotonic(), again="answer dropped")

    def full(self, row: dict[str, Any], bodies: list[bytes]) -> None:
        """One full submission: every page, then submit."""
        token = row["token"]
        if self.answer(token, bodies, range(1, 2)):
            first_saved = time.monotonic()
            if self.answer(token, bodies, range(2, len(bodies) + 1)):
                self.submit(row, first_saved)
                return
        self.tally.events["invitations left unfinished"] += 1


# --- one run ----------------------------------------------------------------------------------


@dataclass
class Held:
    """An invitation a rater leaves half done before the fault."""

    row: dict[str, Any]
    pages: int
    saved_at: float = math.inf  # when its last page was acknowledged


def _prepare(options: dict[str, Any]) -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return {"rows": _populate(options["invitations"])}


def _drafts(options: dict[str, Any]) -> dict[str, Any]:
    """Compare each held invitation's draft with the pages its rater saved."""
    from leadwell.cycles.models import Draft

    instrument, broken = _instrument(), []
    for held in options["held"]:
        answers = bytearray(len(instrument.item_ids))
        comments = {}
        for body in answers_for(held["token"], held["group"]).bodies[: held["pages"]]:
            for name, value in urllib.parse.parse_qsl(body.decode()):
                if name.startswith("item-"):
                    answers[instrument.item_index[name[5:]]] = int(value)
                elif name.startswith("comment-") and value:
                    comments[name[8:]] = value
        token_hash = hashlib.sha256(held["token"].encode()).hexdigest()
        draft = Draft.objects.filter(invitation__token_hash=token_hash).first()
        if draft is None:
            broken.append("no draft")
        elif bytes(draft.answers) != bytes(answers):
            broken.append("answers differ")
        elif any(draft.comments.get(q) != text for q, text in comments.items()):
            broken.append("comments differ")
        elif draft.page != held["pages"] + 1:
            broken.append(f"page {draft.page} instead of {held['pages'] + 1}")
    return {"checked": len(options["held"]), "broken": broken}


def run_fault(kind: str, fault_kind: str, args: argparse.Namespace) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="leadwell-faults-"))
    try:
        with contextlib.ExitStack() as stack:
            cluster = None
            if kind == "postgres":
                cluster = stack.enter_context(private_postgres(args.pg_bin))
            url = stack.enter_context(
                fresh_database(kind, cluster.url if cluster else "", home, name=DATABASE)
            )
            apps = [App(url, home, f"app{n}") for n in range(2 if kind == "postgres" else 1)]
            for app in apps:
                stack.callback(app.stop)
                app.start()
            result = _run(home, url, apps, cluster, Fault(fault_kind), args)
            for app in apps:
                app.stop()
            result["check"] = _internal(
                "verify", url, home, {"acked": result["tally"].acked}, script=__file__
            )
            return {"database": kind, **result}
    finally:
        if args.keep:
            print(f"  (kept {home})")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _run(
    home: Path,
    url: str,
    apps: list[App],
    cluster: Cluster | None,
    fault: Fault,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The load with the fault in its middle, the draft check, the held raters' finish."""
    prepared = _internal("prepare", url, home, {"invitations": args.invitations}, script=__file__)
    rows = prepared["rows"]
    bodies = {row["token"]: answers_for(row["token"], row["group"]).bodies for row in rows}
    n = args.raters
    held = [Held(row, 1 + i % len(bodies[row["token"]])) for i, row in enumerate(rows[: n // 4])]
    dropped = rows[len(held) : len(held) + args.dropped]
    pool = rows[len(held) + len(dropped) :]
    raters = _raters([app.port for app in apps], pool[:n])
    tallies = [rater.tally for rater in raters]
    ready, tried = threading.Event(), []

    def work(index: int, deadline: float) -> None:
        rater = raters[index]
        if index < len(held):
            mine = held[index]
            token, pages = mine.row["token"], range(1, mine.pages + 1)
            if rater.answer(token, bodies[token], pages):
                mine.saved_at = time.monotonic()
            tried.append(index)
            if len(tried) == len(held):
                ready.set()
        for row in pool[index::n]:
            if time.monotonic() > deadline:
                break
            rater.full(row, bodies[row["token"]])

    t0 = time.monotonic()
    when = t0 + args.fault_at * args.seconds
    injector = threading.Thread(target=inject, args=(fault, when, apps, cluster, args.down, ready))
    injector.start()
    seconds = _together(n, work, args.seconds)
    injector.join()
    during = sum(len(t.acked) for t in tallies)
    checked = [h for h in held if h.saved_at < fault.start]
    drafts = _internal(
        "drafts",
        url,
        home,
        {"held": [{**h.row, "pages": h.pages} for h in checked]},
        script=__file__,
    )
    _finish(raters, held, [row for t in tallies for row in t.doubt], dropped, bodies)
    total = FaultTally()
    for tally in tallies:
        total.add(tally)
    return {
        "fault": fault,
        "seconds": seconds,
        "raters": n,
        "during": during,
        "tally": total,
        "drafts": drafts,
        "instances": len(apps),
        "t0": t0,
    }


def _raters(ports: list[int], rows: list[dict[str, Any]]) -> list[Rater]:
    """One rater per row, rater i starting on app process i mod the number of processes, each
    with the CSRF cookie of its row's link."""
    raters = []
    for i, row in enumerate(rows):
        start = i % len(ports)
        raters.append(Rater(ports[start:] + ports[:start], FaultTally(), i))
        raters[-1].open(row["token"])
    return raters


def _finish(
    raters: list[Rater],
    held: list[Held],
    doubt: list[dict[str, Any]],
    dropped: list[dict[str, Any]],
    bodies: dict[str, list[bytes]],
) -> None:
    """After the load: the held raters finish their invitations; submits in doubt are sent
    once more (each tally's in-doubt list is replaced by what stays in doubt); the
    ``dropped`` invitations are submitted with their first answer lost."""
    for rater in raters:
        rater.tally.doubt = []

    def work(index: int, deadline: float) -> None:
        rater = raters[index]
        if index < len(held) and held[index].saved_at < math.inf:
            row, pages = held[index].row, held[index].pages
            token = row["token"]
            if rater.answer(token, bodies[token], range(pages + 1, len(bodies[token]) + 1)):
                rater.submit(row, time.monotonic())
        for row in doubt[index :: len(raters)]:
            rater.submit(row, time.monotonic(), again="in doubt")
        for row in dropped[index :: len(raters)]:
            rater.drop_answer(row, bodies[row["token"]])

    _together(len(raters), work, math.inf)


# --- report -----------------------------------------------------------------------------------


def integrity(result: dict[str, Any]) -> list[str]:
    """What failed, in words; empty when the run passed."""
    check, tally, drafts = result["check"], result["tally"], result["drafts"]
    failed = [
        f"{check[key]} {words}"
        for key, words in (
            ("missing", "acknowledged submissions missing"),
            ("extra", "responses stored but not acknowledged, or twice"),
            ("acked_not_marked", "acknowledged invitations not marked submitted"),
            ("marked_not_acked", "invitations marked submitted but not acknowledged"),
            ("drafts_left", "acknowledged invitations still with a draft"),
        )
        if check[key]
    ]
    if check["comments"] != check["comments_expected"]:
        failed.append(f"{check['comments']} comments stored, {check['comments_expected']} sent")
    failed += [f"held draft: {what}" for what in drafts["broken"]]
    failed += [f"{count} × {what}" for what, count in tally.unexpected.items()]
    if tally.doubt:
        failed.append(f"{len(tally.doubt)} submits still in doubt")
    if result["fault"].error:
        failed.append(f"the fault: {result['fault'].error}")
    return failed


def _timeline(result: dict[str, Any], step: float = 5) -> str:
    """Acknowledgements in each ``step`` seconds of the load, from its start."""
    t0, counts = result["t0"], Counter[int]()
    for _, acked in result["tally"].times:
        if acked - t0 <= result["seconds"]:
            counts[int((acked - t0) // step)] += 1
    return " ".join(str(counts[i]) for i in range(max(counts, default=0) + 1))


def _spanning(result: dict[str, Any]) -> int:
    """Submissions under way when the fault came: first page saved before, acknowledged after."""
    at = result["fault"].start
    return sum(saved < at < acked for saved, acked in result["tally"].times)


def _processes(result: dict[str, Any]) -> str:
    count = result["instances"]
    return f"{count} app process{'es' * (count > 1)} of {WORKERS} workers"


def print_run(result: dict[str, Any]) -> None:
    fault, tally, drafts = result["fault"], result["tally"], result["drafts"]
    print(f"\n{NAMES[result['database']]}, {_processes(result)}: {FAULTS[fault.kind]}")
    t0, killed = result["t0"], f" (SIGKILL to its {fault.killed} processes)" * bool(fault.killed)
    print(
        f"  the fault at {fault.start - t0:.1f} s{killed}; every app process answered /health/ "
        f"again at {fault.end - t0:.1f} s"
    )
    print(
        f"  {result['during']:,} submissions acknowledged during the {result['seconds']:.1f} s "
        f"load, {len(tally.acked):,} in all (the held drafts, any submit in doubt and the "
        f"dropped answers after it); under way at the fault (first page saved before it, "
        f"acknowledged after it): {_spanning(result)}"
    )
    first, last = (f"{when - t0:.1f} s" for when in tally.failed)
    errors = f"from {first} to {last}: {dict(tally.errors)}" if tally.errors else "none"
    print(f"  client errors {errors}; events: {dict(tally.events)}")
    print(f"  acknowledged in each 5 s of the load: {_timeline(result)}")
    print(
        f"  held drafts: {drafts['checked']} checked, {drafts['checked'] - len(drafts['broken'])}"
        f" intact"
    )
    check = result["check"]
    print(
        f"  database: {check['acknowledged']:,} acknowledged, {check['responses']:,} responses, "
        f"{check['missing']} missing, {check['extra']} extra"
    )
    failed = integrity(result)
    print("  integrity: " + ("PASS" if not failed else "FAIL: " + "; ".join(failed)))


COLUMNS = (
    "database",
    "fault",
    "seconds",
    "raters",
    "acknowledged",
    "per second",
    "client errors",
    "retries",
    "already received on a retry",
    "answers dropped: already received / thanks",
    "duplicates",
    "lost",
    "drafts checked / intact",
    "integrity",
)


def print_table(results: list[dict[str, Any]]) -> None:
    print("\n| " + " | ".join(COLUMNS) + " |\n" + "|---" * len(COLUMNS) + "|")
    for r in results:
        tally, check, drafts = r["tally"], r["check"], r["drafts"]
        cells = [
            f"{NAMES[r['database']]} ({_processes(r)})",
            FAULTS[r["fault"].kind],
            f"{r['seconds']:.0f}",
            r["raters"],
            f"{len(tally.acked):,}",
            f"{r['during'] / r['seconds']:.1f}",
            sum(tally.errors.values()),
            tally.events["retries"],
            tally.events["already received on a retry"]
            + tally.events["already received on a retry (in doubt)"],
            f"{tally.events['already received on a retry (answer dropped)']} / "
            f"{tally.events['thanks on a retry (answer dropped)']}",
            check["extra"],
            check["missing"],
            f"{drafts['checked']} / {drafts['checked'] - len(drafts['broken'])}",
            "PASS" if not integrity(r) else "**FAIL**",
        ]
        print("| " + " | ".join(map(str, cells)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raters", type=int, default=64, help="concurrent simulated browsers")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run's load")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--fault",
        choices=["kill", "restart", "both"],
        default="both",
        help="kill: an app process; restart: PostgreSQL",
    )
    parser.add_argument("--fault-at", type=float, default=0.5, help="fraction of the load")
    parser.add_argument("--down", type=float, default=2, help="seconds before the restart")
    parser.add_argument("--invitations", type=int, default=6000, help="invitations per run")
    parser.add_argument(
        "--dropped", type=int, default=32, help="submits whose answer is lost, after the load"
    )
    parser.add_argument("--pg-bin", help="folder of initdb and pg_ctl (default: found)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    if args.raters < 4 or args.seconds <= 0 or not 0 < args.fault_at < 1:
        parser.error("--raters must be at least 4, --seconds positive, --fault-at in (0, 1)")
    if args.dropped < 0 or args.invitations < 2 * args.raters + args.dropped:
        parser.error("--invitations must be at least twice --raters plus --dropped (>= 0)")
    runs = [
        (kind, fault)
        for kind in ("sqlite", "postgres")
        for fault in ("kill", "restart")
        if args.database in (kind, "both")
        and args.fault in (fault, "both")
        and (kind, fault) != ("sqlite", "restart")
    ]
    args.pg_bin = _pg_bin(args.pg_bin)
    if args.pg_bin is None or not (args.pg_bin / "pg_ctl").exists():
        where = f"in {args.pg_bin}" if args.pg_bin else "(give --pg-bin)"
        print(f"no pg_ctl found {where}: the PostgreSQL runs are skipped")
        runs = [run for run in runs if run[0] != "postgres"]
    print(
        f"{args.raters} concurrent raters, {args.seconds:.0f} s per run, the fault at "
        f"{args.fault_at:.0%} of it, {args.down:.0f} s down; {os.cpu_count()} cores, load "
        f"average {os.getloadavg()[0]:.2f} before the start"
    )
    results = []
    for kind, fault in runs:
        results.append(run_fault(kind, fault, args))
        print_run(results[-1])
    print_table(results)
    sys.exit(1 if any(integrity(r) for r in results) else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--internal"]:
        steps = {"prepare": _prepare, "drafts": _drafts, "verify": lambda o: _verify(o["acked"])}
        internal_main(sys.argv[2], Path(sys.argv[3]), steps)
    else:
        main()
