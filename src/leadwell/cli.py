"""The ``leadwell`` command: simulate, score and check responses with no database.

The CLI is thin: it builds the core objects, calls them, and turns every failure into one clear
line on stderr with exit status 2 (bad input) or 1 (anything unexpected); never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

app = typer.Typer(
    name="leadwell",
    help="leadwell: 360° assessments on the Manage–Lead model. Do you manage, lead, or both?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Messages are not wrapped at the terminal width: a path broken over two lines cannot be pasted.
err = Console(stderr=True, soft_wrap=True)
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
    with _status(f"Simulating {leaders:,} leaders"), _publishing(output) as temps:
        simulation = run(settings)
        write_csv(simulation.responses, temps[output])
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
    from leadwell.scoring import responses_from_frame, score_responses

    if json_out is not None and csv_out is not None and json_out.resolve() == csv_out.resolve():
        raise UserError("--json and --csv name the same file; give each its own")
    chosen = _instrument(instrument)
    settings = _settings(k=k, cut=cut, gap=gap)
    responses = _checked(lambda: responses_from_frame(_read(file), chosen))
    with _progress(len(responses.assessment_ids) > 5_000) as bar:
        task = bar.add_task("Scoring", total=len(responses.assessment_ids))
        scores = score_responses(
            responses, chosen, settings, progress=lambda done, _: bar.update(task, completed=done)
        )
    with _publishing(json_out, csv_out) as temps:
        if json_out is not None:
            _write_json(scores, temps[json_out])
        if csv_out is not None:
            scores.tidy().to_csv(temps[csv_out], index=False)
    if json_out is not None:
        err.print(f"Wrote {len(scores):,} assessments to {json_out}")
    if csv_out is not None:
        err.print(f"Wrote figures to {csv_out}")
    if json_out is None and csv_out is None:
        _print_summary(scores)


@app.command()
def change(
    before: Annotated[Path, typer.Argument(help="The earlier cycle's responses (wide format).")],
    after: Annotated[Path, typer.Argument(help="The later cycle's responses (wide format).")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every leader's change as JSON here.")
    ] = None,
    k: Annotated[int, typer.Option("-k", "--k", help="Anonymity threshold (at least 2).")] = 3,
    instrument: Annotated[
        str, typer.Option(help="Instrument version or TOML file the answers follow.")
    ] = "1",
) -> None:
    """Compare two cycles: each leader's change per facet and axis, with the Reliable Change Index.

    Leaders are matched by the assessment label, so use the same label (e.g. the leader's
    id) in both files. A change counts as real only where |RCI| > 1.96.
    """
    from leadwell.scoring import responses_from_frame, score_responses
    from leadwell.scoring.change import compare

    chosen = _instrument(instrument)
    settings = _settings(k=k)

    def scored(file: Path) -> Any:
        responses = _checked(lambda: responses_from_frame(_read(file), chosen))
        return score_responses(responses, chosen, settings)

    result = compare(scored(before), scored(after))
    if not len(result.assessment_ids):
        raise UserError("no assessment label appears in both files: nothing to compare")
    if json_out is not None:
        _write_text(json_out, json.dumps(result.to_dict(), allow_nan=False))
        err.print(f"Wrote the change of {len(result.assessment_ids):,} leaders to {json_out}")
    table = Table(title=f"{len(result.assessment_ids):,} leaders in both cycles")
    for column in ("figure", "reliably up", "reliably down", "no reliable change", "reliability"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    up, down = result.reliable & (result.delta > 0), result.reliable & (result.delta < 0)
    for f, name in enumerate(result.figures):
        table.add_row(
            name,
            str(int(up[:, f].sum())),
            str(int(down[:, f].sum())),
            str(int((~result.reliable[:, f]).sum())),
            _cell(float(result.reliability[f])),
        )
    out.print(table)


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
        _write_text(json_out, json.dumps(data, indent=2, allow_nan=False))
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


@app.command("org-export")
def org_export(
    slug: Annotated[
        str, typer.Argument(help="The organization's slug, as in the addresses of its pages.")
    ],
    file: Annotated[Path, typer.Argument(help="The ZIP archive to write.")],
) -> None:
    """Write a whole organization to one ZIP archive: a backup, or a move to another installation.

    The archive holds its people, units, roles, cycles with every answer and comment, the
    report log, development plans, and the accounts they use (without installation-wide admin
    flags). Derived tables (chart drawings, PDF batches, insights) are left out and computed
    again. Settings come from the environment, as for `leadwell serve`. A failed run leaves no
    file behind. See docs/organization-export.md.
    """
    _django_setup()
    from leadwell.exports.organization_export import organization_export
    from leadwell.orgs.models import Organization

    with _database():
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            known = ", ".join(Organization.objects.order_by("slug").values_list("slug", flat=True))
            raise UserError(f"there is no organization {slug!r} (there are: {known or 'none'})")
        with (
            _publishing(file) as temps,
            temps[file].open("wb") as handle,
            _progress(True) as bar,
        ):
            # Answers, comments and password hashes: readable by the owner only.
            temps[file].chmod(0o600)
            task = bar.add_task(f"Exporting {org.name}", total=None)
            summary = organization_export(
                org,
                handle,
                progress=lambda done, rows: bar.update(task, completed=done, total=rows),
            )
    err.print(f"Wrote {org.name} ({summary.rows:,} rows in {len(summary.tables)} tables) to {file}")


@app.command("org-import")
def org_import(
    file: Annotated[Path, typer.Argument(help="An archive written by `leadwell org-export`.")],
    slug: Annotated[
        str | None,
        typer.Option(
            help="Import under this slug instead of the archive's (taken slugs are refused)."
        ),
    ] = None,
    reuse_users: Annotated[
        bool,
        typer.Option(
            "--reuse-users",
            help="Give the archive's users to existing accounts of the same username "
            "(their password and email stay) instead of refusing the import.",
        ),
    ] = False,
) -> None:
    """Create an organization from an archive of `leadwell org-export`: all of it or nothing.

    Every row gets a new id. A taken slug or username is refused (see --slug, --reuse-users).
    Raters' links of open cycles stop working: send reminders from the cycle's page to mail
    new ones. Settings come from the environment, as for `leadwell serve`.
    """
    _django_setup()
    from leadwell.exports.organization import ArchiveError
    from leadwell.exports.organization_import import organization_import

    try:
        handle = file.open("rb")
    except OSError as error:
        raise UserError(f"cannot read {file}: {error.strerror or error}") from None
    with _database(), handle, _progress(True) as bar:
        task = bar.add_task(f"Importing {file.name}", total=None)
        try:
            summary = organization_import(
                handle,
                slug=slug,
                reuse_users=reuse_users,
                progress=lambda done, rows: bar.update(task, completed=done, total=rows),
            )
        except ArchiveError as error:
            raise UserError(f"{file}: {error}; nothing was imported") from None
    org, users = summary.organization, summary.tables.get("auth.user", 0)
    reused = f", {len(summary.users_reused)} of them existing accounts" if reuse_users else ""
    err.print(
        f"Imported {org.name} as {org.slug!r}: {sum(summary.tables.values()):,} rows, "
        f"{users} users{reused}"
    )


class SystemFailure(Exception):
    """A problem outside the input (settings, the database); one line, exit status 1."""


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadwell.config.settings")
    import django
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    if not apps.ready:
        try:
            django.setup()
        except ImproperlyConfigured as error:
            raise SystemFailure(f"settings: {error}") from None


@contextmanager
def _database() -> Iterator[None]:
    from django.db import DatabaseError

    try:
        yield
    except DatabaseError as error:
        raise SystemFailure(
            f"database: {error}".strip()
            + " (is DATABASE_URL right and the database migrated with `leadwell manage migrate`?)"
        ) from None


def _settings(**values: Any) -> Any:
    from leadwell.scoring import ScoringSettings

    try:
        return ScoringSettings(**values)
    except ValueError as error:
        raise UserError(str(error)) from None


def _write_text(path: Path, text: str) -> None:
    with _publishing(path) as temps:
        temps[path].write_text(text + "\n", encoding="utf-8")


@contextmanager
def _publishing(*outputs: Path | None) -> Iterator[dict[Path, Path]]:
    """Map each output to a temporary file beside it; move them onto the outputs on success.

    A failed run leaves no partial output behind, and an existing output keeps its content.
    """
    for folder in (p for p in outputs if p is not None and p.is_dir()):
        raise UserError(f"{folder} is a folder: give the name of the file to write")
    temps = {p: p.with_name(f".{p.name}.{os.getpid()}.tmp") for p in outputs if p is not None}
    shown = {str(temp): str(path) for path, temp in temps.items()}
    try:
        for temp in temps.values():
            temp.touch()  # fails before any work when the folder is missing or read-only
        yield temps
        for path, temp in temps.items():
            temp.replace(path)
    except OSError as error:
        where = shown.get(str(error.filename), error.filename)
        raise UserError(f"cannot write {where}: {error.strerror or error}") from None
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


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
    except OSError as error:
        raise UserError(f"cannot read {error.filename}: {error.strerror or error}") from None


def _write_json(scores: Any, path: Path) -> None:
    with _progress(len(scores) > 2_000) as bar, path.open("w", encoding="utf-8") as handle:
        task = bar.add_task("Writing JSON", total=len(scores))
        header = json.dumps(scores.header(), allow_nan=False)
        handle.write(header[:-1] + ', "assessments": [')
        for i, assessment in enumerate(scores.iter_assessments()):
            handle.write(("," if i else "") + "\n" + json.dumps(assessment, allow_nan=False))
            bar.update(task, advance=1)
        handle.write("\n]}\n")


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


def _register_platform() -> None:
    from leadwell.cli_platform import register

    register(app)


_register_platform()


def main() -> None:
    """Entry point: run the app, turning errors into one line and an exit status."""
    try:
        code = app(standalone_mode=False)
    except UserError as error:
        _fail(str(error), 2)
    except SystemFailure as error:
        _fail(str(error), 1)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 1)
    except typer.TyperException as error:  # usage errors of the click that typer vendors
        show = getattr(error, "show", None)
        if callable(show):
            show()
            sys.exit(error.exit_code)
        _fail(error.format_message(), error.exit_code)
    except Exception as error:  # a bug: still one line, never a traceback
        _fail(f"unexpected {type(error).__name__} (please report it): {error}", 1)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, status: int) -> NoReturn:
    err.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True, highlight=False)
    sys.exit(status)
