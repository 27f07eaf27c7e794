"""Reading exports back: a ZIP of CSVs, a workbook, a JSON document, as lists of rows."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl

from leadwell.exports.writers import stream_cycle


def export_bytes(cycle, fmt: str, **options) -> bytes:
    return b"".join(stream_cycle(cycle, fmt=fmt, **options))


def csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    """Each CSV in the ZIP as rows of text cells, the header first."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {
        name.removesuffix(".csv"): list(csv.reader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
    }


def xlsx_sheets(data: bytes) -> dict[str, list[tuple]]:
    """Each sheet of the workbook as rows of cell values (None where empty), header first."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def json_tables(data: bytes) -> dict:
    return json.loads(data)


def records(rows: list[list[str]]) -> list[dict[str, str]]:
    """CSV rows (header first) as dicts."""
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]
