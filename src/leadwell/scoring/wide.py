"""The wide CSV/XLSX exchange format: read a file, check every cell, build :class:`Responses`.

One row per response: ``assessment``, ``group``, optional ``rater``, one column per item id
(1-5, blank = not observed), optional ``seconds`` and the open questions' columns. Every problem
is reported with the row (as a spreadsheet shows it: the header is row 1) and the column.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from leadwell.instrument.model import Instrument
from leadwell.scoring.responses import Responses
from leadwell.scoring.settings import GROUPS

__all__ = ["WideFormatError", "read_wide", "responses_from_frame"]

_EXCEL = {".xlsx", ".xlsm"}
_CHUNK_ROWS = 200_000


class WideFormatError(ValueError):
    """A file or frame that is not valid wide format; the message names row and column."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        where = ", ".join(
            part
            for part in (
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column is not None else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.row = row
        self.column = column


def read_wide(
    path: str | Path, *, progress: Callable[[int, int], None] | None = None
) -> pd.DataFrame:
    """Read a wide-format CSV (UTF-8, with or without BOM, comma or semicolon) or XLSX file.

    Parameters
    ----------
    path : str or Path
    progress : callable, optional
        Called as ``progress(bytes_read, bytes_total)`` while a CSV is read.

    Returns
    -------
    DataFrame
        Raw cells; :func:`responses_from_frame` checks them.
    """
    path = Path(path)
    if path.is_dir():
        raise WideFormatError(f"{path} is a folder: give the path of a .csv or .xlsx file")
    if not path.is_file():
        raise WideFormatError(f"no such file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise WideFormatError(
            f"{path.name} is empty: expected a header row and one row per response"
        )
    if path.suffix.lower() in _EXCEL:
        return _read_excel(path)
    with path.open("rb") as raw:
        head = raw.read(65536)
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    header = _header(head, encoding, path.name)
    delimiter = ";" if header.count(";") > header.count(",") else ","
    columns = next(csv.reader([header], delimiter=delimiter))
    _check_header(columns)
    with path.open("rb") as raw:
        counted = _Counting(raw, size, progress)
        text = io.TextIOWrapper(io.BufferedReader(counted), encoding=encoding, newline="")
        try:
            chunks = pd.read_csv(
                text,
                sep=delimiter,
                dtype={"assessment": str, "rater": str, "group": str},
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                chunksize=_CHUNK_ROWS,
                low_memory=False,
            )
            frame = pd.concat(list(chunks), ignore_index=True)
        except UnicodeDecodeError as error:
            raise WideFormatError(
                f"{path.name} is not UTF-8 text (byte {error.object[error.start]:#04x}); "
                "save it as 'CSV UTF-8' and try again"
            ) from None
        except (pd.errors.ParserError, ValueError) as error:
            raise WideFormatError(f"{path.name} could not be read as CSV: {error}") from None
    return _without_trailing_empty_rows(frame, path.name)


def _without_trailing_empty_rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Drop empty rows at the end; empty rows in between stay so row numbers stay right."""
    filled = frame.notna().to_numpy().any(axis=1)
    if not filled.any():
        raise WideFormatError(f"{name} has a header but no responses")
    return frame.iloc[: len(filled) - int(np.argmax(filled[::-1]))]


def _header(head: bytes, encoding: str, name: str) -> str:
    try:  # incremental: the head may end inside a character that the next chunk completes
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError as error:
        line = head[: error.start].count(b"\n") + 1
        raise WideFormatError(
            f"{name} is not UTF-8 text (byte {head[error.start]:#04x} on line {line}); "
            "save it as 'CSV UTF-8' and try again"
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise WideFormatError(f"{name} has no header row: the first line is blank")
    return first


def _check_header(columns: list[str]) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(columns, start=1):
        name = name.strip()
        if not name:
            raise WideFormatError(f"the header's column {position} has no name", row=1)
        if name in seen:
            raise WideFormatError(
                f"appears twice in the header (columns {seen[name]} and {position})",
                row=1,
                column=name,
            )
        seen[name] = position


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        header = _excel_header(path)
        if not header:
            raise WideFormatError(f"{path.name} is empty: its first sheet has no header row")
        _check_header(header)
        frame = pd.read_excel(path, engine="openpyxl", dtype={"assessment": str, "rater": str})
    except WideFormatError:
        raise
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise WideFormatError(
            f"{path.name} could not be read as an Excel workbook: {error}"
        ) from None
    return _without_trailing_empty_rows(frame, path.name)


def _excel_header(path: Path) -> list[str]:
    """The first row of the first sheet as written (pandas renames a repeated name to 'x.1')."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        cells = list(next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ()))
    finally:
        book.close()
    while cells and cells[-1] is None:
        cells.pop()
    return ["" if cell is None else str(cell) for cell in cells]


class _Counting(io.RawIOBase):
    """A binary reader that reports how far it has read."""

    def __init__(self, raw: IO[bytes], total: int, progress: Callable[[int, int], None] | None):
        self._raw, self._total, self._progress, self._done = raw, total, progress, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._done += count or 0
        if self._progress is not None:
            self._progress(self._done, self._total)
        return int(count or 0)


def responses_from_frame(frame: pd.DataFrame, instrument: Instrument) -> Responses:
    """Check a wide-format frame cell by cell and turn it into :class:`Responses`.

    Raises
    ------
    WideFormatError
        For the first problem found (unknown or missing column, unknown group, a value outside
        1-5 or not a whole number, a self rating of an outcome item, a blank assessment, a
        duplicate rater), naming its row and column, with a count of further problems.
    """
    _check_header([str(c) for c in frame.columns])  # " group" and "group" would be one column
    frame = frame.rename(columns=lambda c: str(c).strip())
    _check_columns(frame, instrument)
    if frame.empty:
        raise WideFormatError("there are no responses (only a header)")
    codes, ids = _labels(frame["assessment"])
    blank = codes < 0
    if blank.any():
        raise _problem(
            blank, "assessment", "the assessment is blank (fill it in, or delete an empty row)"
        )
    group = _groups(frame)
    # Filled item by item into contiguous rows, then turned once into one row per response:
    # writing a column of a row-major array would touch every row once per item.
    by_item = np.empty((len(instrument.items), len(frame)), dtype=np.uint8)
    for j, item_id in enumerate(instrument.item_ids):
        by_item[j] = _answers(frame[item_id], item_id)
    answers = np.ascontiguousarray(by_item.T)
    outcomes = [instrument.item_index[i] for i in instrument.outcome_ids]
    if outcomes:
        self_outcome = (group == GROUPS.index("self"))[:, None] & (answers[:, outcomes] > 0)
        if self_outcome.any():
            row, col = np.argwhere(self_outcome)[0]
            raise WideFormatError(
                "outcome items are answered by others only; leave them blank on the self row",
                row=int(row) + 2,
                column=instrument.outcome_ids[col],
            )
    _check_duplicates(frame, codes, group)
    return Responses(
        assessment_ids=ids,
        assessment=codes.astype(np.int32),
        group=group,
        answers=answers,
        comments={
            q: frame[q].to_numpy(dtype=object) for q in instrument.question_ids if q in frame
        },
        seconds=_seconds(frame) if "seconds" in frame else None,
    )


def _check_columns(frame: pd.DataFrame, instrument: Instrument) -> None:
    known = {
        "assessment",
        "group",
        "rater",
        "seconds",
        *instrument.item_ids,
        *instrument.question_ids,
    }
    for position, name in enumerate(frame.columns, start=1):
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise WideFormatError(
                f"unknown column (header column {position}); {hint}expected assessment, group, "
                f"rater, the item ids of instrument {instrument.version}, seconds or "
                + ", ".join(instrument.question_ids),
                row=1,
                column=name,
            )
    missing = [n for n in ("assessment", "group", *instrument.item_ids) if n not in frame.columns]
    if missing:
        more = f" ({len(missing) - 1} more columns are missing)" if len(missing) > 1 else ""
        raise WideFormatError(
            f"the header has no such column; instrument {instrument.version} needs it{more}",
            row=1,
            column=missing[0],
        )


def _labels(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the sorted distinct labels of a text column (surrounding spaces ignored).

    Blank cells get code -1. Only the distinct values are cleaned, never every cell.
    """
    raw_codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cleaned = pd.Index(uniques).astype(str).str.strip()
    merged, labels = pd.factorize(cleaned, sort=True)
    lookup = np.append(merged, -1)  # the NaN sentinel -1 picks the last entry
    labels = np.asarray(labels, dtype=object)
    if len(labels) and labels[0] == "":  # blank sorts first
        lookup -= 1
        lookup[-1] = -1
        labels = labels[1:]
    return lookup[raw_codes], labels


def _groups(frame: pd.DataFrame) -> np.ndarray:
    raw_codes, uniques = pd.factorize(frame["group"], use_na_sentinel=True)
    names = pd.Index(uniques).astype(str).str.strip().str.lower()
    lookup = np.array([GROUPS.index(n) if n in GROUPS else -1 for n in names] + [-1])
    codes = lookup[raw_codes]
    unknown = codes < 0
    if unknown.any():
        cell = frame["group"].to_numpy(dtype=object)[np.argmax(unknown)]
        value = "" if pd.isna(cell) else str(cell).strip()
        raise _problem(
            unknown, "group", f"unknown group {value!r}; use one of " + ", ".join(GROUPS)
        )
    return codes.astype(np.int8)


def _answers(column: pd.Series, item_id: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = _numbers(column, item_id)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ((values < 1) | (values > 5) | (values != np.round(values)))
    if bad.any():
        cell = values[np.argmax(bad)]
        raise _problem(
            bad, item_id, f"{cell:g} is outside the scale: answers are whole numbers 1-5"
        )
    return np.nan_to_num(values, nan=0.0).astype(np.uint8)


def _numbers(column: pd.Series, name: str) -> np.ndarray:
    """Numbers from a column of text cells; blank cells become NaN, anything else is an error."""
    text = column.fillna("").astype(str).str.strip()
    values = pd.to_numeric(text.replace("", np.nan), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    unreadable = np.isnan(values) & (text != "").to_numpy()
    if unreadable.any():
        cell = text.to_numpy()[np.argmax(unreadable)]
        raise _problem(
            unreadable, name, f"{cell!r} is not an answer: use 1-5, or leave blank for not observed"
        )
    return values


def _seconds(frame: pd.DataFrame) -> np.ndarray:
    values = pd.to_numeric(frame["seconds"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    given = frame["seconds"].notna().to_numpy()
    bad = given & (~np.isfinite(values) | (values < 0))  # "inf" parses as a number
    if bad.any():
        raise _problem(bad, "seconds", "seconds must be a number of seconds, 0 or more")
    return values


def _check_duplicates(frame: pd.DataFrame, assessment: np.ndarray, group: np.ndarray) -> None:
    selfs = pd.Series(assessment[group == GROUPS.index("self")])
    if selfs.duplicated().any():
        rows = np.flatnonzero(group == GROUPS.index("self"))
        raise _problem(
            np.isin(np.arange(len(group)), rows[selfs.duplicated().to_numpy()]),
            "group",
            "a second self rating for this assessment; each leader rates themself once",
        )
    if "rater" in frame:
        # Rater ids are compared exactly as written (no cleaning: there may be a million).
        rater, names = pd.factorize(frame["rater"], use_na_sentinel=True)
        keyed = pd.Series(assessment.astype(np.int64) * (len(names) + 1) + rater)
        duplicate = keyed.duplicated().to_numpy() & (rater >= 0)
        if duplicate.any():
            raise _problem(
                duplicate,
                "rater",
                f"rater {names[rater[np.argmax(duplicate)]]!r} answers this assessment twice",
            )


def _problem(mask: np.ndarray, column: str, message: str) -> WideFormatError:
    count = int(np.count_nonzero(mask))
    more = f" ({count - 1} more rows have this problem)" if count > 1 else ""
    return WideFormatError(message + more, row=int(np.argmax(mask)) + 2, column=column)
