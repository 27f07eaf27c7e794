"""Scoring and the CFA recover the structure the simulator planted.

The simulator draws each leader's latent managing and leading levels; scoring the simulated
answers must place leaders where they were planted, and the two-factor CFA of the scoring
engine must find the two factors behind the facet scores.
"""

from __future__ import annotations

import numpy as np
import pytest

from leadwell.instrument import default_instrument
from leadwell.scoring import LABELS, QUADRANTS, score_frame
from leadwell.scoring.cfa import two_factor_cfa
from leadwell.simulate import SimulationSettings, simulate

ALL_OTHERS = LABELS.index("all_others")
FULL = {"self": (1, 1), "manager": (1, 1), "peer": (4, 4), "direct": (6, 6), "other": (2, 2)}


@pytest.fixture(scope="module")
def planted():
    simulation = simulate(SimulationSettings(leaders=600, seed=11, group_sizes=FULL))
    return simulation, score_frame(simulation.responses)


def test_axis_scores_track_the_planted_levels(planted):
    simulation, scores = planted
    leaders = simulation.leaders.set_index("assessment").loc[scores.assessment_ids]
    for x, axis in enumerate(("managing", "leading")):
        observed = scores.axes.mean[ALL_OTHERS, :, x]
        r = np.corrcoef(observed, leaders[axis].to_numpy())[0, 1]
        assert r > 0.9, f"{axis}: correlation with the planted level only {r:.3f}"


def test_quadrants_match_the_planted_quadrants_for_most_leaders(planted):
    simulation, scores = planted
    leaders = simulation.leaders.set_index("assessment").loc[scores.assessment_ids]
    found = np.array([QUADRANTS[q] for q in scores.quadrant])
    agreement = np.mean(found == leaders["quadrant"].to_numpy())
    # Leaders planted near the cut can land on either side; most must not.
    assert agreement > 0.75, f"only {agreement:.1%} of quadrants recovered"
    assert set(found) == {"manager-leader", "optimizer", "catalyst", "specialist"}


def test_self_ratings_are_inflated_as_planted(planted):
    _, scores = planted
    self_mean = np.nanmean(scores.axes.mean[LABELS.index("self")])
    others_mean = np.nanmean(scores.axes.mean[ALL_OTHERS])
    assert 0.15 < self_mean - others_mean < 0.5


def test_two_factor_cfa_finds_managing_and_leading(planted):
    simulation, _ = planted
    instrument = default_instrument()
    answers = simulation.responses[list(instrument.item_ids)].to_numpy(dtype=float)
    fit = two_factor_cfa(answers, instrument)
    assert fit.cfi > 0.95
    assert fit.rmsea < 0.06
    for facet in instrument.facets:
        if facet.axis is None:
            continue
        factor, loading = fit.loadings[facet.id]
        assert factor == facet.axis
        assert loading > 0.5, f"{facet.id} loads only {loading:.2f} on {factor}"
    correlation = next(iter(fit.factor_correlations.values()))
    assert 0.2 < correlation < 0.8  # planted 0.4 across leaders, diluted and inflated by raters
