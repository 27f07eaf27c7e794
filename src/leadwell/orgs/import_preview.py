"""What an import of people would change, and which rows are bad and why.

Pure: :func:`preview_import` compares the rows of a file (:class:`ImportRow`, as
``importing.read_people_file`` reads them) with a snapshot of the people already in the
organization (``selectors.people_snapshot``). Row numbers are the file's (header = row 1).

In an :class:`ImportRow`, ``None`` means "the file has no such column" (leave that field
alone) and ``""`` means "an empty cell" (clear it).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

__all__ = [
    "COLUMNS",
    "BadRow",
    "Change",
    "ExistingPerson",
    "ImportPreview",
    "ImportRow",
    "Updated",
    "preview_import",
    "row_problems",
]

COLUMNS = ("name", "email", "unit", "level", "manager_email")


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One person as the file gives them; ``email`` and ``manager_email`` are lower case."""

    row: int
    name: str
    email: str
    unit: str | None = None
    level: str | None = None
    manager_email: str | None = None


@dataclass(frozen=True, slots=True)
class ExistingPerson:
    """A person already in the organization, as the import compares and writes them."""

    id: int
    email: str  # as stored (the snapshot's key is its lower case)
    name: str
    unit: str
    unit_id: int | None
    level: str
    manager_email: str
    manager_id: int | None
    is_active: bool


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Updated:
    row: ImportRow
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class BadRow:
    row: int
    name: str
    email: str
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do: nothing is written until ``people_import`` is called."""

    new: tuple[ImportRow, ...] = ()
    updated: tuple[Updated, ...] = ()
    unchanged: tuple[ImportRow, ...] = ()
    bad: tuple[BadRow, ...] = ()
    columns: tuple[str, ...] = COLUMNS

    @property
    def ok(self) -> bool:
        return not self.bad

    @property
    def total(self) -> int:
        return len(self.new) + len(self.updated) + len(self.unchanged) + len(self.bad)


def preview_import(
    rows: Sequence[ImportRow],
    existing: Mapping[str, ExistingPerson],
    *,
    columns: Sequence[str] = COLUMNS,
    org_name: str = "the organization",
) -> ImportPreview:
    """Compare the file's rows with the people already in the organization.

    ``existing`` maps lower-case email to the person. A row is bad for every reason that applies
    (see :func:`row_problems`); the others are new, updated (with the changes, old and
    new) or unchanged.
    """
    problems = row_problems(rows, existing, org_name=org_name)
    new: list[ImportRow] = []
    updated: list[Updated] = []
    unchanged: list[ImportRow] = []
    bad: list[BadRow] = []
    for position, row in enumerate(rows):
        reasons = problems.get(position)
        if reasons:
            bad.append(BadRow(row.row, row.name, row.email, tuple(reasons)))
        elif row.email not in existing:
            new.append(row)
        elif changes := _changes(row, existing[row.email]):
            updated.append(Updated(row, changes))
        else:
            unchanged.append(row)
    return ImportPreview(tuple(new), tuple(updated), tuple(unchanged), tuple(bad), tuple(columns))


def _changes(row: ImportRow, person: ExistingPerson) -> tuple[Change, ...]:
    changes = []
    if row.name != person.name:
        changes.append(Change("name", person.name, row.name))
    if row.unit is not None and row.unit.casefold() != person.unit.casefold():
        changes.append(Change("unit", person.unit, row.unit))
    if row.level is not None and row.level != person.level:
        changes.append(Change("level", person.level, row.level))
    if row.manager_email is not None and row.manager_email != person.manager_email:
        changes.append(Change("manager", person.manager_email, row.manager_email))
    if not person.is_active:
        changes.append(Change("status", "inactive", "active"))
    return tuple(changes)


def row_problems(
    rows: Sequence[ImportRow], existing: Mapping[str, ExistingPerson], *, org_name: str
) -> dict[int, list[str]]:
    """Every reason each row is bad, keyed by the row's position in ``rows``.

    Reasons: missing or bad name/email, too long, duplicate email in the file, a person managing
    themself, an unknown manager (not in the file nor already in the organization), a bad manager
    email, and a manager loop of any length (through people of the file and of the organization).
    """
    problems: dict[int, list[str]] = {}
    first: dict[str, ImportRow] = {}  # each email's first row in the file
    for position, row in enumerate(rows):
        reasons = _field_problems(row)
        if row.email and _is_email(row.email):
            if row.email in first:
                reasons.append(
                    f"duplicate email: {row.email} is also on row {first[row.email].row}"
                )
            else:
                first[row.email] = row
        if reasons:
            problems[position] = reasons
    for position, row in enumerate(rows):
        manager = row.manager_email
        known = manager in first or manager in existing
        if manager and manager != row.email and not known and _is_email(manager):
            problems.setdefault(position, []).append(
                f"unknown manager {manager}: not in the file nor already in {org_name}"
            )
    loops = _manager_loops(first, existing)
    for position, row in enumerate(rows):
        if first.get(row.email) is row and row.email in loops:
            problems.setdefault(position, []).append(f"manager loop: {loops[row.email]}")
    return problems


def _field_problems(row: ImportRow) -> list[str]:
    reasons = []
    if not row.name:
        reasons.append("missing name")
    elif len(row.name) > 200:
        reasons.append("name longer than 200 characters")
    if not row.email:
        reasons.append("missing email")
    elif len(row.email) > 254 or not _is_email(row.email):
        reasons.append(f"bad email “{row.email}”")
    if row.unit and len(row.unit) > 200:
        reasons.append("unit longer than 200 characters")
    if row.level and len(row.level) > 100:
        reasons.append("level longer than 100 characters")
    if row.manager_email:
        if row.manager_email == row.email:
            reasons.append("a person cannot be their own manager")
        elif not _is_email(row.manager_email):
            reasons.append(f"bad manager email “{row.manager_email}”")
    return reasons


def _manager_loops(
    first: Mapping[str, ImportRow], existing: Mapping[str, ExistingPerson]
) -> dict[str, str]:
    """Emails of the file's people who are in a manager loop, each with the loop written out.

    The chart is the organization's as it will be after the import: the file's managers where
    it gives them, the current ones elsewhere. Each walk up the chart marks what it visits, so
    the whole check is linear in the number of people.
    """
    manager_of = {email: person.manager_email for email, person in existing.items()}
    for email, row in first.items():
        if row.manager_email is not None:
            manager_of[email] = row.manager_email if row.manager_email != email else ""
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    loops: dict[str, str] = {}
    for start in first:
        path: list[str] = []
        node = start
        while node and node not in state:
            state[node] = 1
            path.append(node)
            node = manager_of.get(node, "")
        if node and state.get(node) == 1:
            cycle = path[path.index(node) :]
            for i, email in enumerate(cycle):
                loops[email] = _loop_text(cycle, i)
        for email in path:
            state[email] = 2
    return loops


def _loop_text(cycle: list[str], start: int) -> str:
    """The loop as seen from one of its people: ``a → b → a``, long loops shortened."""
    size = len(cycle)
    if size <= 6:
        return " → ".join([*cycle[start:], *cycle[:start], cycle[start]])
    return " → ".join([*(cycle[(start + k) % size] for k in range(5)), "…", cycle[start]])


@functools.lru_cache(maxsize=65536)
def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True
