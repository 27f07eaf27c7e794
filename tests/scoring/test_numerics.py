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


def _random_frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    items = list(INSTRUMENT.item_ids)
    rows = []
    for r, group in enumerate(["self", "manager"] + ["peer"] * 4 + ["direct"] * 5 + ["other"] * 3):
        values = rng.integers(1, 6, size=len(items)).astype(float)
        values[rng.random(len(items)) < 0.2] = np.nan  # "not observed"
        if group == "self":  # self does not answer the outcome items
            values[[i for i, item in enumerate(items) if "." not in item]] = np.nan
        answers = dict(zip(items, values, strict=True))
        rows.append({"assessment": "A", "group": group, "rater": f"r{r}", **answers})
    return pd.DataFrame(rows)


def test_figures_do_not_depend_on_the_order_answers_are_stored_in():
    # Storage order is random (shuffled when a cycle closes): the same answers in another order
    # must give the very same figures, not 3.375 once and 3.3749999999999996 the other time
    # (a report shows 3.38 and 3.37, and a mean at the 3.5 cut could change quadrant).
    differing = 0
    for seed in range(20):
        data = _random_frame(seed)
        first = score_frame(data)
        for turn in range(3):
            shuffled = data.sample(frac=1, random_state=seed * 10 + turn).reset_index(drop=True)
            again = score_frame(shuffled)
            for block in ("items", "facets", "axes"):
                a, b = getattr(first, block), getattr(again, block)
                assert np.array_equal(a.mean, b.mean, equal_nan=True), (seed, turn, block)
                assert np.array_equal(a.n, b.n)
                # The SDs may differ in their last bits; the report rounds them to 2 places.
                assert np.allclose(a.sd, b.sd, rtol=0, atol=1e-12, equal_nan=True)
                differing += not np.array_equal(a.sd, b.sd, equal_nan=True)
    # The sums really do come out differently in another order: without rounding the means
    # to 12 places (moments.canonical), the equality above fails.
    assert differing > 0
