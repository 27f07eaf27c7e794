"""The scoring engine: responses in, every figure of the scoring contract out (no database).

>>> from leadwell.scoring import score_frame
>>> scores = score_frame(frame)            # a wide-format pandas DataFrame
>>> scores.to_dict()["assessments"][0]["quadrant"]
'manager-leader'
"""

from __future__ import annotations

import pandas as pd

from leadwell.instrument.model import Instrument
from leadwell.scoring.engine import facet_scores, score_responses
from leadwell.scoring.responses import Responses
from leadwell.scoring.result import QUADRANTS, TIDY_COLUMNS, CycleScores
from leadwell.scoring.settings import GROUPS, LABELS, ScoringSettings
from leadwell.scoring.wide import WideFormatError, read_wide, responses_from_frame

__all__ = [
    "GROUPS",
    "LABELS",
    "QUADRANTS",
    "TIDY_COLUMNS",
    "CycleScores",
    "Responses",
    "ScoringSettings",
    "WideFormatError",
    "facet_scores",
    "read_wide",
    "responses_from_frame",
    "score_frame",
    "score_responses",
]


def score_frame(
    frame: pd.DataFrame,
    instrument: Instrument | None = None,
    *,
    k: int = 3,
    cut: float = 3.5,
    gap: float = 0.5,
    min_answered: float = 0.5,
) -> CycleScores:
    """Score a wide-format DataFrame (one row per response) under the scoring contract.

    Parameters
    ----------
    frame : DataFrame
        Columns ``assessment``, ``group``, optional ``rater``, one per item id (1-5, NaN = not
        observed), optional ``seconds`` and open-question columns.
    instrument : Instrument, optional
        The instrument version of the answers; version 1 when omitted.
    k, cut, gap, min_answered
        The thresholds of :class:`ScoringSettings` (MODEL.md defaults).

    Returns
    -------
    CycleScores
        ``.to_dict()`` is the JSON of ``leadwell score``; ``.tidy()`` its CSV.

    Raises
    ------
    WideFormatError
        When a cell breaks the format; the message names its row and column.
    """
    if instrument is None:
        from leadwell.instrument import default_instrument

        instrument = default_instrument()
    settings = ScoringSettings(k=k, cut=cut, gap=gap, min_answered=min_answered)
    return score_responses(responses_from_frame(frame, instrument), instrument, settings)
