"""The instrument-quality section of org insights: reliability, factor structure, flags.

Reliability and the CFA are estimated on a random sample of leaders with all their raters
(:data:`SAMPLE_LEADERS`): at that size their sampling error is a few thousandths, while a
100,000-leader cycle would need gigabytes of floats. The response-quality flags are counted
over every response, in slices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from leadwell.cycles.models import Cycle
from leadwell.instrument import Instrument
from leadwell.scoring import GROUPS, Responses
from leadwell.scoring.quality import instrument_quality, speeding, straightlining

__all__ = ["SAMPLE_LEADERS", "quality_section"]

SAMPLE_LEADERS = 1000
_SLICE = 100_000  # responses converted to floats at a time for the flags
_SELF = GROUPS.index("self")


def quality_section(cycle: Cycle, responses: Responses, instrument: Instrument) -> dict[str, Any]:
    """Per-facet reliability, the two-factor CFA and response-quality flags, JSON-ready."""
    count = len(responses.assessment_ids)
    rng = np.random.default_rng(cycle.pk)  # the same sample each time the cycle is computed
    chosen = np.zeros(count, dtype=bool)
    chosen[rng.choice(count, size=min(count, SAMPLE_LEADERS), replace=False)] = True
    rows = chosen[responses.assessment]
    answers = _floats(responses.answers[rows])
    seconds = None if responses.seconds is None else responses.seconds[rows]
    if answers.shape[0] == 0:
        report: dict[str, Any] = {"facets": [], "cfa": None, "cfa_note": "No responses."}
    else:
        report = instrument_quality(
            answers,
            responses.assessment[rows],
            instrument,
            is_self=responses.group[rows] == _SELF,
            seconds=seconds,
        ).to_dict()
    report["sample_leaders"] = int(chosen.sum())
    report["leaders"] = count
    report["flags"] = _flags(responses)
    return report


def _floats(answers: np.ndarray) -> np.ndarray:
    out = answers.astype(np.float64)
    out[answers == 0] = np.nan
    return out


def _flags(responses: Responses) -> dict[str, Any]:
    """Straight-lining and speeding over every response, a slice at a time."""
    n = len(responses)
    straight = 0
    for start in range(0, n, _SLICE):
        straight += int(straightlining(_floats(responses.answers[start : start + _SLICE])).sum())
    known = None
    speeders = None
    if responses.seconds is not None:
        timed = ~np.isnan(responses.seconds)
        known = int(timed.sum())
        answered = np.count_nonzero(responses.answers[timed], axis=1)
        speeders = int(speeding(responses.seconds[timed], answered).sum()) if known else 0
    return {"responses": n, "straightlining": straight, "timed": known, "speeding": speeders}
