"""The vectorised engine equals the slow pandas reference implementation on simulated cycles.

``reference_figures`` shares no code with the engine beyond the instrument and group names; it
costs about two seconds per call whatever the size, so each k is checked with one call over a
cycle that stacks several simulations (seeds and rater mixes), with a high not-observed rate so
that many figures fold or hide.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from leadwell.instrument import default_instrument
from leadwell.scoring import TIDY_COLUMNS, score_frame
from leadwell.scoring.reference import reference_figures
from leadwell.simulate import SimulationSettings, simulate

V1 = default_instrument()
KEY = ["assessment", "figure", "group"]
STATISTICS = ["mean", "sd", "min", "max"]

# Rater mixes: the simulator's default (peer 2-5, direct 2-7, other 0-3) and fixed sizes that sit
# on the thresholds of k = 2, 3, 4 (a remainder to fold, equal groups for the tie order).
MIXES: dict[str, dict[str, tuple[int, int]] | None] = {
    "default": None,
    "small": {"manager": (1, 1), "peer": (2, 2), "direct": (3, 3), "other": (1, 1)},
    "tied": {"manager": (0, 2), "peer": (3, 3), "direct": (3, 3), "other": (1, 1)},
    "sparse": {
        "self": (0, 1),
        "manager": (0, 1),
        "peer": (0, 4),
        "direct": (0, 4),
        "other": (0, 2),
    },
}
SEEDS = (11, 12, 13)


@cache
def cycle() -> pd.DataFrame:
    """Several simulated cycles stacked, assessment labels made unique per seed and mix."""
    parts = []
    for name, sizes in MIXES.items():
        for seed in SEEDS:
            settings = SimulationSettings(
                leaders=15, seed=seed, group_sizes=sizes, not_observed_rate=0.3
            )
            part = simulate(settings).responses
            part["assessment"] = f"{name}-{seed}-" + part["assessment"]
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype({"assessment": str, "figure": str, "group": str})
    return out.sort_values(KEY, ignore_index=True)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_engine_equals_reference_figures_on_every_tidy_row(k: int) -> None:
    data = cycle()
    engine = _sorted(score_frame(data, k=k).tidy())
    reference = _sorted(reference_figures(data, V1, k))
    assert list(engine.columns) == list(TIDY_COLUMNS)
    assert engine[KEY].equals(reference[KEY])  # the same shown figures, no more, no fewer
    np.testing.assert_array_equal(engine["n"].to_numpy(), reference["n"].to_numpy())
    for column in STATISTICS:
        np.testing.assert_allclose(
            engine[column].to_numpy(float),
            reference[column].to_numpy(float),
            rtol=0,
            atol=1e-9,
            err_msg=column,
        )  # NaN sd (a single rating) must be NaN on both sides: assert_allclose checks that


def test_the_stacked_cycle_exercises_folding_and_hiding() -> None:
    # Guards the comparison above against a cycle where nothing interesting happens.
    tidy = score_frame(cycle(), k=3).tidy()
    groups = tidy["group"].astype(str)
    assert (groups == "others").sum() > 100
    assert {"peer", "direct", "other", "manager", "self", "all_others"} <= set(groups)
    m1_others = tidy[(tidy["figure"] == "M1") & (groups == "all_others")]
    assert 0 < m1_others["assessment"].nunique() < cycle()["assessment"].nunique()
