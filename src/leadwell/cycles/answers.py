"""Answers as bytes, and a cycle's submitted responses as the arrays the scoring engine reads.

Encoding (ARCHITECTURE.md, "Data"): one byte per item in the instrument's canonical item order
(:attr:`Instrument.item_ids`), 1-5 for an answer and 0 for "not observed" (or no answer). A
59-item response is 59 bytes; a cycle of responses is one ``numpy.frombuffer`` away from the
``(responses, items)`` uint8 matrix of :class:`leadwell.scoring.Responses`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from leadwell.instrument import Instrument, load_instrument
from leadwell.scoring import GROUPS, Responses

__all__ = ["cycle_instrument", "cycle_responses", "decode_answers", "encode_answers"]

_GROUP_CODES = {group: code for code, group in enumerate(GROUPS)}


@cache
def _instrument(version: str) -> Instrument:
    # Released versions are immutable (the loader refuses a changed file), so one parse per
    # process is enough; the survey renders a page per request and must not re-read TOML.
    return load_instrument(version)


def cycle_instrument(cycle: Any) -> Instrument:
    """The instrument version a cycle was created with (parsed once per process)."""
    return _instrument(str(cycle.instrument_version))


def encode_answers(answers: Mapping[str, int | None], instrument: Instrument) -> bytes:
    """One byte per item of ``instrument`` in its item order; absent, None and 0 become 0.

    Raises
    ------
    ValueError
        An item id the instrument does not have, or a value other than 0-5 / None.
    """
    unknown = sorted(set(answers) - set(instrument.item_index))
    if unknown:
        raise ValueError(
            f"unknown item id(s) {', '.join(unknown)} for instrument version {instrument.version}"
        )
    out = bytearray(len(instrument.item_ids))
    top = instrument.scale_max
    for item_id, value in answers.items():
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | np.integer)
            or not (0 <= value <= top)
        ):
            raise ValueError(
                f"answer to {item_id} must be 1-{top} or 0/None for not observed, got {value!r}"
            )
        out[instrument.item_index[item_id]] = int(value)
    return bytes(out)


def decode_answers(data: bytes | memoryview, instrument: Instrument) -> dict[str, int | None]:
    """Every item id of ``instrument`` with its answer, None where the byte is 0.

    Empty bytes (a draft nobody has written to yet) decode as no answers at all.

    Raises
    ------
    ValueError
        When the length is not the instrument's item count or a byte is above the scale.
    """
    raw = bytes(data)
    if not raw:
        return dict.fromkeys(instrument.item_ids)
    if len(raw) != len(instrument.item_ids):
        raise ValueError(
            f"answers hold {len(raw)} bytes; instrument version {instrument.version} has "
            f"{len(instrument.item_ids)} items"
        )
    if max(raw) > instrument.scale_max:
        raise ValueError(f"an answer byte is above {instrument.scale_max}: {max(raw)}")
    return {
        item_id: (value or None) for item_id, value in zip(instrument.item_ids, raw, strict=True)
    }


def cycle_responses(
    cycle: Any, assessments: Sequence[int] | None = None, *, comments: bool = True
) -> Responses:
    """Every submitted response of ``cycle`` as columnar arrays, in two queries (one binary
    lean read of a closed cycle when no comments are asked for).

    ``assessments`` (primary keys) limits the load to those assessments: anonymity is decided
    per assessment, so scoring one of them alone gives the same figures as scoring the cycle.

    Rows come ordered by the responses' random ids, so nothing downstream sees submission
    order. ``assessment_ids`` are the primary keys of the assessments that have at least one
    response (ascending); assessments nobody answered are absent. ``comments`` has one object
    array per open question (None where a response left it blank); ``seconds`` is NaN where
    unknown. ``comments=False`` skips the comments' query (org insights read no text).
    """
    from leadwell.cycles.models import ResponseComment

    instrument = cycle_instrument(cycle)
    fast = None if comments else _read_columnar(cycle, len(instrument.item_ids), assessments)
    ids, assessment, group, answers, seconds = fast or _read_rows(cycle, instrument, assessments)
    labels, inverse = np.unique(assessment, return_inverse=True)
    return Responses(
        assessment_ids=labels.astype(object),
        assessment=inverse.astype(np.intp),
        group=group,
        answers=answers,
        seconds=seconds,
        comments=_comments(ResponseComment, cycle, ids, instrument, assessments)
        if comments
        else {},
    )


_Columns = tuple[list[Any], np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _read_columnar(cycle: Any, width: int, assessments: Sequence[int] | None) -> _Columns | None:
    """A closed cycle's responses without per-row ORM work (no ids: only without comments).

    Closed cycles only: their rows are stored shuffled (``response_shuffle``), and these reads
    keep storage order. PostgreSQL packs the columns on the server; SQLite reads a whole
    cycle in one plain query (a subset of assessments takes the row-by-row path there).
    """
    from django.db import connection

    from leadwell.cycles._columnar import columnar_rows, sqlite_rows

    if cycle.status not in ("closed", "released"):
        return None
    org = cycle.organization_id
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            found = columnar_rows(cursor, org, cycle.pk, width, assessments)
        elif connection.vendor == "sqlite" and assessments is None:
            found = sqlite_rows(cursor, org, cycle.pk, width)
        else:
            found = None
    return None if found is None else ([], *found)


def _read_rows(cycle: Any, instrument: Instrument, assessments: Sequence[int] | None) -> _Columns:
    from leadwell.cycles.models import Response

    width = len(instrument.item_ids)
    found = Response.objects.filter(organization_id=cycle.organization_id, assessment__cycle=cycle)
    if assessments is not None:
        found = found.filter(assessment_id__in=list(assessments))
    rows = list(
        found.order_by("id").values_list("id", "assessment_id", "group", "answers", "seconds")
    )
    n = len(rows)
    ids, assessment, groups, blobs, seconds = zip(*rows, strict=True) if rows else ((),) * 5
    joined = b"".join(blobs)
    if len(joined) != n * width:
        raise ValueError(
            f"cycle {cycle.pk}: stored answers do not all have {width} bytes (instrument "
            f"version {instrument.version}); the data does not match the cycle's instrument"
        )
    answers = np.frombuffer(joined, dtype=np.uint8).reshape(n, width)
    codes = np.array([_GROUP_CODES[str(g)] for g in groups], dtype=np.int8)
    return (
        list(ids),
        np.asarray(assessment, dtype=np.int64),
        codes,
        answers,
        np.array([np.nan if s is None else s for s in seconds], dtype=np.float64),
    )


def _comments(
    model: Any,
    cycle: Any,
    ids: list[Any],
    instrument: Instrument,
    assessments: Sequence[int] | None,
) -> dict[str, Any]:
    position = {response_id: i for i, response_id in enumerate(ids)}
    out = {q: np.full(len(ids), None, dtype=object) for q in instrument.question_ids}
    if not ids:
        return out
    found = model.objects.filter(
        response__organization_id=cycle.organization_id, response__assessment__cycle=cycle
    )
    if assessments is not None:
        found = found.filter(response__assessment_id__in=list(assessments))
    rows = found.values_list("response_id", "question", "text")
    for response_id, question, text in rows:
        # A response submitted between the two queries has no row here yet: skip its comments.
        row = position.get(response_id)
        if row is not None and question in out:
            out[question][row] = text
    return out
