"""Spread survives rounding: equal scores have no spread, whatever their number or order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadwell.instrument import default_instrument
from leadwell.scoring import LABELS, score_frame

INSTRUMENT = default_instrument()


def _frame(raters: int) -> pd.DataFrame:
    # Every facet answered 4, 4, 3 and one "not observed": each facet score is 11/3, a value
    # float arithmetic cannot hold exactly, so a raw sum-of-squares variance would not be 0.
    pattern = {item: [4.0, 4.0, 3.0, np.nan][int(item.split(".")[1]) - 1]
               for item in INSTRUMENT.item_ids if "." in item}  # fmt: skip
    rows = [
        {"assessment": "A", "group": "peer", "rater": f"p{i}", **pattern, "O1": 4, "O2": 4, "O3": 4}
        for i in range(raters)
    ]
    return pd.DataFrame(rows)


def test_equal_facet_scores_have_zero_spread_for_many_raters():
    scores = score_frame(_frame(250))
    for block in (scores.facets, scores.axes):
        for label in ("peer", "all_others"):
            g = LABELS.index(label)
            assert np.all(block.n[g, 0] == 250)
            assert np.allclose(block.mean[g, 0], 11 / 3, rtol=0, atol=1e-12)
            assert np.all(block.sd[g, 0] < 1e-12), block.sd[g, 0]
