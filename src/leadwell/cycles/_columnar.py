"""A cycle's responses read from PostgreSQL as a few large byte strings, parsed by numpy.

Private to :mod:`leadwell.cycles.answers` (with a plain SQLite read at the end). Building a
Python tuple per response costs microseconds, and even COPY hands Python one message per row;
a cycle of a million responses is seconds of that. Here the server packs each column of a
slice of the cycle into one ``bytea`` (``string_agg`` of the fixed-width binary form of each
value: ``int8send``, ``int2send``, ``float8send``), so the whole cycle arrives as a handful of
values that ``numpy.frombuffer`` reads as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from leadwell.scoring import GROUPS

__all__ = ["columnar_rows"]

_CODES = " ".join(f"WHEN '{group}' THEN {code}" for code, group in enumerate(GROUPS))
# Assessments per query: keeps each packed column far below PostgreSQL's 1 GB value limit.
_SLICE = 50_000
# One scan of the rows feeds the four aggregates, so their values line up row by row.
_QUERY = f"""
SELECT string_agg(int8send(assessment_id), ''::bytea),
       string_agg(int2send(code), ''::bytea),
       string_agg(answers, ''::bytea),
       string_agg(float8send(seconds), ''::bytea),
       count(*),
       coalesce(bool_and(length(answers) = %s AND code >= 0), true)
FROM (
  SELECT r.assessment_id, (CASE r."group" {_CODES} ELSE -1 END)::smallint AS code, r.answers,
         coalesce(r.seconds, 'NaN'::float8) AS seconds
  FROM cycles_response r JOIN cycles_assessment a ON a.id = r.assessment_id
  WHERE r.organization_id = %s AND a.cycle_id = %s AND {{where}}
) s
"""


def columnar_rows(
    cursor: Any, organization_id: int, cycle_id: int, width: int, assessments: Sequence[int] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(assessment ids, group codes, answers, seconds) of a cycle's responses.

    Rows come in the order they are stored: call this only for a closed cycle, whose rows
    :func:`leadwell.survey.services.response_shuffle` rewrote in a random order. ``cursor`` is
    a Django cursor on PostgreSQL. Returns None when a stored answer vector does not have
    ``width`` bytes (the caller's row-by-row path then reports which cycle).
    """
    base = [width, organization_id, cycle_id]
    if assessments is not None:
        queries = [(_QUERY.format(where="r.assessment_id = ANY(%s)"), [*base, list(assessments)])]
    else:
        cursor.execute(
            "SELECT id FROM cycles_assessment WHERE organization_id = %s AND cycle_id = %s "
            "ORDER BY id",
            [organization_id, cycle_id],
        )
        ids = [row[0] for row in cursor.fetchall()]
        between = _QUERY.format(where="r.assessment_id BETWEEN %s AND %s")
        queries = [
            (between, [*base, ids[i], ids[min(i + _SLICE, len(ids)) - 1]])
            for i in range(0, len(ids), _SLICE)
        ]
    parts: list[list[bytes]] = []
    for query, params in queries:
        cursor.execute(query, params)
        packed = cursor.fetchone()
        if not packed[5]:
            return None
        if packed[4]:
            parts.append([bytes(column) for column in packed[:4]])
    joined = [b"".join(part[c] for part in parts) for c in range(4)]
    return (
        np.frombuffer(joined[0], dtype=">i8").astype(np.int64),
        np.frombuffer(joined[1], dtype=">i2").astype(np.int8),
        np.frombuffer(joined[2], dtype=np.uint8).reshape(-1, width),
        np.frombuffer(joined[3], dtype=">f8").astype(np.float64),
    )


_SQLITE_QUERY = """
SELECT r.assessment_id, r."group", r.answers, r.seconds
FROM cycles_response r JOIN cycles_assessment a ON a.id = r.assessment_id
WHERE r.organization_id = %s AND a.cycle_id = %s
"""


def sqlite_rows(
    cursor: Any, organization_id: int, cycle_id: int, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The same arrays from SQLite, for a whole closed cycle: one plain query in storage order
    (no ids to convert, no sort), without the ORM's per-row work. None on a stored vector of
    the wrong width or an unknown group (the row-by-row path reports it)."""
    cursor.execute(_SQLITE_QUERY, [organization_id, cycle_id])
    rows = cursor.fetchall()
    codes = {group: code for code, group in enumerate(GROUPS)}
    n = len(rows)
    try:
        group = np.fromiter((codes[row[1]] for row in rows), dtype=np.int8, count=n)
    except KeyError:
        return None
    joined = b"".join(row[2] for row in rows)
    if len(joined) != n * width:
        return None
    return (
        np.fromiter((row[0] for row in rows), dtype=np.int64, count=n),
        group,
        np.frombuffer(joined, dtype=np.uint8).reshape(n, width),
        np.fromiter((np.nan if row[3] is None else row[3] for row in rows), np.float64, n),
    )
