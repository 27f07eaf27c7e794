"""Every curl example of docs/api.md, run in order with the real curl against a live server
holding the organization the guide describes; each answer must have the status, the
headers shown and the JSON shape (and values) the guide prints.

How an example is read: a ```console block holds commands (``$ curl …``, continued with a
trailing backslash) each followed by what it prints. When the printed answer starts with an
``HTTP/…`` line the command uses ``-i``: the status must match and each header line shown
must be among the answer's headers; the JSON after the blank line is the body. JSON is
compared value for value, except that timestamps match any timestamp, the guide's base URL
stands for the live server's, and a list may show only its first items.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BASE = "https://leadwell.example.org"  # $LEADWELL as the guide prints it
CURL = shutil.which("curl") or "/usr/bin/curl"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)


def examples(text: str) -> list[tuple[str, str]]:
    """(command, printed answer) of every example, in the guide's order."""
    found = []
    for block in BLOCK.findall(text):
        command, answer, lines = None, [], block.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, "\n".join(answer).strip()))
                parts = [line[2:]]
                while parts[-1].endswith("\\"):
                    i += 1
                    parts[-1] = parts[-1][:-1].rstrip()
                    parts.append(lines[i].strip())
                command, answer = " ".join(parts), []
            else:
                answer.append(line)
            i += 1
        if command is not None:
            found.append((command, "\n".join(answer).strip()))
    return found


def same_shape(expected, actual, where: str = "$") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        assert set(expected) == set(actual), f"{where}: keys {sorted(expected)} ≠ {sorted(actual)}"
        for key in expected:
            same_shape(expected[key], actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) >= len(expected), f"{where}: {len(actual)} items < {len(expected)}"
        if not expected:
            assert not actual, f"{where}: expected an empty list, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            same_shape(e, a, f"{where}[{i}]")
    elif isinstance(expected, str) and TIMESTAMP.match(expected):
        assert isinstance(actual, str), f"{where}: {actual!r}"
        assert TIMESTAMP.match(actual), f"{where}: {actual!r}"
    elif isinstance(expected, bool) or expected is None or isinstance(expected, str):
        assert actual == expected, f"{where}: {actual!r} ≠ {expected!r}"
    else:
        assert isinstance(actual, int | float), where
        assert not isinstance(actual, bool), where
        assert actual == pytest.approx(expected, abs=1e-9), f"{where}: {actual!r} ≠ {expected!r}"


def run(command: str, base: str, key: str, folder: Path) -> str:
    assert command.startswith("curl "), f"only curl examples run: {command}"
    env = {"PATH": os.path.dirname(CURL) + ":/usr/bin:/bin", "LEADWELL": base, "KEY": key}
    done = subprocess.run(
        ["bash", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=folder,  # where `-o file` examples write
    )
    assert done.returncode == 0, f"{command}\n{done.stderr}"
    return done.stdout.replace(base, BASE)


def check(command: str, shown: str, printed: str) -> None:
    body_shown, body = shown, printed
    if shown.startswith("HTTP/"):
        head_shown, _, body_shown = shown.partition("\n\n")
        head, _, body = printed.replace("\r\n", "\n").partition("\n\n")
        status_shown, *headers_shown = head_shown.splitlines()
        status, *headers = head.splitlines()
        assert status.split()[1] == status_shown.split()[1], f"{command}: {status}"
        have = {h.split(":", 1)[0].lower(): h.split(":", 1)[1].strip() for h in headers}
        for line in headers_shown:
            name, value = (part.strip() for part in line.split(":", 1))
            assert have.get(name.lower()) == value, f"{command}: header {line!r}, got {have}"
    same_shape(json.loads(body_shown), json.loads(body))


def _verb(command: str) -> str:
    if "-X PATCH" in command:
        return "PATCH"
    return "POST" if "--json" in command or "-X POST" in command else "GET"


def test_the_guide_has_an_example_for_every_operation():
    from leadwell.api.main import api

    commands = [c for c, _ in examples(DOC.read_text())]
    for path, methods in api.get_openapi_schema(path_prefix="/api/")["paths"].items():
        # /api/cycles/{cycle_id}/advance -> \$LEADWELL/api/cycles/\d+/advance, then the end
        url = re.sub(r"\\\{\w+\\\}", r"\\d+", re.escape(path))
        pattern = re.compile(r"\$LEADWELL" + url + r"(\?|\"|'|$)")
        for method in methods:
            assert any(_verb(c) == method.upper() and pattern.search(c) for c in commands), (
                f"docs/api.md has no example of {method.upper()} {path}"
            )


@pytest.fixture
def autumn(org, leader, respond):
    """The guide's closed cycle: Lee rated by self, manager, three peers and two direct
    reports, who see more managing (about 4) than leading (about 3) and little command and
    control (about 2); each anonymous rater wrote what Lee should keep doing."""
    from django.utils import timezone

    from leadwell.cycles.answers import cycle_instrument
    from leadwell.cycles.models import Assessment, Cycle

    cycle = Cycle.objects.create(
        organization=org, name="Autumn 2025", status=Cycle.CLOSED, closed_at=timezone.now()
    )
    assessment = Assessment.objects.create(organization=org, cycle=cycle, leader=leader)
    items = cycle_instrument(cycle).items
    base = {"M": 4, "L": 3, "C": 2}
    for rater, group in enumerate(["self", "manager", "peer", "peer", "peer", "direct", "direct"]):
        values = {
            item.id: min(5, max(1, base.get((item.facet or "O")[0], 3) + (i + rater) % 3 - 1))
            for i, item in enumerate(items)
            if group != "self" or item.facet is not None
        }
        comments = {"keep": f"Clear plans, every week ({rater})."} if rater > 1 else None
        respond(assessment, group, values, comments)
    return assessment


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_every_curl_example_of_the_guide_answers_as_shown(
    live_server, api_key, people, leader, autumn, tmp_path, settings
):
    if not Path(CURL).exists():
        pytest.skip("curl is missing")
    settings.LEADWELL_EXPORTS_DIR = tmp_path / "exports"
    record = os.environ.get("LEADWELL_DOCS_RECORD")
    found = examples(DOC.read_text())
    assert len(found) >= 20
    printed_all = []
    for command, shown in found:
        printed = run(command, live_server.url, api_key, tmp_path)
        printed_all.append(f"$ {command}\n{printed}\n")
        if not record:
            check(command, shown, printed)
    if record:
        Path(record).write_text("\n".join(printed_all))
