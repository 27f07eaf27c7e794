"""Benchmark: a cycle's results exported as CSV, XLSX and JSON at 250,000 and 1,000,000
responses, with the peak memory of each export.

    .venv/bin/python benchmarks/export.py                    # PostgreSQL, 250k and 1M responses
    .venv/bin/python benchmarks/export.py --database sqlite --sizes 48000,192000  # quicker
    .venv/bin/python benchmarks/export.py --formats csv --sizes 250000

For each database it makes a fresh one (SQLite: a file in a temporary folder; PostgreSQL: the
database ``leadwell_bench_export`` on DATABASE_URL's server, created and dropped here), migrates
it and builds one organization with one closed cycle per size in ``--sizes`` (responses), each
of size / 12 leaders with 12 responses (self 1, manager 1, peer 3, direct 5, other 2: "other"
is folded into "others", as in many real assessments) and a comment on one response in four.
Answers are random 1-5 with one in twenty "not observed" (numpy, fixed seed), written with
COPY on PostgreSQL and executemany on SQLite, in an order unrelated to the leaders.

Then every export runs in a FRESH Python process (``--internal-export``), so each peak memory
is its own: all tables with the raw responses, written to a file as the background task
writes it. The child reports its wall and CPU time, the rows of each table, the file's size
and ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (peak resident memory), next to the same
process's resident memory before the export started (Django and numpy loaded).

Goal: bounded memory and no row limit. Met when the peak at the largest size is within 25 %
of the peak at the smallest (memory does not grow with the cycle) and every export wrote every
row (the raw responses table has one row per response; XLSX goes on in further sheets past
1,048,576 rows). Never part of the test suite; the machine is shared, so run the large sizes
only when needed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

from _databases import fresh_database  # benchmarks/ is on sys.path when run as a script

POSTGRES_DEFAULT = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "leadwell_bench_export"
LAYOUT = (("self", 1), ("manager", 1), ("peer", 3), ("direct", 5), ("other", 2))
PER_LEADER = sum(n for _, n in LAYOUT)
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
COMMENTS = ("Keeps the team focused.", "=SUM(A1:A9) asks the right questions", "Listens well.")
BATCH = 20_000


def _environment(url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE")}
    env.update(
        DATABASE_URL=url,
        LEADWELL_HOME=str(home),
        LEADWELL_EXPORTS_DIR=str(home / "exports"),
        SECRET_KEY=secrets.token_urlsafe(50),
        LEADWELL_INSECURE="1",
        DJANGO_SETTINGS_MODULE="leadwell.config.settings",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
    )
    return env


def _child(env: dict[str, str], home: Path, *args: str) -> dict[str, Any]:
    command = [sys.executable, __file__, *args]
    done = subprocess.run(command, env=env, cwd=home, check=False, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_database(kind: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    home = Path(tempfile.mkdtemp(prefix="leadwell-bench-export-"))
    results = []
    try:
        with fresh_database(kind, args.postgres_url, home, name=BENCH_DATABASE) as url:
            env = _environment(url, home)
            print(f"\n=== {NAMES[kind]} ===", flush=True)
            built = _child(env, home, "--internal-build", json.dumps({"sizes": args.sizes}))
            print(
                f"{built['version']}: built {sum(built['responses'].values()):,} responses "
                f"and {built['comments']:,} comments in {built['build_s']:.0f} s",
                flush=True,
            )
            for size in args.sizes:
                cycle = built["cycles"][str(size)]
                for fmt in args.formats:
                    options = json.dumps({"cycle": cycle, "fmt": fmt})
                    result = _child(env, home, "--internal-export", options)
                    result.update(database=kind, size=size, fmt=fmt)
                    result["expected_responses"] = built["responses"][str(size)]
                    _print_run(result)
                    results.append(result)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return results


# --- child: build -----------------------------------------------------------------------------


def _setup() -> None:
    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def build(sizes: list[int]) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from leadwell.cycles.models import Assessment, Cycle
    from leadwell.orgs.models import Organization, Person, Unit

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    leaders = max(-(-size // PER_LEADER) for size in sizes)
    out: dict[str, Any] = {"cycles": {}, "responses": {}, "comments": 0}
    with transaction.atomic():
        org = Organization.objects.create(name="Export benchmark", slug="export-bench")
        units = Unit.objects.bulk_create(Unit(organization=org, name=f"Unit {u}") for u in range(8))
        people = Person.objects.bulk_create(
            (
                Person(
                    organization=org,
                    name=f"Leader {i:06d}",
                    email=f"leader{i}@bench.example",
                    unit=units[i % len(units)],
                    level=("manager", "director")[i % 2],
                )
                for i in range(leaders)
            ),
            batch_size=5000,
        )
        for c, size in enumerate(sizes):
            count = -(-size // PER_LEADER)
            cycle = Cycle.objects.create(
                organization=org,
                name=f"Cycle {size}",
                status=Cycle.CLOSED,
                closed_at=timezone.now(),
            )
            assessments = Assessment.objects.bulk_create(
                (Assessment(organization=org, cycle=cycle, leader=p) for p in people[:count]),
                batch_size=5000,
            )
            ids = [a.pk for a in assessments]
            responses, comments = _insert(connection, org.pk, ids, seed=c)
            out["cycles"][str(size)] = cycle.pk
            out["responses"][str(size)] = responses
            out["comments"] += comments
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out["build_s"] = time.perf_counter() - started
    out["version"] = _version(connection)
    return out


def _answers(rng: Any, rows: int, groups: Any) -> Any:
    import numpy as np

    from leadwell.instrument import load_instrument

    instrument = load_instrument("1")
    answers = rng.integers(1, 6, size=(rows, len(instrument.items)), dtype=np.uint8)
    answers[rng.random(answers.shape) < 0.05] = 0
    outcome = np.array([item.facet is None for item in instrument.items])
    answers[np.ix_(groups == "self", outcome)] = 0  # leaders do not rate their own outcomes
    return answers


def _insert(connection: Any, org: int, assessments: list[int], seed: int) -> tuple[int, int]:
    """Every response of the cycle and its comments, a batch of leaders at a time."""
    import numpy as np

    rng = np.random.default_rng(seed)
    layout = np.array([g for g, n in LAYOUT for _ in range(n)])
    total = comments = 0
    per_batch = BATCH // PER_LEADER
    for start in range(0, len(assessments), per_batch):
        owners = np.repeat(assessments[start : start + per_batch], PER_LEADER)
        groups = np.tile(layout, len(owners) // PER_LEADER)
        order = rng.permutation(len(owners))  # stored in no particular order
        owners, groups = owners[order], groups[order]
        answers = _answers(rng, len(owners), groups)
        ids = [uuid.uuid4() for _ in range(len(owners))]
        rows = [
            (ids[i], org, int(owners[i]), str(groups[i]), answers[i].tobytes())
            for i in range(len(owners))
        ]
        texts = [
            (uuid.uuid4(), ids[i], "keep", COMMENTS[i % len(COMMENTS)])
            for i in range(0, len(owners), 4)
        ]
        _write(connection, rows, texts)
        total += len(rows)
        comments += len(texts)
    return total, comments


def _write(connection: Any, rows: list[tuple], texts: list[tuple]) -> None:
    response = 'cycles_response (id, organization_id, assessment_id, "group", answers)'
    comment = "cycles_responsecomment (id, response_id, question, text)"
    if connection.vendor == "postgresql":
        raw = connection.connection  # psycopg 3
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {response} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.copy(f"COPY {comment} FROM STDIN") as copy:
                for text in texts:
                    copy.write_row(text)
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {response} VALUES (%s, %s, %s, %s, %s)",
            [(r[0].hex, *r[1:]) for r in rows],
        )
        cursor.executemany(
            f"INSERT INTO {comment} VALUES (%s, %s, %s, %s)",
            [(t[0].hex, t[1].hex, *t[2:]) for t in texts],
        )


def _version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


# --- child: one export ------------------------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def export(options: dict[str, Any]) -> dict[str, Any]:
    """One export of every table, raw responses included, into a file; its figures."""
    import dataclasses

    from django.utils import timezone

    from leadwell.cycles.models import Cycle
    from leadwell.exports import writers
    from leadwell.exports.tables import cycle_tables

    cycle = Cycle.objects.get(pk=options["cycle"])
    before = _rss_mb()
    counted: dict[str, int] = {}

    def counting(table: Any) -> Any:
        def rows() -> Any:
            counted[table.name] = 0
            for row in table.rows():
                counted[table.name] += 1
                yield row

        return dataclasses.replace(table, rows=rows)

    fmt = options["fmt"]
    path = Path(os.environ["LEADWELL_EXPORTS_DIR"]) / f"bench.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    wall, cpu = time.perf_counter(), time.process_time()
    # What writers.stream_cycle does, with each table's rows counted on the way.
    tables = cycle_tables(cycle, raw=True, exported_at=timezone.now())
    tables = [counting(t) for t in tables]
    if fmt == "xlsx":
        pieces = writers.iter_xlsx(tables)
    elif fmt == "json":
        pieces = writers.iter_json(tables, header={"id": cycle.pk})
    else:
        pieces = writers.iter_zip(tables)
    size = 0
    with path.open("wb") as handle:
        for piece in pieces:
            size += handle.write(piece)
    result = {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "rows": counted,
        "bytes": size,
        "rss_before_mb": before,
        "peak_rss_mb": _rss_mb(),
        "load": os.getloadavg()[0],
    }
    path.unlink()
    return result


# --- the parent: print ------------------------------------------------------------------------


def _print_run(r: dict[str, Any]) -> None:
    rows = sum(r["rows"].values())
    print(
        f"  {r['size']:>9,} responses  {r['fmt']:<4}  {r['wall_s']:7.1f} s wall "
        f"({r['cpu_s']:6.1f} s CPU)  {rows:>12,} rows  {r['bytes'] / 2**20:9.1f} MiB  "
        f"peak {r['peak_rss_mb']:6.0f} MB (before export {r['rss_before_mb']:.0f} MB)  "
        f"load {r['load']:.1f}",
        flush=True,
    )


def print_summary(results: list[dict[str, Any]], sizes: list[int]) -> None:
    print("\nSummary (rows: figures / responses / all tables; peak resident memory of the child)")
    print("| database | responses | format | wall | CPU | rows | file | peak memory |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        rows = r["rows"]
        print(
            f"| {NAMES[r['database']]} | {r['size']:,} | {r['fmt'].upper()} | {r['wall_s']:.0f} s "
            f"| {r['cpu_s']:.0f} s | {rows.get('figures', 0):,} / {rows.get('responses', 0):,} / "
            f"{sum(rows.values()):,} | {r['bytes'] / 2**20:,.0f} MiB | {r['peak_rss_mb']:.0f} MB |"
        )
    small, large = min(sizes), max(sizes)
    print(f"\nGoal: bounded memory, no row limit ({small:,} against {large:,} responses)")
    for database in sorted({r["database"] for r in results}):
        for fmt in sorted({r["fmt"] for r in results}):
            runs = {r["size"]: r for r in results if r["database"] == database and r["fmt"] == fmt}
            if small not in runs or large not in runs:
                continue
            a, b = runs[small]["peak_rss_mb"], runs[large]["peak_rss_mb"]
            complete = all(
                r["rows"].get("responses") == r["expected_responses"] for r in runs.values()
            )
            print(
                f"  {NAMES[database]} {fmt.upper()}: peak {a:.0f} MB -> {b:.0f} MB "
                f"({b / a:.2f}x for {large / small:.0f}x the responses): "
                f"{'met' if b <= 1.25 * a else 'NOT met'}; every row written: "
                f"{'met' if complete else 'NOT met'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--sizes", default="250000,1000000", help="responses per cycle")
    parser.add_argument("--formats", default="csv,xlsx,json")
    url = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--postgres-url",
        default=url if url.startswith(("postgres://", "postgresql://")) else POSTGRES_DEFAULT,
    )
    args = parser.parse_args()
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    args.formats = [f for f in args.formats.split(",") if f]
    if min(args.sizes) < PER_LEADER or not set(args.formats) <= {"csv", "xlsx", "json"}:
        parser.error(f"sizes of at least {PER_LEADER}; formats among csv, xlsx, json")
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(
        f"sizes {', '.join(f'{s:,}' for s in args.sizes)} responses; formats "
        f"{', '.join(args.formats)}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    )
    results = [r for kind in databases for r in run_database(kind, args)]
    print_summary(results, args.sizes)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--internal-build"]:
        _setup()
        print(json.dumps(build(json.loads(sys.argv[2])["sizes"])))
    elif sys.argv[1:2] == ["--internal-export"]:
        _setup()
        print(json.dumps(export(json.loads(sys.argv[2]))))
    else:
        main()
