"""The all-others figures of org insights agree with the full scoring engine, figure by figure."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from leadwell.instrument import default_instrument
from leadwell.scoring import LABELS, ScoringSettings, responses_from_frame, score_responses
from leadwell.scoring.leaders import all_others_figures
from leadwell.simulate import SimulationSettings, simulate

ALL_OTHERS = LABELS.index("all_others")


def _both(frame, k: int = 3):
    instrument = default_instrument()
    responses = responses_from_frame(frame, instrument)
    settings = ScoringSettings(k=k)
    return (
        instrument,
        score_responses(responses, instrument, settings),
        all_others_figures(responses, instrument, settings),
    )


@pytest.mark.parametrize(("seed", "k", "not_observed"), [(3, 3, 0.0), (4, 3, 0.35), (5, 4, 0.2)])
def test_all_others_figures_equal_the_engines_shown_figures(seed, k, not_observed):
    # Small groups (1-4 peers, directs, others) and many "not observed" answers make hidden
    # figures common, so the rule is exercised on both sides of k.
    sizes = {"peer": (0, 4), "direct": (0, 4), "other": (0, 2)}
    frame = simulate(
        SimulationSettings(
            leaders=150, seed=seed, group_sizes=sizes, not_observed_rate=not_observed
        )
    ).responses
    instrument, scores, fast = _both(frame, k)

    assert list(fast.assessment_ids) == list(scores.assessment_ids)
    engine_facets = scores.facets.mean[ALL_OTHERS]
    np.testing.assert_array_equal(np.isnan(fast.facets), np.isnan(engine_facets))
    np.testing.assert_allclose(fast.facets, engine_facets, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.axes, scores.axes.mean[ALL_OTHERS], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fast.quadrant, scores.quadrant)
    # Outcome: the mean of the shown all_others outcome-item means.
    columns = [instrument.item_index[i] for i in instrument.outcome_ids]
    items = scores.items.mean[ALL_OTHERS][:, columns]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # leaders with no outcome item shown
        expected = np.nanmean(items, axis=1)
    np.testing.assert_allclose(fast.outcome, expected, rtol=0, atol=1e-12)
    # Both sides of the rule occur in this data.
    assert np.isnan(fast.facets).any()
    assert (~np.isnan(fast.facets)).any()
    assert (fast.quadrant == 4).any()
    assert (fast.quadrant < 4).any()
