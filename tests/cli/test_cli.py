"""The ``leadwell`` command end to end: simulate, score, psychometrics, instrument, help.

Most runs go through ``typer.testing.CliRunner`` (in process); the exit status and the
no-traceback guarantee of the installed entry point are checked on a real subprocess of the
console script. Figures are compared with the library called directly and with independent
pandas computations.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from leadwell.cli import UserError, app
from leadwell.instrument import default_instrument
from leadwell.scoring import QUADRANTS, TIDY_COLUMNS, read_wide, score_frame

INSTRUMENT = default_instrument()
FACETS = list(INSTRUMENT.facet_ids)
LEADWELL = Path(sys.executable).with_name("leadwell")  # the venv's console script
SCHEMA = ("assessment", "groups", "quadrant", "axes", "facets", "items", "gaps")
RANKED = ("top_items", "bottom_items")
BLOCKS = ("axes", "facets", "items")
ANONYMOUS_LABELS = {"peer", "direct", "other", "others"}

runner = CliRunner()


def _invoke(*args: object):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result


def _run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed console script in a real process with stdin closed."""
    assert LEADWELL.exists(), f"console script missing: {LEADWELL}"
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "COLUMNS"}}
    return subprocess.run(
        [str(LEADWELL), *map(str, args)],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _assert_one_clean_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert 'File "' not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def simulated(folder: Path) -> Path:
    """30 leaders with varying group sizes (some groups below the anonymity threshold)."""
    path = folder / "f.csv"
    _invoke("simulate", "--leaders", 30, "--seed", 4, "-o", path)
    return path


@pytest.fixture(scope="module")
def scored(folder: Path, simulated: Path) -> tuple[dict, pd.DataFrame, str]:
    out_json, out_csv = folder / "out.json", folder / "out.csv"
    _invoke("score", simulated, "--json", out_json, "--csv", out_csv)
    text = out_csv.read_text(encoding="utf-8")
    return json.loads(out_json.read_text(encoding="utf-8")), pd.read_csv(out_csv), text


@pytest.fixture(scope="module")
def direct(simulated: Path):
    """The same file scored by calling the library, not the command."""
    return score_frame(read_wide(simulated))


# --- simulate --------------------------------------------------------------------------------


def test_simulate_with_the_same_seed_writes_byte_identical_files(folder, simulated):
    again = folder / "again.csv"
    _invoke("simulate", "--leaders", 30, "--seed", 4, "-o", again)
    assert again.read_bytes() == simulated.read_bytes()
    other = folder / "other-seed.csv"
    _invoke("simulate", "--leaders", 30, "--seed", 5, "-o", other)
    assert other.read_bytes() != simulated.read_bytes()


def test_simulate_writes_one_assessment_per_leader_in_the_wide_format(simulated):
    frame = read_wide(simulated)
    assert frame["assessment"].nunique() == 30
    assert list(frame.columns[:3]) == ["assessment", "group", "rater"]
    assert set(INSTRUMENT.item_ids) <= set(frame.columns)


def test_simulate_with_fixed_raters_gives_12_rows_per_leader_in_those_groups(folder):
    path = folder / "fixed.csv"
    result = _invoke("simulate", "--leaders", 6, "--seed", 1, "--raters", "1,1,3,5,2", "-o", path)
    assert "Wrote 72 responses for 6 leaders" in result.stderr
    frame = read_wide(path)
    assert (frame.groupby("assessment").size() == 12).all()
    counts = frame.groupby(["assessment", "group"]).size().unstack()
    expected = {"self": 1, "manager": 1, "peer": 3, "direct": 5, "other": 2}
    assert counts.to_dict("list") == {g: [n] * 6 for g, n in expected.items()}


@pytest.mark.parametrize(
    "raters", ["1,1,3,5", "1,1,3,5,2,2", "a,b,c,d,e", "1,1,3,5,-2", "1;1;3;5;2"]
)
def test_simulate_refuses_a_bad_raters_option_with_a_message(folder, raters):
    result = runner.invoke(app, ["simulate", "-o", str(folder / "x.csv"), "--raters", raters])
    assert isinstance(result.exception, UserError)
    assert "--raters needs 5 whole numbers" in str(result.exception)
    assert not (folder / "x.csv").exists()


def test_a_bad_raters_option_exits_2_with_one_line_from_the_real_command(tmp_path):
    done = _run("simulate", "-o", "x.csv", "--leaders", 3, "--raters", "1,1,3", cwd=tmp_path)
    _assert_one_clean_error(done, "--raters needs 5 whole numbers", "'1,1,3'")
    assert list(tmp_path.iterdir()) == []


# --- score: JSON and CSV ---------------------------------------------------------------------


def test_score_json_has_every_assessment_with_the_schema_keys(scored, simulated):
    document, _, _ = scored
    labels = sorted(pd.read_csv(simulated, usecols=["assessment"])["assessment"].unique())
    assert [a["assessment"] for a in document["assessments"]] == labels
    assert document["instrument"] == "1"
    assert document["settings"]["k"] == 3
    for assessment in document["assessments"]:
        assert set(SCHEMA + RANKED) <= set(assessment)
        assert assessment["quadrant"] in QUADRANTS
        assert set(assessment["facets"]) <= set(FACETS)


def test_score_json_equals_the_library_result(scored, direct):
    document, _, _ = scored
    assert document == json.loads(json.dumps(direct.to_dict(), allow_nan=False))


def test_score_csv_header_is_exactly_the_tidy_columns(scored):
    _, _, text = scored
    assert text.splitlines()[0] == "assessment,figure,group,n,mean,sd,min,max"
    assert tuple(text.splitlines()[0].split(",")) == TIDY_COLUMNS


def test_every_csv_row_matches_the_json_figure_and_no_json_figure_is_missing(scored):
    document, table, _ = scored
    by_label = {a["assessment"]: a for a in document["assessments"]}
    kinds = {}
    for name in BLOCKS:
        kinds |= {figure: name for a in document["assessments"] for figure in a[name]}
    for row in table.itertuples(index=False):
        figure = by_label[row.assessment][kinds[row.figure]][row.figure][row.group]
        assert figure["n"] == row.n
        assert math.isclose(figure["mean"], row.mean, rel_tol=0, abs_tol=1e-12)
        assert (figure["sd"] is None) == math.isnan(row.sd)
        if figure["sd"] is not None:
            assert math.isclose(figure["sd"], row.sd, rel_tol=0, abs_tol=1e-12)
        assert (figure["min"], figure["max"]) == pytest.approx((row.min, row.max), abs=1e-12)
    shown = sum(
        len(labels)
        for a in document["assessments"]
        for name in BLOCKS
        for labels in a[name].values()
    )
    assert len(table) == shown


def test_score_csv_equals_the_library_tidy_frame(scored, direct):
    _, table, _ = scored
    expected = direct.tidy()
    assert len(table) == len(expected)
    keys = ["assessment", "figure", "group"]
    pd.testing.assert_frame_equal(
        table[keys].astype(str), expected[keys].astype(str).reset_index(drop=True)
    )
    for column in ("n", "mean", "sd", "min", "max"):
        np.testing.assert_allclose(table[column], expected[column].astype(float), atol=1e-12)


def test_no_csv_row_shows_an_anonymous_figure_on_fewer_than_k_raters(scored, folder, simulated):
    _, table, _ = scored
    anonymous = table[table["group"].isin(ANONYMOUS_LABELS | {"all_others"})]
    assert (anonymous["n"] >= 3).all()
    # the data has small groups, so hiding is exercised: some figures stand on exactly 3
    assert (anonymous["n"] == 3).any()
    hidden = folder / "k4.csv"
    _invoke("score", simulated, "-k", 4, "--csv", hidden)
    stricter = pd.read_csv(hidden)
    assert len(stricter) < len(table)
    assert (stricter[stricter["group"].isin(ANONYMOUS_LABELS | {"all_others"})]["n"] >= 4).all()
    expected = score_frame(read_wide(simulated), k=4).tidy()
    assert len(stricter) == len(expected)


def test_independent_pandas_means_match_the_csv_for_self_and_manager_items(scored, simulated):
    # self and manager are never hidden: their item figure is the plain mean of the answers
    _, table, _ = scored
    raw = pd.read_csv(simulated, dtype={"assessment": str})
    items = list(INSTRUMENT.item_ids)
    expected = (
        raw[raw["group"].isin(["self", "manager"])]
        .melt(id_vars=["assessment", "group"], value_vars=items, var_name="figure")
        .dropna(subset=["value"])
        .groupby(["assessment", "figure", "group"])["value"]
        .agg(["size", "mean"])
    )
    mine = table[table["group"].isin(["self", "manager"]) & table["figure"].isin(items)]
    mine = mine.set_index(["assessment", "figure", "group"]).sort_index()
    expected = expected.reindex(mine.index)
    np.testing.assert_array_equal(mine["n"], expected["size"])
    np.testing.assert_allclose(mine["mean"], expected["mean"], rtol=0, atol=1e-12)


def test_score_without_outputs_prints_the_quadrant_counts(simulated, direct):
    result = _invoke("score", simulated)
    for code, name in enumerate(QUADRANTS):
        found = re.search(rf"{re.escape(name)}\W+(\d+)", result.stdout)
        assert found, result.stdout
        assert int(found.group(1)) == int((direct.quadrant == code).sum())
    assert "30 assessments" in result.stdout


def test_score_of_an_xlsx_file_gives_the_same_json_as_the_csv(tmp_path):
    source = tmp_path / "small.csv"
    _invoke("simulate", "--leaders", 6, "--seed", 9, "-o", source)
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    book = Workbook()
    sheet = book.active
    sheet.append(rows[0])
    text_columns = {"assessment", "group", "rater", *INSTRUMENT.question_ids}
    for row in rows[1:]:
        sheet.append(
            [
                (cell or None) if name in text_columns or not cell else float(cell)
                for name, cell in zip(rows[0], row, strict=True)
            ]
        )
    workbook = tmp_path / "small.xlsx"
    book.save(workbook)
    _invoke("score", source, "--json", tmp_path / "csv.json")
    _invoke("score", workbook, "--json", tmp_path / "xlsx.json")
    from_csv = json.loads((tmp_path / "csv.json").read_text(encoding="utf-8"))
    from_xlsx = json.loads((tmp_path / "xlsx.json").read_text(encoding="utf-8"))
    assert len(from_csv["assessments"]) == 6
    assert from_xlsx == from_csv


def test_a_failed_write_leaves_neither_output_nor_a_temporary_file(
    tmp_path, monkeypatch, simulated
):
    from leadwell.scoring.result import CycleScores

    def broken(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(CycleScores, "tidy", broken)
    result = runner.invoke(
        app,
        [
            "score",
            str(simulated),
            "--json",
            str(tmp_path / "a.json"),
            "--csv",
            str(tmp_path / "a.csv"),
        ],
    )
    assert isinstance(result.exception, UserError)
    assert "No space left on device" in str(result.exception)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_output_is_replaced_whole(tmp_path, simulated, direct):
    target = tmp_path / "out.json"
    target.write_text("old content that is longer than nothing\n" * 10_000, encoding="utf-8")
    _invoke("score", simulated, "--json", target)
    assert json.loads(target.read_text(encoding="utf-8"))["assessments"][0] == direct.assessment(0)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


# --- psychometrics ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quality(folder: Path, simulated: Path):
    out_json = folder / "quality.json"
    result = _invoke("psychometrics", simulated, "--json", out_json)
    return result.stdout, json.loads(out_json.read_text(encoding="utf-8"))


def _pairwise_alpha(answers: pd.DataFrame) -> float:
    """Cronbach (1951) alpha from pandas' pairwise covariance: k/(k-1) (1 - tr C / sum C)."""
    cov = answers.cov().to_numpy()
    k = cov.shape[0]
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def test_psychometrics_prints_alpha_and_omega_for_all_14_facets(quality):
    stdout, data = quality
    assert [row["facet"] for row in data["facets"]] == FACETS
    for row in data["facets"]:
        line = next(line for line in stdout.splitlines() if re.search(rf"\b{row['facet']}\b", line))
        cells = [cell.strip() for cell in re.split(r"[│|┃]", line) if cell.strip()]
        assert cells[:4] == [
            row["facet"],
            str(row["n"]),
            f"{row['alpha']:.3f}",
            f"{row['omega']:.3f}",
        ]


def test_psychometrics_alpha_matches_an_independent_pairwise_computation(quality, simulated):
    _, data = quality
    raw = pd.read_csv(simulated)
    others = raw[raw["group"] != "self"]
    for row in data["facets"]:
        facet = next(f for f in INSTRUMENT.facets if f.id == row["facet"])
        expected = _pairwise_alpha(others[list(facet.items)])
        assert row["alpha"] == pytest.approx(expected, abs=1e-10)
        assert 0.5 < row["alpha"] < 1  # the simulated facets are reliable


def test_psychometrics_prints_the_cfa_fit_line_with_the_json_figures(quality):
    stdout, data = quality
    cfa = data["cfa"]
    assert cfa is not None
    line = next(line for line in stdout.splitlines() if line.startswith("Two-factor CFA"))
    joined = " ".join(stdout[stdout.index(line) :].split())  # the line may wrap on 80 columns
    for key in ("cfi", "tli", "rmsea", "srmr"):
        assert f"{key.upper()} {cfa[key]:.3f}" in joined
        assert 0 <= cfa[key] <= 1.0 + 1e-9
    assert f"on {cfa['df']} df" in joined


# --- instrument ------------------------------------------------------------------------------


def test_instrument_shows_the_14_facets_of_version_1():
    result = _invoke("instrument")
    rows = [line for line in result.stdout.splitlines() if re.search(r"\b[MLC]\d\b", line)]
    found = [re.search(r"\b([MLC]\d)\b", line).group(1) for line in rows]
    assert found == FACETS
    assert f"{len(INSTRUMENT.items)} items" in result.stdout


def test_instrument_refuses_a_broken_copy_with_exit_status_2(tmp_path):
    from importlib import resources

    text = (resources.files("leadwell.instrument") / "versions" / "v1.toml").read_text("utf-8")
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("Almost never", "Hardly ever", 1), encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text[: len(text) // 2] + '\n[[facets]\nid = "M9"\n', encoding="utf-8")
    for path in (changed, broken):
        result = runner.invoke(app, ["instrument", str(path)])
        assert isinstance(result.exception, UserError), result.output
        assert str(path) in str(result.exception) or path.name in str(result.exception)
    done = _run("instrument", broken.name, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ")
    assert broken.name in done.stderr


# --- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["simulate", "score", "psychometrics", "instrument", "change"])
def test_each_command_help_exits_0_and_describes_it(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout
    assert command in result.stdout


def test_help_of_the_real_command_exits_0_and_lists_every_command(tmp_path):
    done = _run("--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for command in ("simulate", "score", "psychometrics", "instrument"):
        assert command in done.stdout
    done = _run("score", "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "--json" in done.stdout
    assert "--csv" in done.stdout
