"""Writing wide-format frames as CSV, fast.

The output is byte for byte what ``pandas.DataFrame.to_csv`` writes once the answer columns
are nullable integers; but answer columns (the bulk of the file) are encoded as bytes with
numpy, and pandas only formats the few other columns, in chunks of rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["write_csv"]

_NOT_ANSWERS = frozenset({"assessment", "group", "rater", "seconds"})
_CHUNK = 100_000
_COMMA, _NEWLINE, _ZERO = ord(","), ord("\n"), ord("0")


def _kind(frame: pd.DataFrame, column: str) -> str:
    """``digit`` (answers 0–9 or NaN), ``integer`` (other whole numbers or NaN) or ``other``.

    Whole-number float columns other than ``seconds`` are written as integers.
    """
    if column in _NOT_ANSWERS or frame[column].dtype.kind != "f":
        return "other"
    values = frame[column].to_numpy()
    known = values[~np.isnan(values)]
    if not np.array_equal(known, np.round(known)):
        return "other"
    return "digit" if np.all((known >= 0) & (known <= 9)) else "integer"


def _runs(flags: list[bool]) -> list[tuple[bool, int, int]]:
    """Maximal runs of equal flags as (flag, start, stop)."""
    runs: list[tuple[bool, int, int]] = []
    for position, flag in enumerate(flags):
        if runs and runs[-1][0] == flag:
            runs[-1] = (flag, runs[-1][1], position + 1)
        else:
            runs.append((flag, position, position + 1))
    return runs


def _answer_lines(block: npt.NDArray[np.float64]) -> list[str]:
    """One digit per answer, nothing for NaN, comma-separated: one string per row."""
    rows, width = block.shape
    digits = np.nan_to_num(block, nan=0.0).astype(np.uint8)
    raw = np.full((rows, 2 * width), _COMMA, dtype=np.uint8)
    raw[:, 0::2] = digits + _ZERO
    raw[:, -1] = _NEWLINE
    keep = np.ones(raw.shape, dtype=bool)
    keep[:, 0::2] = ~np.isnan(block)
    return raw[keep].tobytes().decode("ascii").split("\n")[:-1]


def _other_lines(part: pd.DataFrame) -> list[str] | None:
    """pandas' own formatting of ``part``; None when a field holds a line break."""
    lines = part.to_csv(index=False, header=False, lineterminator="\n").split("\n")[:-1]
    return lines if len(lines) == len(part) else None


def _chunk_text(chunk: pd.DataFrame, runs: list[tuple[bool, int, int]]) -> str | None:
    joined: npt.NDArray[np.object_] | None = None
    for digits, start, stop in runs:
        part = chunk.iloc[:, start:stop]
        lines = _answer_lines(part.to_numpy(np.float64)) if digits else _other_lines(part)
        if lines is None:
            return None
        column = np.array(lines, dtype=object)
        joined = column if joined is None else joined + "," + column
    return "" if joined is None else "\n".join(joined.tolist()) + "\n"


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a wide-format frame as CSV: UTF-8, comma, no index, blank for not observed.

    Whole-number float columns other than ``seconds`` (the answers) are written as integers,
    so an answer reads ``4``, never ``4.0``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Usually :attr:`Simulation.responses`.
    path : str or pathlib.Path
        Where to write; an existing file is replaced.

    Notes
    -----
    The bytes equal ``frame.to_csv(path, index=False, lineterminator="\\n")`` after casting
    those columns to ``Int64``; answers 0–9 are encoded with numpy, which is several times
    faster than pandas' formatter.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if not frame.columns.is_unique:
        raise ValueError("frame has duplicate column names; a wide CSV needs unique columns")
    kinds = [_kind(frame, str(column)) for column in frame.columns]
    out = frame.copy(deep=False)
    for column, kind in zip(frame.columns, kinds, strict=True):
        if kind == "integer":
            out[column] = frame[column].astype("Int64")
    runs = _runs([kind == "digit" for kind in kinds])
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        handle.write(out.iloc[:0].to_csv(index=False, lineterminator="\n"))
        for start in range(0, len(out), _CHUNK):
            text = _chunk_text(out.iloc[start : start + _CHUNK], runs)
            if text is None:
                break
            handle.write(text)
        else:
            return
    # a field holds a line break, which pandas quotes across lines: let pandas write it all
    for column, kind in zip(frame.columns, kinds, strict=True):
        if kind == "digit":
            out[column] = frame[column].astype("Int64")
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
