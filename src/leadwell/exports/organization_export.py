"""Write a whole organization to an archive (``leadwell org-export``); see
:mod:`leadwell.exports.organization` for what is in it."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from leadwell import __version__
from leadwell.exports.organization import DERIVED, FORMAT, MANIFEST, Table, export_plan
from leadwell.orgs.models import Organization

__all__ = ["ExportSummary", "organization_export"]

Progress = Callable[[int, int], None]  # (rows written, rows in all)

_CHUNK = 2_000  # rows fetched per round trip and written per ZIP write
# Characters that str.splitlines() (and other readers) take for line ends, left raw by
# json.dumps(ensure_ascii=False); escaped, so one row is one line for any reader. They can only
# occur inside JSON strings, where the escape means the same character.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


@dataclass(frozen=True)
class ExportSummary:
    slug: str
    tables: dict[str, int]  # label -> rows written

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def organization_export(
    org: Organization, out: BinaryIO, *, progress: Progress | None = None
) -> ExportSummary:
    """Write ``org`` with everything it owns and the users it refers to as a ZIP to ``out``.

    Every table is read in one transaction, so the archive is one consistent moment even while
    people keep working (PostgreSQL: a repeatable-read snapshot that blocks nobody; SQLite:
    writers wait until the export is done). Rows are streamed in primary-key order, never a
    whole table in memory; submitted responses thereby come in the order of their random ids,
    not of their submission.
    """
    plan = export_plan()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every read (read committed, the default, gives each query its
            # own); only the outermost transaction can ask, before its first query.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        querysets = {t.label: _rows(t, org) for t in plan}
        total = sum(q.count() for q in querysets.values())
        written: dict[str, int] = {}
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in plan:
                before = sum(written.values())

                def report(n: int, before: int = before) -> None:
                    if progress is not None:
                        progress(before + n, total)

                written[table.label] = _write_table(archive, table, querysets[table.label], report)
            archive.writestr(MANIFEST, json.dumps(_manifest(org, plan, written), indent=2))
    return ExportSummary(slug=org.slug, tables=written)


def _rows(table: Table, org: Organization) -> QuerySet[Any]:
    model = table.model
    if table.org_path:
        rows = model._default_manager.filter(**{table.org_path: org.pk})
    else:
        rows = model._default_manager.filter(_users_of(org))
    return rows.order_by("pk")


def _users_of(org: Organization) -> Q:
    """Users any exported row points to: roles, linked people, coaches, authors, viewers …"""
    from django.contrib.auth import get_user_model

    user_label = get_user_model()._meta.label_lower
    found = Q(pk__in=[])
    for table in export_plan():
        for column, target in table.references.items():
            if target == user_label:
                owned = table.model._default_manager.filter(**{table.org_path: org.pk})
                found |= Q(pk__in=owned.exclude(**{column: None}).values(column))
    return found


def _write_table(
    archive: zipfile.ZipFile,
    table: Table,
    rows: QuerySet[Any],
    progress: Callable[[int], None],
) -> int:
    attnames = [f.attname for f in table.fields]
    count = 0
    member = zipfile.ZipInfo(table.file, date_time=time.localtime()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(member, "w", force_zip64=True) as handle:
        for chunk in _chunks(rows.values_list(*attnames).iterator(chunk_size=_CHUNK)):
            lines = (
                json.dumps([_encode(v) for v in row], ensure_ascii=False, allow_nan=False)
                for row in chunk
            )
            text = "\n".join(lines).translate(_LINE_BREAKS)
            handle.write((text + "\n").encode("utf-8"))
            count += len(chunk)
            progress(count)
    return count


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _manifest(
    org: Organization, plan: tuple[Table, ...], written: dict[str, int]
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "leadwell_version": __version__,
        "exported_at": timezone.now().isoformat(),
        "organization": {"name": org.name, "slug": org.slug},
        "tables": [
            {
                "label": t.label,
                "file": t.file,
                "rows": written[t.label],
                "columns": list(t.columns),
                "references": t.references,
            }
            for t in plan
        ],
        "not_exported": sorted(DERIVED),
    }


def _encode(value: Any) -> Any:
    """A database value as JSON: bytes as base64, times as ISO 8601 (with their offset),
    UUIDs and decimals as text; everything else as it is."""
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value
