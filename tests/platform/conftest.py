"""Running `leadwell …` as a user does: a real process on a free port, stopped after the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

LEADWELL = Path(sys.executable).with_name("leadwell")


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Leadwell:
    """``leadwell <args> --port N`` in its own process group, with the user's environment
    (none of pytest's DJANGO_, LEADWELL_ or DATABASE_URL settings) plus ``env``."""

    def __init__(self, args: tuple[str, ...], env: dict[str, str], cwd: Path) -> None:
        port = free_port()
        environment = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "LEADWELL_")) and k != "DATABASE_URL"
        }
        environment.update(env)
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [str(LEADWELL), *args, "--port", str(port)], env=environment, cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        self.output: tuple[str, str] | None = None

    def fetch(self, path: str) -> tuple[int, dict[str, str], str]:
        """Status, headers and body of a GET; an error status is an answer too."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def health(self, seconds: float) -> int | None:
        """The status ``/health/`` answers once the server listens, or None after ``seconds``
        (or when the process has ended)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                return self.fetch("/health/")[0]
            except OSError:  # not listening yet
                time.sleep(0.3)
        return None

    def stop(self) -> tuple[str, str]:
        """Stop the process group; what it printed (stdout, stderr)."""
        if self.output is None:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
            self.output = self.process.communicate(timeout=30)
        return self.output


@pytest.fixture
def closed_port() -> int:
    """A port where nothing listens (a database that is down, for instance)."""
    return free_port()


@pytest.fixture
def leadwell(tmp_path) -> Iterator[Callable[..., Leadwell]]:
    """Start ``leadwell <args>`` in ``tmp_path``; every process started is stopped afterwards."""
    started: list[Leadwell] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Leadwell:
        started.append(Leadwell(args, env or {}, tmp_path))
        return started[-1]

    yield start
    for process in started:
        process.stop()
