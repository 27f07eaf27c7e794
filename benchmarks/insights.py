"""Benchmark: org insights of a cycle of 100,000 leaders on PostgreSQL (issue 6).

    .venv/bin/python benchmarks/insights.py                        # 100,000 leaders, PostgreSQL
    .venv/bin/python benchmarks/insights.py --leaders 5000         # a quick run
    .venv/bin/python benchmarks/insights.py --database sqlite --leaders 20000

Makes a fresh database (PostgreSQL: ``leadwell_bench_insights`` on DATABASE_URL's server,
created and dropped here; SQLite: a file in a temporary folder), migrates it and builds: one
organization with ``--leaders`` leaders in 40 units on five levels (each level managed by the
one above, so the org chart orders them), 2 % of them promoted six months ago, and one closed
cycle with 12 simulated responses per leader (self 1, manager 1, peer 3, direct 5, other 2;
``leadwell.simulate``), written with COPY on PostgreSQL; then ANALYZE. In a child process on
that database it measures:

1. computing the insights end to end (``insights.services.insights_run``: reading every
   response, scoring every leader, quadrants, heat maps, Peter Principle watch, drivers with
   their bootstrap, instrument quality, storing the result), twice: the first run in a fresh
   process pays the imports of semopy and scipy (a task worker pays them once), the second is
   what a running worker takes. Each step's share from the step log;
2. rendering the page from the stored result (``/insights/cycle/<pk>/`` through the test
   client as an org admin), 20 times: the median and the largest.

Goals (issue 6): computing under 10 s end to end, database read included; the page under
300 ms. Prints the figures and the comparison; never part of the test suite.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _databases import fresh_database

BENCH_DATABASE = "leadwell_bench_insights"
GROUP_SIZES = {"self": (1, 1), "manager": (1, 1), "peer": (3, 3), "direct": (5, 5), "other": (2, 2)}
LEVELS = ("Executive", "Director", "Senior manager", "Manager", "Team lead")
UNITS = 40
GOAL_COMPUTE, GOAL_PAGE = 10.0, 0.300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaders", type=int, default=100_000)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--internal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal:
        child(json.loads(args.internal))
        return
    home = Path(tempfile.mkdtemp(prefix="leadwell-bench-insights-"))
    try:
        with fresh_database(args.database, args.postgres_url, home, name=BENCH_DATABASE) as url:
            options = {"leaders": args.leaders, "seed": args.seed}
            command = [sys.executable, __file__, "--internal", json.dumps(options)]
            done = subprocess.run(command, env=_environment(url, home), cwd=home, check=False)
            if done.returncode:
                sys.exit(f"the measuring process failed ({done.returncode})")
            report(json.loads((home / "result.json").read_text()), args)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _environment(url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE")}
    env.update(
        DATABASE_URL=url,
        LEADWELL_HOME=str(home),
        SECRET_KEY=secrets.token_urlsafe(50),
        LEADWELL_INSECURE="1",
        ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="leadwell.config.settings",
        DEBUG="false",
        TASKS_BACKEND="database",  # queued, not run: the benchmark runs the computation itself
        LOG_LEVEL="WARNING",
    )
    return env


# --- the child process ------------------------------------------------------------------------


def child(options: dict[str, Any]) -> None:
    import warnings

    import django
    from django.core.management import call_command

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    cycle, admin, responses = build(options["leaders"], options["seed"])
    built = time.perf_counter() - started
    print(f"built {options['leaders']:,} leaders, {responses:,} responses in {built:.0f} s")
    result = {"leaders": options["leaders"], "responses": responses, "build": built}
    result.update(measure(cycle, admin))
    Path("result.json").write_text(json.dumps(result))


def build(leaders: int, seed: int) -> tuple[Any, Any, int]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from leadwell.orgs.models import Organization, Role
    from leadwell.simulate import SimulationSettings, simulate

    frame = simulate(SimulationSettings(leaders=leaders, seed=seed, group_sizes=GROUP_SIZES))
    with transaction.atomic():
        org = Organization.objects.create(name="Insights benchmark", slug="insights-bench")
        admin = get_user_model().objects.create_user("admin", "admin@bench.example", None)
        Role.objects.create(organization=org, user=admin, role=Role.ADMIN)
        people = _people(org, leaders, seed)
        cycle = _cycle(org)
        count = _responses(cycle, people, frame.responses)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return cycle, admin, count


def _people(org: Any, count: int, seed: int) -> list[Any]:
    """Leaders level by level, each managed by someone on the level above; 2 % promoted."""
    import random

    from django.utils import timezone

    from leadwell.orgs.models import LevelChange, Person, Unit

    units = Unit.objects.bulk_create(
        Unit(organization=org, name=f"Unit {u:02d}") for u in range(UNITS)
    )
    # A pyramid: each level twice as many people as the one above.
    weights = [2**i for i in range(len(LEVELS))]
    sizes = [max(1, count * w // sum(weights)) for w in weights]
    sizes[-1] = count - sum(sizes[:-1])
    people: list[Any] = []
    above: list[Any] = []
    for level, size in zip(LEVELS, sizes, strict=True):
        start = len(people)
        made = Person.objects.bulk_create(
            (
                Person(
                    organization=org,
                    name=f"Leader {start + i:06d}",
                    email=f"leader{start + i}@bench.example",
                    unit=units[(start + i) % UNITS],
                    level=level,
                    manager=above[i % len(above)] if above else None,
                )
                for i in range(size)
            ),
            batch_size=5000,
        )
        people.extend(made)
        above = made
    rng = random.Random(seed)
    promoted = rng.sample(people, max(1, count // 50))
    changes = LevelChange.objects.bulk_create(
        LevelChange(organization=org, person=p, level_before="Expert", level_after=p.level)
        for p in promoted
    )
    LevelChange.objects.filter(pk__in=[c.pk for c in changes]).update(
        changed_at=timezone.now() - timedelta(days=180)
    )
    return people


def _cycle(org: Any) -> Any:
    from django.utils import timezone

    from leadwell.cycles.models import Cycle

    now = timezone.now()
    return Cycle.objects.create(
        organization=org,
        name="Autumn 2026",
        status=Cycle.CLOSED,
        opened_at=now - timedelta(days=21),
        closed_at=now,
    )


def _responses(cycle: Any, people: list[Any], frame: Any) -> int:
    import uuid

    import numpy as np
    from django.db import connection

    from leadwell.cycles.models import Assessment, Response
    from leadwell.instrument import default_instrument

    assessments = Assessment.objects.bulk_create(
        (Assessment(organization_id=cycle.organization_id, cycle=cycle, leader=p) for p in people),
        batch_size=5000,
    )
    by_label = dict(zip(sorted(frame["assessment"].unique()), assessments, strict=True))
    items = list(default_instrument().item_ids)
    answers = np.nan_to_num(frame[items].to_numpy(), nan=0).astype(np.uint8)
    order = np.random.default_rng(cycle.pk).permutation(len(frame))  # stored in random order
    labels, groups = frame["assessment"].to_numpy(), frame["group"].to_numpy()
    seconds = frame["seconds"].to_numpy()
    org_id = cycle.organization_id
    rows = (
        (
            uuid.uuid4(),
            org_id,
            by_label[labels[i]].pk,
            groups[i],
            answers[i].tobytes(),
            round(float(seconds[i]) / 60) * 60,
        )
        for i in order
    )
    if connection.vendor == "postgresql":
        table = Response._meta.db_table
        columns = '(id, organization_id, assessment_id, "group", answers, seconds)'
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        fields = ("id", "organization_id", "assessment_id", "group", "answers", "seconds")
        Response.objects.bulk_create(
            (Response(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=5000
        )
    return len(frame)


def measure(cycle: Any, admin: Any) -> dict[str, Any]:
    from django.test import Client

    from leadwell.insights.models import CycleInsights
    from leadwell.insights.services import insights_run

    insights = CycleInsights.objects.create(organization_id=cycle.organization_id, cycle=cycle)
    runs = []
    for label in ("first run (cold process)", "second run (warm worker)"):
        steps = _step_log(insights.pk)
        started = time.perf_counter()
        outcome = insights_run(insights.pk)
        elapsed = time.perf_counter() - started
        insights.refresh_from_db()
        if outcome != "done":
            raise SystemExit(f"the computation failed: {insights.error}")
        runs.append({"label": label, "seconds": elapsed, "steps": steps.finish(started)})
        print(f"{label}: {elapsed:.2f} s", flush=True)
    client = Client()
    client.force_login(admin)
    url = f"/insights/cycle/{cycle.pk}/"
    pages = []
    for _ in range(21):
        started = time.perf_counter()
        response = client.get(url)
        pages.append(time.perf_counter() - started)
        if response.status_code != 200 or b"Drivers of followership" not in response.content:
            raise SystemExit(f"the page failed: {response.status_code}")
    pages = pages[1:]  # the first loads the templates
    data = insights.data
    return {
        "runs": runs,
        "page_median": statistics.median(pages),
        "page_max": max(pages),
        "page_bytes": len(response.content),
        "placed": data["leaders"]["placed"],
        "watch": len(data["watch"]["leaders"]),
        "r2": data["drivers"].get("r2"),
        "sample": data["quality"]["sample_leaders"],
    }


class _step_log:
    """Times between the computation's steps, read from its ``step`` updates."""

    def __init__(self, pk: int) -> None:
        from leadwell.insights import services

        self.marks: list[tuple[str, float]] = []
        self._original = services._update
        self._services = services

        def update(target: int, **fields: Any) -> None:
            if fields.get("step"):
                self.marks.append((fields["step"], time.perf_counter()))
            self._original(target, **fields)

        services._update = update

    def finish(self, started: float) -> list[tuple[str, float]]:
        self._services._update = self._original
        ends = [t for _, t in self.marks[1:]] + [time.perf_counter()]
        return [(name, end - t) for (name, t), end in zip(self.marks, ends, strict=True)]


# --- the report -------------------------------------------------------------------------------


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\n{result['leaders']:,} leaders, {result['responses']:,} responses on {args.database}; "
        f"{result['placed']:,} placed, {result['watch']} on the watch list, drivers R² "
        f"{result['r2']:.3f}, quality on a sample of {result['sample']:,} leaders"
    )
    for run in result["runs"]:
        ok = "met" if run["seconds"] < GOAL_COMPUTE else "NOT met"
        print(
            f"  compute, {run['label']}: {run['seconds']:.2f} s (goal < {GOAL_COMPUTE:.0f} s: {ok})"
        )
        for name, seconds in run["steps"]:
            print(f"      {name:<28} {seconds:6.2f} s")
    ok = "met" if result["page_median"] < GOAL_PAGE else "NOT met"
    print(
        f"  page from the stored result: median {result['page_median'] * 1000:.0f} ms, largest "
        f"{result['page_max'] * 1000:.0f} ms, {result['page_bytes'] / 1024:.0f} KB "
        f"(goal < {GOAL_PAGE * 1000:.0f} ms: {ok})"
    )
    print(f"  load average now: {os.getloadavg()[0]:.2f} (2 cores)")


if __name__ == "__main__":
    main()
