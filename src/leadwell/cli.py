"""The ``leadwell`` command: simulate, score and check responses with no database.

The CLI is thin: it builds the core objects, calls them, and turns every failure into one clear
line on stderr with exit status 2 (bad input) or 1 (anything unexpected); never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

app = typer.Typer(
    name="leadwell",
    help="leadwell: 360° assessments on the Manage–Lead model. Do you manage, lead, or both?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

_PROGRESS_BYTES = 5_000_000  # files at least this large show a progress bar on a terminal


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


@app.command()
def simulate(
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")],
    leaders: Annotated[int, typer.Option(help="Number of leaders (one assessment each).")] = 40,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same file.")] = 0,
    correlation: Annotated[
        float, typer.Option(help="Correlation of leaders' latent managing and leading levels.")
    ] = 0.4,
    raters: Annotated[
        str | None,
        typer.Option(
            help="Fixed raters per group as self,manager,peer,direct,other (e.g. 1,1,3,5,2); "
            "default: varying group sizes, some under the anonymity threshold."
        ),
    ] = None,
) -> None:
    """Write realistic synthetic responses in the wide CSV format."""
    from leadwell.simulate import SimulationSettings, write_csv
    from leadwell.simulate import simulate as run

    sizes = _group_sizes(raters) if raters else None
    try:
        settings = SimulationSettings(
            leaders=leaders, seed=seed, correlation=correlation, group_sizes=sizes
        )
    except ValueError as error:
        raise UserError(str(error)) from None
    with _status(f"Simulating {leaders:,} leaders"):
        simulation = run(settings)
        write_csv(simulation.responses, output)
    err.print(f"Wrote {len(simulation.responses):,} responses for {leaders:,} leaders to {output}")


def _group_sizes(text: str) -> dict[str, tuple[int, int]]:
    from leadwell.scoring import GROUPS

    parts = text.split(",")
    if len(parts) != len(GROUPS) or not all(p.strip().isdigit() for p in parts):
        raise UserError(
            f"--raters needs {len(GROUPS)} whole numbers for {','.join(GROUPS)}, got {text!r}"
        )
    return {g: (int(p), int(p)) for g, p in zip(GROUPS, parts, strict=True)}


@app.command()
def score(
    file: Annotated[Path, typer.Argument(help="Responses in the wide format (.csv or .xlsx).")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the full result as JSON here.")
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write one row per shown figure as CSV here.")
    ] = None,
    k: Annotated[int, typer.Option("-k", "--k", help="Anonymity threshold (at least 2).")] = 3,
    cut: Annotated[float, typer.Option(help="Quadrant cut on both axes.")] = 3.5,
    gap: Annotated[float, typer.Option(help="Self-other gap that names a blind spot.")] = 0.5,
    instrument: Annotated[
        str, typer.Option(help="Instrument version or TOML file the answers follow.")
    ] = "1",
) -> None:
    """Score every assessment of a file under the scoring contract.

    Without --json or --csv it prints a summary: quadrants and response counts.
    """
    from leadwell.scoring import ScoringSettings, responses_from_frame, score_responses

    chosen = _instrument(instrument)
    try:
        settings = ScoringSettings(k=k, cut=cut, gap=gap)
    except ValueError as error:
        raise UserError(str(error)) from None
    responses = _checked(lambda: responses_from_frame(_read(file), chosen))
    with _progress(len(responses.assessment_ids) > 5_000) as bar:
        task = bar.add_task("Scoring", total=len(responses.assessment_ids))
        scores = score_responses(
            responses, chosen, settings, progress=lambda done, _: bar.update(task, completed=done)
        )
    if json_out is not None:
        _write_json(scores, json_out)
    if csv_out is not None:
        scores.tidy().to_csv(csv_out, index=False)
        err.print(f"Wrote figures to {csv_out}")
    if json_out is None and csv_out is None:
        _print_summary(scores)


@app.command()
def psychometrics(
    file: Annotated[Path, typer.Argument(help="Responses in the wide format (.csv or .xlsx).")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the table as JSON here.")
    ] = None,
    instrument: Annotated[
        str, typer.Option(help="Instrument version or TOML file the answers follow.")
    ] = "1",
) -> None:
    """Print the instrument-quality table: reliability, agreement, factor fit, response quality."""
    from leadwell.scoring import GROUPS, responses_from_frame
    from leadwell.scoring.quality import instrument_quality

    chosen = _instrument(instrument)
    responses = _checked(lambda: responses_from_frame(_read(file), chosen))
    answers = responses.answers.astype(float)
    answers[answers == 0] = float("nan")
    with _status("Computing reliability and fitting the two-factor model"):
        report = instrument_quality(
            answers,
            responses.assessment,
            chosen,
            is_self=responses.group == GROUPS.index("self"),
            seconds=responses.seconds,
        )
    data = report.to_dict()
    if json_out is not None:
        json_out.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        err.print(f"Wrote the table to {json_out}")
    _print_quality(data)


@app.command("instrument")
def instrument_command(
    source: Annotated[
        str, typer.Argument(help="A released version (e.g. 1) or a TOML file to check.")
    ] = "1",
) -> None:
    """Check an instrument file (or show a released version): facets, items, questions."""
    chosen = _instrument(source)
    table = Table(title=f"{chosen.title}, version {chosen.version}", show_lines=False)
    for column in ("facet", "axis", "name", "items"):
        table.add_column(column)
    for facet in chosen.facets:
        table.add_row(facet.id, facet.axis or "caution", facet.name, str(len(facet.items)))
    out.print(table)
    out.print(
        f"{len(chosen.items)} items ({len(chosen.outcome_ids)} outcome), "
        f"{len(chosen.questions)} open questions; sha256 {chosen.sha256[:16]}…"
    )


def _instrument(source: str) -> Any:
    from leadwell.instrument import InstrumentError, load_instrument

    try:
        return load_instrument(source)
    except (InstrumentError, OSError) as error:
        raise UserError(str(error)) from None


def _read(file: Path) -> Any:
    from leadwell.scoring import read_wide

    size = file.stat().st_size if file.is_file() else 0
    with _progress(size >= _PROGRESS_BYTES) as bar:
        task = bar.add_task(f"Reading {file.name}", total=size or None)
        return _checked(
            lambda: read_wide(file, progress=lambda done, _: bar.update(task, completed=done))
        )


def _checked(call: Callable[[], Any]) -> Any:
    from leadwell.scoring import WideFormatError

    try:
        return call()
    except WideFormatError as error:
        raise UserError(str(error)) from None


def _write_json(scores: Any, path: Path) -> None:
    with _progress(len(scores) > 2_000) as bar, path.open("w", encoding="utf-8") as handle:
        task = bar.add_task("Writing JSON", total=len(scores))
        header = json.dumps(scores.header(), allow_nan=False)
        handle.write(header[:-1] + ', "assessments": [')
        for i, assessment in enumerate(scores.iter_assessments()):
            handle.write(("," if i else "") + "\n" + json.dumps(assessment, allow_nan=False))
            bar.update(task, advance=1)
        handle.write("\n]}\n")
    err.print(f"Wrote {len(scores):,} assessments to {path}")


def _print_summary(scores: Any) -> None:
    from leadwell.scoring import QUADRANTS

    counts = {name: int((scores.quadrant == code).sum()) for code, name in enumerate(QUADRANTS)}
    table = Table(title=f"{len(scores):,} assessments")
    table.add_column("quadrant")
    table.add_column("leaders", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    out.print(table)
    out.print("Use --json or --csv to write every figure.")


def _print_quality(data: dict[str, Any]) -> None:
    table = Table(title="Instrument quality (non-self ratings)")
    columns = ("facet", "n", "alpha", "omega", "sem", "icc1", "icc2")
    for column in columns:
        table.add_column(column, justify="left" if column == "facet" else "right")
    for row in data["facets"]:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    out.print(table)
    cfa = data.get("cfa")
    if cfa:
        out.print(
            "Two-factor CFA (managing, leading): "
            + ", ".join(f"{k.upper()} {_cell(cfa.get(k))}" for k in ("cfi", "tli", "rmsea", "srmr"))
            + f", χ² {_cell(cfa.get('chi2'))} on {cfa.get('df')} df, n {cfa.get('n')}"
        )
    elif data.get("cfa_note"):
        out.print(f"Two-factor CFA: {data['cfa_note']}")
    out.print(
        f"Straight-liners: {data.get('n_straightliners')}; speeders: "
        f"{data.get('n_speeders') if data.get('n_speeders') is not None else 'no durations given'}"
    )


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


@contextmanager
def _progress(show: bool) -> Iterator[Progress]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(
        *columns, console=err, disable=not (show and err.is_terminal), transient=True
    ) as bar:
        yield bar


@contextmanager
def _status(message: str) -> Iterator[None]:
    if err.is_terminal:
        with err.status(message):
            yield
    else:
        yield


def main() -> None:
    """Entry point: run the app, turning errors into one line and an exit status."""
    try:
        app(standalone_mode=False)
    except UserError as error:
        err.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
        sys.exit(2)
    except (typer.Exit, SystemExit) as done:
        raise done
    except Exception as error:
        import click

        if isinstance(error, click.exceptions.ClickException):
            error.show()
            sys.exit(error.exit_code)
        if isinstance(error, click.exceptions.Abort):
            sys.exit(1)
        err.print(f"[bold red]unexpected error:[/] {type(error).__name__}: {error}")
        sys.exit(1)
