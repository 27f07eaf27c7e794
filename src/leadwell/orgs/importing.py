"""Reading a people file (CSV or XLSX), and keeping it between the preview and the confirmation.

:func:`read_people_file` turns the uploaded bytes into :class:`ImportRow` objects; the checks
and the preview (what would change, which rows are bad and why) are in ``import_preview`` and
re-exported here, so ``from leadwell.orgs.importing import preview_import`` works.
Nothing here touches the database; ``services.people_import`` writes.

A column the file does not have is left alone: a file without a ``level`` column keeps everyone's
level; a ``level`` column with an empty cell clears that person's level. In an :class:`ImportRow`
``None`` means "no such column" and ``""`` means "empty cell".
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from leadwell.orgs.import_preview import (
    COLUMNS,
    BadRow,
    Change,
    ExistingPerson,
    ImportPreview,
    ImportRow,
    Updated,
    preview_import,
    row_problems,
)

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "BadRow",
    "Change",
    "ExistingPerson",
    "ImportFileError",
    "ImportPreview",
    "ImportRow",
    "PeopleFile",
    "Updated",
    "pack_people_file",
    "preview_import",
    "read_people_file",
    "row_problems",
    "unpack_people_file",
]

REQUIRED = ("name", "email")
MAX_ROWS = 50_000
_HEADERS = {
    "name": "name",
    "full name": "name",
    "email": "email",
    "e mail": "email",
    "email address": "email",
    "unit": "unit",
    "level": "level",
    "manager email": "manager_email",
    "manager e mail": "manager_email",
    "manager": "manager_email",
}


class ImportFileError(ValueError):
    """The file cannot be read as a people file at all (as opposed to a few bad rows)."""


@dataclass(frozen=True)
class PeopleFile:
    """The rows of a file, the columns it has, and the header cells leadwell did not use."""

    rows: tuple[ImportRow, ...]
    columns: tuple[str, ...]
    ignored: tuple[str, ...] = ()


# -- reading -----------------------------------------------------------------------------------


def read_people_file(data: bytes, filename: str = "") -> PeopleFile:
    """Parse an uploaded CSV (UTF-8, with or without BOM; comma or semicolon) or XLSX file.

    Raises ImportFileError with a message the admin can act on when the file is not one of
    those, has no name/email header, or has no people in it.
    """
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        records: Iterable[tuple[int, list[str]]] = _xlsx_records(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or filename.lower().endswith(".xls"):
        raise ImportFileError("Old Excel files (.xls) are not supported: save as .xlsx or CSV.")
    else:
        records = _csv_records(data)
    return _rows(iter(records))


def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The file is not UTF-8 text (nor an XLSX workbook). In Excel choose "
            "“Save as… CSV UTF-8”, or upload the .xlsx file itself."
        ) from error
    header = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header.count)
    try:
        for number, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1
        ):
            yield number, [cell.strip() for cell in cells]
    except csv.Error as error:
        raise ImportFileError(f"The CSV file cannot be read: {error}.") from error


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any failure means "not a workbook we can read"
        raise ImportFileError("The file looks like a workbook but cannot be opened.") from error
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
            yield number, [_cell_text(value) for value in values]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _header(cells: list[str]) -> tuple[dict[str, int], tuple[str, ...]]:
    index: dict[str, int] = {}
    ignored: list[str] = []
    for position, cell in enumerate(cells):
        key = " ".join(cell.lower().replace("_", " ").replace("-", " ").split())
        column = _HEADERS.get(key)
        if column is None:
            if cell:
                ignored.append(cell)
        elif column in index:
            raise ImportFileError(f"The header has the column “{column}” twice.")
        else:
            index[column] = position
    missing = [column for column in REQUIRED if column not in index]
    if missing:
        found = ", ".join(cell for cell in cells if cell) or "nothing"
        raise ImportFileError(
            f"Row 1 must be a header with at least the columns name and email "
            f"(missing: {', '.join(missing)}; found: {found})."
        )
    return index, tuple(ignored)


def _rows(records: Iterator[tuple[int, list[str]]]) -> PeopleFile:
    first = next(records, None)
    if first is None:
        raise ImportFileError("The file is empty.")
    index, ignored = _header(first[1])
    rows: list[ImportRow] = []
    for number, cells in records:
        if not any(cells):
            continue  # spreadsheets often end with empty rows
        if len(rows) == MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} people: split it.")

        def cell(column: str, cells: list[str] = cells) -> str | None:
            position = index.get(column)
            if position is None:
                return None
            return cells[position] if position < len(cells) else ""

        rows.append(
            ImportRow(
                row=number,
                name=cell("name") or "",
                email=(cell("email") or "").lower(),
                unit=cell("unit"),
                level=cell("level"),
                manager_email=_lower(cell("manager_email")),
            )
        )
    if not rows:
        raise ImportFileError("The file has a header but no people under it.")
    return PeopleFile(tuple(rows), tuple(c for c in COLUMNS if c in index), ignored)


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


# -- keeping a parsed file between the preview and the confirmation -----------------------------


def pack_people_file(people: PeopleFile) -> tuple[str, str]:
    """The file as compact text for the session, and its digest (the confirm form carries it)."""
    payload = {
        "columns": people.columns,
        "ignored": people.ignored,
        "rows": [[r.row, r.name, r.email, r.unit, r.level, r.manager_email] for r in people.rows],
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    blob = base64.b64encode(zlib.compress(raw, 6)).decode("ascii")
    return blob, hashlib.sha256(blob.encode("ascii")).hexdigest()


def unpack_people_file(blob: str) -> PeopleFile:
    payload = json.loads(zlib.decompress(base64.b64decode(blob)))
    rows = tuple(ImportRow(*values) for values in payload["rows"])
    return PeopleFile(rows, tuple(payload["columns"]), tuple(payload["ignored"]))
