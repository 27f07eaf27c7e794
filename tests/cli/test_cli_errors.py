"""Bad input to the real ``leadwell`` process: exit status 2, one line on stderr, nothing else.

Each case runs in its own folder. The main cases run the installed console script in a real
process with stdin closed (started together: they are independent); the others call the same
entry point, ``leadwell.cli.main``, in this process to keep the suite fast. After a failed run
the folder must hold exactly what it held before: no partial --json/--csv output, no temporary
file.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from leadwell.cli import main
from leadwell.simulate import SimulationSettings, simulate, write_csv

LEADWELL = Path(sys.executable).with_name("leadwell")  # the venv's console script
FIXED = {"self": (1, 1), "manager": (1, 1), "peer": (3, 3), "direct": (3, 3), "other": (0, 0)}
OUTPUTS = ("--json", "out.json", "--csv", "out.csv")


@dataclass(frozen=True)
class Case:
    """A failing command: its arguments, the files it starts from, what stderr must say."""

    args: tuple[str, ...]
    files: dict[str, bytes | None] = field(default_factory=dict)  # None: a folder
    says: tuple[str, ...] = ()
    real: bool = False  # run the console script in a subprocess


def _edit(data: bytes, changes: dict[tuple[int, str], str], *, extra: str | None = None) -> bytes:
    """Cells replaced by (spreadsheet row, column); ``extra`` adds a column to the header."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    for (row, column), value in changes.items():
        rows[row - 1][rows[0].index(column)] = value
    if extra is not None:
        rows = [[*rows[0], extra]] + [[*row, ""] for row in rows[1:]]
    handle = io.StringIO()
    csv.writer(handle, lineterminator="\n").writerows(rows)
    return handle.getvalue().encode("utf-8")


def _cases(good: bytes) -> dict[str, Case]:
    latin = _edit(good, {(4, "keep"): "Un café, merci"}).decode("utf-8").encode("latin-1")
    return {
        "unknown column": Case(
            ("score", "in.csv", *OUTPUTS),
            {"in.csv": _edit(good, {}, extra="department")},
            ("row 1, column 'department'", "unknown column"),
            real=True,
        ),
        "answer 7": Case(
            ("score", "in.csv", *OUTPUTS),
            {"in.csv": _edit(good, {(5, "M2.3"): "7"})},
            ("row 5, column 'M2.3'", "7 is outside the scale"),
            real=True,
        ),
        "empty file": Case(
            ("score", "in.csv", *OUTPUTS), {"in.csv": b""}, ("in.csv is empty",), real=True
        ),
        "latin-1 file": Case(
            ("score", "in.csv", *OUTPUTS),
            {"in.csv": latin},
            ("not UTF-8", "CSV UTF-8"),
            real=True,
        ),
        "missing file": Case(
            ("score", "nope.csv", *OUTPUTS), {}, ("no such file: nope.csv",), real=True
        ),
        "folder instead of file": Case(
            ("score", "in.csv", *OUTPUTS),
            {"in.csv": None},
            ("in.csv is a folder",),
            real=True,
        ),
        "unknown instrument version": Case(
            ("score", "in.csv", "--instrument", "9", *OUTPUTS),
            {"in.csv": good},
            ("unknown instrument version '9'",),
            real=True,
        ),
        "damaged xlsx": Case(
            ("score", "in.xlsx", *OUTPUTS),
            {"in.xlsx": b"PK\x03\x04" + bytes(range(256)) * 8},
            ("in.xlsx could not be read as an Excel workbook",),
        ),
        "rich markup in a cell": Case(  # "[/]" once crashed the error printer itself
            ("score", "in.csv", *OUTPUTS),
            {"in.csv": _edit(good, {(3, "group"): "[/]"})},
            ("row 3, column 'group'", "unknown group '[/]'"),
        ),
        "k below 2": Case(
            ("score", "in.csv", "-k", "1", *OUTPUTS), {"in.csv": good}, ("anonymity threshold",)
        ),
        "output folder missing": Case(
            ("score", "in.csv", "--json", "out.json", "--csv", "missing/out.csv"),
            {"in.csv": good},
            ("cannot write missing/out.csv",),
        ),
        "existing output kept": Case(
            ("score", "in.csv", *OUTPUTS),
            {"in.csv": _edit(good, {(7, "C1.2"): "0"}), "out.json": b"previous\n"},
            ("row 7, column 'C1.2'",),
        ),
        "psychometrics bad answer": Case(
            ("psychometrics", "in.csv", "--json", "out.json"),
            {"in.csv": _edit(good, {(9, "O2"): "five"})},
            ("row 9, column 'O2'", "'five' is not an answer"),
        ),
        "missing argument": Case(("score",), {}, ("Missing argument",), real=True),
        "unknown option": Case(("score", "--bogus"), {}, ("No such option",)),
    }


def _prepare(folder: Path, case: Case) -> None:
    folder.mkdir()
    for name, data in case.files.items():
        if data is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(data)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Case, Path, subprocess.CompletedProcess[str]]]:
    assert LEADWELL.exists(), f"console script missing: {LEADWELL}"
    root = tmp_path_factory.mktemp("errors")
    good = root / "good.csv"
    write_csv(simulate(SimulationSettings(leaders=2, seed=1, group_sizes=FIXED)).responses, good)
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "COLUMNS"}}
    cases = _cases(good.read_bytes())
    assert tuple(cases) == CASES
    folders = {name: root / f"case{number}" for number, name in enumerate(cases)}
    started, done = {}, {}
    for name, case in cases.items():
        folder = folders[name]
        _prepare(folder, case)
        if not case.real:
            continue
        process = subprocess.Popen(
            [str(LEADWELL), *case.args],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        started[name] = (case, folder, process)
    for name, case in cases.items():
        if not case.real:
            done[name] = (case, folders[name], _in_process(case.args, folders[name]))
    for name, (case, folder, process) in started.items():
        stdout, stderr = process.communicate(timeout=180)
        result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        done[name] = (case, folder, result)
    return done


def _in_process(args: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``leadwell.cli.main`` as the console script calls it, with argv, cwd and streams swapped."""
    out, err = io.StringIO(), io.StringIO()
    argv, here = sys.argv, Path.cwd()
    sys.argv = ["leadwell", *args]
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main()
                status: object = 0
            except SystemExit as exit_:
                status = exit_.code
    finally:
        sys.argv = argv
        os.chdir(here)
    return subprocess.CompletedProcess(list(args), status, out.getvalue(), err.getvalue())


CASES = (
    "unknown column",
    "answer 7",
    "empty file",
    "latin-1 file",
    "missing file",
    "folder instead of file",
    "unknown instrument version",
    "damaged xlsx",
    "rich markup in a cell",
    "k below 2",
    "output folder missing",
    "existing output kept",
    "psychometrics bad answer",
    "missing argument",
    "unknown option",
)
USAGE_ERRORS = ("missing argument", "unknown option")  # click prints its usage block: 4 lines


@pytest.mark.parametrize("name", CASES)
def test_bad_input_exits_2_with_a_short_message_and_no_traceback(runs, name):
    case, _, done = runs[name]
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert 'File "' not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert 1 <= len(lines) < 5, done.stderr
    for needle in case.says:
        assert needle in done.stderr


@pytest.mark.parametrize("name", [n for n in CASES if n not in USAGE_ERRORS])
def test_a_bad_input_message_is_one_line_starting_with_error(runs, name):
    _, _, done = runs[name]
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: ")


def test_the_main_cases_ran_in_a_real_process(runs):
    real = {name for name, (case, _, _) in runs.items() if case.real}
    assert {"unknown column", "answer 7", "empty file", "latin-1 file", "missing file"} <= real
    assert {"folder instead of file", "unknown instrument version", "missing argument"} <= real


@pytest.mark.parametrize("name", CASES)
def test_a_failed_run_leaves_the_folder_as_it_found_it(runs, name):
    case, folder, _ = runs[name]
    assert sorted(p.name for p in folder.iterdir()) == sorted(case.files)
    for file_name, data in case.files.items():
        if data is not None:
            assert (folder / file_name).read_bytes() == data
