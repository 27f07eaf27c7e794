"""The platform's commands: `leadwell demo`, `serve`, `reports` and `manage`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def _django(**environment: str) -> None:
    for name, value in environment.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadwell.config.settings")
    import django

    django.setup()


def demo(
    port: Annotated[int, typer.Option(help="Port to serve the demo on.")] = 8000,
    build_only: Annotated[
        bool, typer.Option("--build-only", help="Build the demo database and exit.")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Throw the demo database away and build it anew.")
    ] = False,
    home: Annotated[
        Path, typer.Option(help="Folder for the demo database and sent emails.")
    ] = Path("demo"),
) -> None:
    """Build a demo organization (40 leaders, a finished and an open cycle) and serve it."""
    home.mkdir(parents=True, exist_ok=True)
    database = (home / "leadwell-demo.sqlite3").resolve()
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    _django(LEADWELL_INSECURE="1", LEADWELL_HOME=str(home.resolve()), EMAIL_BACKEND="console",
            SITE_URL=f"http://127.0.0.1:{port}")  # fmt: skip
    from django.core.management import call_command

    from leadwell.demo import DEMO_PASSWORD, demo_build

    typer.echo(f"Preparing the demo database {database} …", err=True)
    call_command("migrate", interactive=False, verbosity=0)
    info = demo_build(rebuild=rebuild)
    typer.echo(
        ("Built" if info.created else "Reusing") + f" the organization {info.organization.name!r}."
    )
    typer.echo(
        f"Sign in as admin / {DEMO_PASSWORD} (org admin), lee / {DEMO_PASSWORD} (a leader) "
        f"or coach / {DEMO_PASSWORD} (Lee's coach)."
    )
    for token in info.sample_links:
        typer.echo(f"A rater's link to try: http://127.0.0.1:{port}/r/{token}/")
    if not info.created:
        typer.echo(
            "(Raters' links are printed only when the demo is built: use --rebuild for new ones.)"
        )
    if build_only:
        return
    # As `serve` does: whitenoise looks in STATIC_ROOT (here in the demo folder) at start.
    call_command("collectstatic", interactive=False, verbosity=0)
    typer.echo(f"Serving on http://127.0.0.1:{port}/  (Ctrl+C stops)")
    # The demo runs background tasks inside the request (no worker): a PDF batch of its 40
    # reports takes about a minute, longer than gunicorn's usual 30 s.
    _gunicorn("127.0.0.1", port, workers=2, timeout=600)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 3,
    timeout: Annotated[
        int,
        typer.Option(
            help="Seconds a request may take. Raise it when background tasks run inside "
            "requests (TASKS_BACKEND=immediate) and admins make PDF batches."
        ),
    ] = 30,
    migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply database migrations first.")
    ] = True,
) -> None:
    """Serve leadwell with gunicorn; settings come from the environment (docs/deployment.md)."""
    _django()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)
    _gunicorn(host, port, workers=workers, timeout=timeout)


def reports(
    cycle: Annotated[int, typer.Argument(help="The cycle's number (as in its page's address).")],
    pdf: Annotated[Path, typer.Option("--pdf", help="Folder to write one PDF per leader into.")],
    paper: Annotated[str, typer.Option(help="Paper size: a4 or letter.")] = "a4",
) -> None:
    """Write every report of a closed or released cycle as PDF, one file per leader.

    Settings come from the environment, as for `leadwell serve` (DATABASE_URL, SECRET_KEY …).
    A report that fails is listed at the end and the others are still written; the exit
    status is then 1. Each report written is recorded in the report log.
    """
    _django()
    from leadwell.reports.cli import write_cycle_pdfs

    raise typer.Exit(write_cycle_pdfs(cycle, pdf, paper=paper))


def manage(ctx: typer.Context) -> None:
    """Run any Django management command, e.g. `leadwell manage createsuperuser`."""
    from leadwell.manage import main

    main(ctx.args)


def _gunicorn(host: str, port: int, *, workers: int, timeout: int = 30) -> None:
    # No access log: a rater's link is their key until they submit, and a log line with
    # /r/<token> (or a Referer holding it) would keep it, with the time they answered. No
    # control socket: nothing uses it, and two servers of one user would share its path.
    # Preloaded: the app and every view module are imported once, before the workers fork
    # (leadwell/config/wsgi.py), so a new worker does not spend seconds importing.
    arguments = [
        sys.executable, "-m", "gunicorn", "leadwell.config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--error-logfile", "-",
        "--timeout", str(timeout), "--no-control-socket", "--preload",
    ]  # fmt: skip
    os.execv(sys.executable, arguments)


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(serve)
    app.command()(reports)
    app.command(
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        add_help_option=False,
    )(manage)
