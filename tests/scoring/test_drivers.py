"""Relative weights (Johnson, 2000) in scoring/drivers.py, against independent computations.

Truths used: R² of an ordinary least-squares fit (numpy lstsq on standardised data); the
squared correlations when predictors are orthogonal (Johnson 2000, p. 3: with uncorrelated
predictors each weight is r_xy²); general dominance (Budescu 1993; Azen & Budescu 2003), the
Shapley decomposition of R² computed here by brute force over every subset, which Johnson
(2000) and LeBreton, Ployhart & Ladd (2004) found to differ from relative weights by a few
thousandths; and explicit resampling of rows for the bootstrap.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from leadwell.scoring.drivers import METHOD, relative_weights

NAMES5 = ("a", "b", "c", "d", "e")


def correlated_data(n: int = 400, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Five predictors sharing a common factor (r about .3-.6) and an outcome."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    x = common * np.array([0.9, 0.7, 0.5, 0.4, 0.2]) + rng.normal(size=(n, 5))
    y = x @ np.array([0.5, 0.3, 0.2, 0.0, 0.1]) + rng.normal(size=n)
    return x, y


def standardise(values: np.ndarray) -> np.ndarray:
    return (values - values.mean(axis=0)) / values.std(axis=0)


def ols_r2(x: np.ndarray, y: np.ndarray) -> float:
    """R² of y on x with an intercept, by least squares."""
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return float(1 - residual @ residual / ((y - y.mean()) @ (y - y.mean())))


def general_dominance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Average increase in R² from adding each predictor, over subset sizes (brute force)."""
    p = x.shape[1]
    r2 = {
        subset: ols_r2(x[:, list(subset)], y) if subset else 0.0
        for size in range(p + 1)
        for subset in itertools.combinations(range(p), size)
    }
    out = np.zeros(p)
    for j in range(p):
        rest = [i for i in range(p) if i != j]
        by_size = []
        for size in range(p):
            gains = [
                r2[tuple(sorted((*subset, j)))] - r2[subset]
                for subset in itertools.combinations(rest, size)
            ]
            by_size.append(np.mean(gains))
        out[j] = np.mean(by_size)
    return out


# --- point estimates ----------------------------------------------------------------------------


def test_weights_sum_to_the_r_squared_of_an_ordinary_least_squares_fit():
    x, y = correlated_data()
    d = relative_weights(x, y, predictors=NAMES5, n_boot=0)
    assert d.weights.sum() == pytest.approx(ols_r2(x, y), abs=1e-12)
    assert d.r2 == pytest.approx(ols_r2(x, y), abs=1e-12)
    assert d.share.sum() == pytest.approx(1.0)
    assert d.method == METHOD
    assert d.n == len(x)


def test_beta_equals_the_least_squares_coefficients_on_standardised_data():
    x, y = correlated_data()
    coef, *_ = np.linalg.lstsq(standardise(x), standardise(y[:, None])[:, 0], rcond=None)
    d = relative_weights(x, y, predictors=NAMES5, n_boot=0)
    np.testing.assert_allclose(d.beta, coef, atol=1e-12)


def test_with_orthogonal_predictors_each_weight_is_the_squared_correlation():
    rng = np.random.default_rng(2)
    raw = rng.normal(size=(60, 4))
    # Centred orthonormal columns: sample correlations between predictors are exactly 0.
    x, _ = np.linalg.qr(raw - raw.mean(axis=0))
    y = x @ np.array([3.0, -2.0, 1.0, 0.0]) + rng.normal(size=60) * 0.1
    d = relative_weights(x, y, predictors=("p", "q", "r", "s"), n_boot=0)
    r = np.array([np.corrcoef(x[:, j], y)[0, 1] for j in range(4)])
    np.testing.assert_allclose(d.weights, r**2, atol=1e-12)


def test_weights_agree_with_general_dominance_within_a_hundredth():
    x, y = correlated_data()
    d = relative_weights(x, y, predictors=NAMES5, n_boot=0)
    dominance = general_dominance(x, y)
    assert dominance.sum() == pytest.approx(d.r2)  # both decompose the same R²
    assert np.abs(d.weights - dominance).max() < 0.01
    # And they order the predictors the same way.
    assert np.argsort(d.weights).tolist() == np.argsort(dominance).tolist()


def test_rows_with_a_missing_value_are_dropped_before_weighing():
    x, y = correlated_data()
    holes_x, holes_y = x.copy(), y.copy()
    holes_x[3, 1] = np.nan
    holes_y[7] = np.nan
    keep = np.ones(len(x), dtype=bool)
    keep[[3, 7]] = False
    d = relative_weights(holes_x, holes_y, predictors=NAMES5, n_boot=0)
    complete = relative_weights(x[keep], y[keep], predictors=NAMES5, n_boot=0)
    assert d.n == len(x) - 2
    np.testing.assert_allclose(d.weights, complete.weights, atol=1e-14)


# --- bootstrap ----------------------------------------------------------------------------------


def test_bootstrap_interval_contains_the_estimate_and_repeats_with_the_same_seed():
    x, y = correlated_data()
    d = relative_weights(x, y, predictors=NAMES5, n_boot=300, seed=4)
    again = relative_weights(x, y, predictors=NAMES5, n_boot=300, seed=4)
    other = relative_weights(x, y, predictors=NAMES5, n_boot=300, seed=5)
    assert (d.low <= d.weights).all()
    assert (d.weights <= d.high).all()
    assert d.r2_low <= d.r2 <= d.r2_high
    np.testing.assert_array_equal(d.low, again.low)
    np.testing.assert_array_equal(d.high, again.high)
    assert not np.array_equal(d.low, other.low)
    assert d.n_boot == 300


def test_an_irrelevant_noise_predictor_gets_an_interval_starting_near_zero():
    rng = np.random.default_rng(1234)  # a stream of its own, not the data's
    x, y = correlated_data(n=500, seed=8)
    x = np.column_stack([x, rng.normal(size=len(x))])  # unrelated to everything
    d = relative_weights(x, y, predictors=(*NAMES5, "noise"), n_boot=300)
    assert d.low[-1] < 0.002
    assert d.high[-1] < 0.03
    assert (d.low[:3] > 0.02).all()  # the real drivers are clear of zero


def test_bootstrap_equals_weighing_explicitly_resampled_rows():
    # The moment trick must give what recomputing on copied rows gives. With n_boot at most
    # one chunk (32) the resamples are the first draws of default_rng(seed).integers.
    x, y = correlated_data(n=80)
    d = relative_weights(x, y, predictors=NAMES5, n_boot=20, seed=9)
    draws = np.random.default_rng(9).integers(0, len(x), size=(20, len(x)))
    boot = []
    for rows in draws:
        again = relative_weights(x[rows], y[rows], predictors=NAMES5, n_boot=0)
        boot.append([*again.weights, again.r2])
    low, high = np.quantile(np.array(boot), [0.025, 0.975], axis=0)
    np.testing.assert_allclose(d.low, low[:-1], atol=1e-10)
    np.testing.assert_allclose(d.high, high[:-1], atol=1e-10)
    assert (d.r2_low, d.r2_high) == pytest.approx((low[-1], high[-1]), abs=1e-10)


def test_to_dict_is_json_ready_and_turns_missing_intervals_into_none():
    x, y = correlated_data()
    d = relative_weights(x, y, predictors=NAMES5, n_boot=0)
    out = json.loads(json.dumps(d.to_dict(), allow_nan=False))
    assert out["predictors"] == list(NAMES5)
    assert out["low"] == [None] * 5
    assert out["r2_low"] is None
    assert math.isclose(sum(out["weights"]), out["r2"])
    assert out["n_boot"] == 0


# --- bad input ----------------------------------------------------------------------------------


def test_too_few_complete_rows_is_refused_with_the_number_needed():
    x, y = correlated_data(n=14)  # 5 predictors need 15
    with pytest.raises(ValueError, match="at least 15 leaders"):
        relative_weights(x, y, predictors=NAMES5)


def test_a_constant_predictor_is_refused_by_name():
    x, y = correlated_data()
    x[:, 2] = 4.0
    with pytest.raises(ValueError, match="constant variable: c"):
        relative_weights(x, y, predictors=NAMES5)


def test_perfectly_collinear_predictors_are_refused():
    x, y = correlated_data()
    x[:, 4] = x[:, 0] + x[:, 1]
    with pytest.raises(ValueError, match="collinear"):
        relative_weights(x, y, predictors=NAMES5)


def test_predictor_names_must_match_the_columns():
    x, y = correlated_data()
    with pytest.raises(ValueError, match="one column per predictor"):
        relative_weights(x, y, predictors=NAMES5[:4])
