"""A cycle's results as CSV, a ZIP of CSVs, XLSX or JSON, written as a stream of bytes.

:func:`stream_cycle` is the one entry point (pages, background tasks and the API call it): it
checks the request at once, raising :class:`ExportError`, and returns an iterator of bytes
that reads, scores and writes a chunk of assessments at a time, so neither the cycle nor the
file is ever held in memory. A view hands the iterator to ``StreamingHttpResponse``; a task
writes it to a file.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, Literal

from django.utils import timezone

from leadwell.cycles.answers import cycle_instrument
from leadwell.cycles.models import Cycle
from leadwell.exports.streaming import BLOCK, DANGEROUS, spreadsheet_safe, zip_stream
from leadwell.exports.tables import ExportError, Table, check_request, cycle_tables
from leadwell.exports.xlsx import iter_xlsx
from leadwell.reports.selectors import scoring_settings

__all__ = [
    "FORMATS",
    "JSON_FORMAT",
    "ExportError",
    "content_type",
    "export_filename",
    "iter_csv",
    "iter_json",
    "iter_zip",
    "stream_cycle",
    "write_csv",
]

Format = Literal["csv", "xlsx", "json"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "json")
JSON_FORMAT = "leadwell-results/1"
_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_JSON_ROWS = 1000  # rows encoded per json.dumps call
_CSV_ROWS = 1000  # rows per writerows call
_DANGEROUS = "".join(DANGEROUS)  # one character each: `in` on a str is the fastest test


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}: choose csv, xlsx or json.")


def _extension(fmt: str, tables: Sequence[str] | None) -> str:
    """CSV of exactly one table is a plain CSV file; more tables make a ZIP of CSVs."""
    return "zip" if fmt == "csv" and (tables is None or len(tables) != 1) else fmt


def content_type(fmt: str, tables: Sequence[str] | None = None) -> str:
    """The media type of an export in ``fmt`` of ``tables`` (all tables when None)."""
    _check_format(fmt)
    return _TYPES[_extension(fmt, tables)]


def export_filename(cycle: Cycle, fmt: str, tables: Sequence[str] | None = None) -> str:
    """``leadwell-<cycle>-results.<ext>`` (or ``-<table>.csv`` for one table as CSV)."""
    _check_format(fmt)
    slug = re.sub(r"[^a-z0-9]+", "-", cycle.name.lower()).strip("-")[:60] or f"cycle-{cycle.pk}"
    extension = _extension(fmt, tables)
    what = tables[0] if extension == "csv" and tables else "results"
    return f"leadwell-{slug}-{what}.{extension}"


def stream_cycle(
    cycle: Cycle,
    *,
    fmt: Literal["csv", "xlsx", "json"],
    tables: Sequence[str] | None = None,
    raw: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[bytes]:
    """The results of ``cycle`` in ``fmt``, as pieces of bytes.

    Parameters
    ----------
    cycle : Cycle
        A closed or released cycle.
    fmt : {"csv", "xlsx", "json"}
        CSV of one table is that table; CSV of several is a ZIP with one CSV each and
        ``readme.csv``. XLSX has a "readme" sheet first, then a sheet per table. JSON is one
        document ``{"format", "cycle", "tables": {name: [row objects]}}``.
    tables : sequence of str, optional
        Names from :data:`~leadwell.exports.tables.TABLE_NAMES`; every table but the raw
        responses when omitted (and those too with ``raw``).
    raw : bool
        Whether the raw responses may be included (org admins only; see docs/exports.md).
    progress : callable, optional
        ``progress(done, total)`` in assessments read, summed over the tables.

    Raises
    ------
    ExportError
        Right away: the cycle is not closed or released, an unknown format or table, or raw
        responses asked for without ``raw``.
    """
    _check_format(fmt)
    names = check_request(cycle, tables, raw)
    now = timezone.now()
    made = cycle_tables(cycle, tables=names, raw=raw, exported_at=now, progress=progress)
    if fmt == "xlsx":
        return iter_xlsx(made)
    if fmt == "json":
        return iter_json(made, header=_header(cycle, now))
    if tables is not None and len(tables) == 1:
        return iter_csv(made[1])  # made[0] is the readme
    return iter_zip(made)


def _header(cycle: Cycle, now: Any) -> dict[str, Any]:
    settings = scoring_settings(cycle)
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "status": cycle.status,
        "instrument": cycle_instrument(cycle).version,
        "settings": {"k": settings.k, "cut": settings.cut, "gap": settings.gap},
        "exported_at": now.isoformat(timespec="seconds"),
    }


def _safe_rows(table: Table) -> Iterator[Sequence[Any]]:
    """The table's rows with every text cell made formula-safe (numbers stay numbers)."""
    texts = [j for j, c in enumerate(table.columns) if c.kind == "text"]
    for row in table.rows():
        for j in texts:
            value = row[j]
            # Text columns hold text or None; a plain loop, as this runs for every cell.
            if value and value[0] in _DANGEROUS:
                row = [spreadsheet_safe(v) if i in texts and v else v for i, v in enumerate(row)]
                break
        yield row


def iter_csv(table: Table) -> Iterator[bytes]:
    """One table as UTF-8 CSV (RFC 4180, header first), in pieces of about 64 KiB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    rows = _safe_rows(table)
    while batch := list(itertools.islice(rows, _CSV_ROWS)):
        writer.writerows(batch)
        if buffer.tell() >= BLOCK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_csv(table: Table, out: IO[bytes]) -> int:
    """Write one table as CSV to ``out``; the bytes written."""
    size = 0
    for piece in iter_csv(table):
        size += out.write(piece)
    return size


def iter_zip(tables: Iterable[Table]) -> Iterator[bytes]:
    """Tables as ``<name>.csv`` files in one ZIP archive, streamed."""
    return zip_stream((f"{table.name}.csv", iter_csv(table)) for table in tables)


def iter_json(tables: Sequence[Table], *, header: dict[str, Any]) -> Iterator[bytes]:
    """``{"format", "cycle", "tables": {name: [row, …]}}`` written row by row; a row is an
    object keyed by column name, null where the CSV is blank. Texts are kept as written."""
    start = f'{{"format": {json.dumps(JSON_FORMAT)}, "cycle": {json.dumps(header)}, "tables": {{'
    yield start.encode()
    for position, table in enumerate(tables):
        comma = ", " if position else ""
        yield f"{comma}{json.dumps(table.name)}: [".encode()
        names = table.header
        batch: list[dict[str, Any]] = []
        first = True
        for row in table.rows():
            batch.append(dict(zip(names, row, strict=True)))
            if len(batch) >= _JSON_ROWS:
                yield _json_rows(batch, first)
                first = False
                batch.clear()
        if batch:
            yield _json_rows(batch, first)
        yield b"]"
    yield b"}}\n"


def _json_rows(batch: list[dict[str, Any]], first: bool) -> bytes:
    text = json.dumps(batch, ensure_ascii=False, allow_nan=False)[1:-1]
    return ((",\n" if not first else "\n") + text).encode()
