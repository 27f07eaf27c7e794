"""Reliability and agreement against published values and independent computations.

Exact expected values (fractions/decimals) are reproduced by reference/exact_values.py.
pingouin (GPL) is used here only, as an independent implementation.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from leadwell.scoring.psychometrics import (
    corrected_item_total,
    cronbach_alpha,
    icc_nested,
    icc_shrout_fleiss,
    omega_total,
    one_factor_ml,
    reliable_change_index,
    rwg_j,
    scale_scores,
    standard_error_of_measurement,
)

SHROUT_FLEISS_TABLE_4 = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
)


def _random_items(seed: int, n: int = 200, k: int = 5, missing: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 1)) + rng.normal(size=(n, k))
    x[rng.random(x.shape) < missing] = np.nan
    return x


# --- Cronbach's alpha -------------------------------------------------------------------------


def test_alpha_matches_pingouin_docstring_pairwise() -> None:
    # Published: pingouin.cronbach_alpha docstring, 'cronbach_wide_missing' → 0.732660835.
    data = pg.read_dataset("cronbach_wide_missing")
    assert cronbach_alpha(data.to_numpy()) == pytest.approx(0.732660835, abs=1e-6)


def test_alpha_matches_pingouin_docstring_listwise() -> None:
    # Published: pingouin.cronbach_alpha docstring, nan_policy='listwise' → 0.801694915.
    data = pg.read_dataset("cronbach_wide_missing")
    assert cronbach_alpha(data.to_numpy(), nan_policy="listwise") == pytest.approx(
        0.801694915, abs=1e-6
    )


@pytest.mark.parametrize("policy", ["pairwise", "listwise"])
def test_alpha_equals_pingouin_on_random_data_with_missing_answers(policy: str) -> None:
    x = _random_items(seed=1, missing=0.1)
    expected, _ = pg.cronbach_alpha(pd.DataFrame(x), nan_policy=policy)
    assert cronbach_alpha(x, nan_policy=policy) == pytest.approx(expected, abs=1e-12)


def test_alpha_equals_the_variance_formula_on_complete_data() -> None:
    x = _random_items(seed=2)
    k = x.shape[1]
    expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(x) == pytest.approx(expected, abs=1e-12)


def test_alpha_is_nan_when_a_pair_of_items_is_never_answered_together() -> None:
    x = np.array([[1, np.nan, 2], [np.nan, 3, 2], [2, np.nan, 3], [np.nan, 4, 5]])
    assert np.isnan(cronbach_alpha(x))


def test_alpha_rejects_a_one_dimensional_array_and_an_unknown_policy() -> None:
    with pytest.raises(ValueError, match="2-D"):
        cronbach_alpha(np.arange(5.0))
    with pytest.raises(ValueError, match="nan_policy"):
        cronbach_alpha(_random_items(seed=3), nan_policy="mean")  # type: ignore[arg-type]


# --- corrected item-total ---------------------------------------------------------------------


def test_corrected_item_total_equals_corrcoef_with_the_rest_score() -> None:
    x = _random_items(seed=4, k=6)
    expected = [np.corrcoef(x[:, i], x.sum(axis=1) - x[:, i])[0, 1] for i in range(6)]
    np.testing.assert_allclose(corrected_item_total(x), expected, atol=1e-12)


def test_corrected_item_total_listwise_equals_corrcoef_on_complete_rows() -> None:
    x = _random_items(seed=5, missing=0.1)
    complete = x[~np.isnan(x).any(axis=1)]
    rest = complete.sum(axis=1, keepdims=True) - complete
    expected = [np.corrcoef(complete[:, i], rest[:, i])[0, 1] for i in range(x.shape[1])]
    np.testing.assert_allclose(corrected_item_total(x, nan_policy="listwise"), expected, atol=1e-12)


# --- omega ------------------------------------------------------------------------------------


def test_omega_of_three_items_equals_the_closed_form_of_the_just_identified_model() -> None:
    # With 3 indicators the one-factor model is just identified: λ₁² = c₁₂c₁₃/c₂₃ etc.
    x = _random_items(seed=6, k=3)
    c = np.cov(x, rowvar=False)
    lam = np.sqrt(
        [c[0, 1] * c[0, 2] / c[1, 2], c[0, 1] * c[1, 2] / c[0, 2], c[0, 2] * c[1, 2] / c[0, 1]]
    )
    theta = np.diag(c) - lam**2
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    assert omega_total(x) == pytest.approx(expected, abs=1e-8)


def test_one_factor_ml_recovers_a_population_covariance_exactly() -> None:
    lam, theta = np.array([0.9, 0.4, 1.3, 0.7, 1.1]), np.array([0.5, 0.8, 0.6, 0.3, 1.2])
    loadings, uniquenesses = one_factor_ml(np.outer(lam, lam) + np.diag(theta))
    np.testing.assert_allclose(loadings, lam, atol=1e-6)
    np.testing.assert_allclose(uniquenesses, theta, atol=1e-6)


def test_omega_matches_semopy_one_factor_estimates() -> None:
    semopy = pytest.importorskip("semopy")
    rng = np.random.default_rng(7)
    lam = np.array([0.9, 0.7, 0.6, 0.5, 0.8])
    factor = rng.normal(size=(400, 1))
    x = factor * lam + rng.normal(size=(400, 5)) * np.sqrt([0.3, 0.5, 0.6, 0.7, 0.4])
    x[rng.random(x.shape) < 0.03] = np.nan  # omega works on complete rows, as semopy does
    data = pd.DataFrame(x, columns=list("abcde")).dropna()
    model = semopy.Model("f =~ a + b + c + d + e")
    model.fit(data)
    est = model.inspect()
    loadings = est.loc[est.op == "~", "Estimate"].astype(float).to_numpy()
    variances = est.loc[est.op == "~~"].set_index("lval")["Estimate"].astype(float)
    common = loadings.sum() ** 2 * variances["f"]
    expected = common / (common + variances[list("abcde")].sum())
    assert omega_total(x) == pytest.approx(expected, abs=1e-4)


def test_omega_is_nan_with_too_few_complete_rows_and_rejects_two_items() -> None:
    assert np.isnan(omega_total(_random_items(seed=8, n=3, k=4)))
    with pytest.raises(ValueError, match="at least 3"):
        omega_total(_random_items(seed=8, k=2))


# --- ICCs -------------------------------------------------------------------------------------


def test_shrout_fleiss_matches_table_4_of_the_1979_paper() -> None:
    # Shrout & Fleiss (1979), Table 4: .17 .29 .71 .44 .62 .91; exact values from
    # reference/exact_values.py (448/2703, 184/635, 920/1287, 1792/4047, 736/1187, 3680/4047).
    exact = {
        "ICC(1,1)": 448 / 2703,
        "ICC(2,1)": 184 / 635,
        "ICC(3,1)": 920 / 1287,
        "ICC(1,k)": 1792 / 4047,
        "ICC(2,k)": 736 / 1187,
        "ICC(3,k)": 3680 / 4047,
    }
    published = [0.1657418, 0.2897638, 0.7148407, 0.4427971, 0.6200505, 0.9093155]
    result = icc_shrout_fleiss(SHROUT_FLEISS_TABLE_4)
    for (name, value), rounded in zip(exact.items(), published, strict=True):
        assert result[name] == pytest.approx(value, abs=1e-12)
        assert result[name] == pytest.approx(rounded, abs=1e-6)


@pytest.mark.filterwarnings("ignore:The inplace keyword:Warning")  # inside pingouin 0.7
def test_shrout_fleiss_matches_pingouin_on_the_wine_dataset() -> None:
    # Published (pingouin docstring): .728 .728 .729 .914 .914 .915.
    wine = pg.read_dataset("icc")
    matrix = wine.pivot(index="Wine", columns="Judge", values="Scores").to_numpy()
    result = icc_shrout_fleiss(matrix)
    theirs = pg.intraclass_corr(wine, "Wine", "Judge", "Scores").set_index("Type")["ICC"]
    names = {"ICC(1,1)": "ICC(1,1)", "ICC(2,1)": "ICC(A,1)", "ICC(3,1)": "ICC(C,1)",
             "ICC(1,k)": "ICC(1,k)", "ICC(2,k)": "ICC(A,k)", "ICC(3,k)": "ICC(C,k)"}  # fmt: skip
    published = [0.728, 0.728, 0.729, 0.914, 0.914, 0.915]
    for (ours, pingouin_name), rounded in zip(names.items(), published, strict=True):
        assert result[ours] == pytest.approx(theirs[pingouin_name], abs=1e-12)
        assert result[ours] == pytest.approx(rounded, abs=5e-4)


def test_shrout_fleiss_rejects_missing_ratings() -> None:
    with pytest.raises(ValueError, match="complete"):
        icc_shrout_fleiss([[1, 2], [np.nan, 3], [2, 2]])


def test_icc_nested_equals_shrout_fleiss_one_way_forms_on_a_balanced_design() -> None:
    n, k = SHROUT_FLEISS_TABLE_4.shape
    icc1, icc2 = icc_nested(SHROUT_FLEISS_TABLE_4.ravel(), np.repeat(np.arange(n), k))
    assert icc1 == pytest.approx(448 / 2703, abs=1e-12)  # ICC(1,1)
    assert icc2 == pytest.approx(1792 / 4047, abs=1e-12)  # ICC(1,k)


def test_icc_nested_matches_a_groupby_anova_on_unbalanced_data() -> None:
    rng = np.random.default_rng(9)
    groups = rng.choice(
        ["ann", "bo", "cy", "di", "ed", "flo"], size=120, p=[0.3, 0.1, 0.2, 0.1, 0.1, 0.2]
    )
    scores = rng.normal(size=120) + pd.Series(groups).map({"ann": 1, "cy": -1}).fillna(0).to_numpy()
    scores[[3, 50]] = np.nan
    frame = pd.DataFrame({"y": scores, "g": groups}).dropna()
    stats = frame.groupby("g")["y"].agg(["mean", "count"])
    n, n_groups = len(frame), len(stats)
    msb = (stats["count"] * (stats["mean"] - frame["y"].mean()) ** 2).sum() / (n_groups - 1)
    msw = ((frame["y"] - frame.groupby("g")["y"].transform("mean")) ** 2).sum() / (n - n_groups)
    icc1, icc2 = icc_nested(scores, groups)
    assert icc1 == pytest.approx((msb - msw) / (msb + (n / n_groups - 1) * msw), abs=1e-12)
    assert icc2 == pytest.approx((msb - msw) / msb, abs=1e-12)


def test_icc_nested_is_nan_with_a_single_group_and_rejects_mismatched_lengths() -> None:
    assert all(np.isnan(icc_nested([1.0, 2.0, 3.0], [7, 7, 7])))
    with pytest.raises(ValueError, match="same length"):
        icc_nested([1.0, 2.0], [1])


def test_icc_nested_handles_a_million_scores_well_under_a_second() -> None:
    rng = np.random.default_rng(10)
    groups = rng.integers(0, 100_000, size=1_200_000)
    scores = rng.normal(size=groups.size) + rng.normal(size=100_000)[groups]
    start = time.process_time()  # CPU time: robust to other load on the machine
    icc1, _ = icc_nested(scores, groups)
    assert time.process_time() - start < 1.0
    assert icc1 == pytest.approx(0.5, abs=0.02)  # planted: between variance 1, within 1


# --- SEM and RCI ------------------------------------------------------------------------------


def test_sem_and_rci_match_the_jacobson_truax_worked_case() -> None:
    # REFERENCES.md worked case (Jacobson & Truax 1991): SD 7.5, r .80 → SEM 3.354102,
    # S_diff 4.743416; 32 → 44 gives RCI 2.529822 (decimal check in reference/exact_values.py).
    sem = standard_error_of_measurement(7.5, 0.8)
    assert sem == pytest.approx(3.354102, abs=1e-6)
    assert sem == pytest.approx(7.5 * np.sqrt(0.2), abs=1e-12)
    rci = reliable_change_index(32, 44, sd=7.5, reliability=0.8)
    assert rci == pytest.approx(2.529822, abs=1e-6)
    assert 12 / rci == pytest.approx(4.743416, abs=1e-6)  # S_diff


def test_sem_and_rci_broadcast_over_arrays() -> None:
    sem = standard_error_of_measurement(np.array([7.5, 10.0]), np.array([[0.8], [0.0]]))
    np.testing.assert_allclose(sem, [[7.5 * np.sqrt(0.2), 10 * np.sqrt(0.2)], [7.5, 10.0]])
    rci = reliable_change_index([32, 40, np.nan], [44, 40, 50], sd=7.5, reliability=0.8)
    np.testing.assert_allclose(rci, [12 / np.sqrt(2 * 7.5**2 * 0.2), 0.0, np.nan])


def test_sem_is_zero_at_perfect_reliability_but_rci_rejects_it() -> None:
    assert standard_error_of_measurement(7.5, 1.0) == 0.0
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        reliable_change_index(1, 2, sd=7.5, reliability=1.0)


@pytest.mark.parametrize(("sd", "reliability"), [(0.0, 0.8), (-1.0, 0.8), (7.5, -0.1), (7.5, 1.2),
                                                 (np.nan, 0.8), (7.5, np.nan)])  # fmt: skip
def test_sem_rejects_a_bad_sd_or_reliability(sd: float, reliability: float) -> None:
    with pytest.raises(ValueError, match=r"sd must be|reliability must"):
        standard_error_of_measurement(sd, reliability)


# --- rwg(J) -----------------------------------------------------------------------------------


def test_rwg_matches_the_hand_computed_example() -> None:
    # Item variances 1/3 and 1 → s² = 2/3, σ²E = 2, J = 2: rwg = (4/3)/(4/3 + 1/3) = 4/5.
    assert rwg_j([[4, 3], [5, 4], [4, 5]]) == pytest.approx(0.8, abs=1e-12)


def test_rwg_follows_james_demaree_wolf_edge_cases() -> None:
    assert rwg_j([[3, 4, 2], [3, 4, 2], [3, 4, 2]]) == 1.0  # perfect agreement
    assert rwg_j([[1, 1], [3, 3], [5, 5]]) == 0.0  # s² = 4 ≥ σ²E = 2
    assert rwg_j([[2], [4]]) == 0.0  # s² = σ²E exactly
    # J = 1 reduces to the single-item rwg = 1 − s²/σ²E (s² = 1/3):
    assert rwg_j([[4], [5], [4]]) == pytest.approx(1 - (1 / 3) / 2, abs=1e-12)
    # 7 points: σ²E = (49 − 1)/12 = 4; s² = 2 → J=1: 1 − 2/4.
    assert rwg_j([[2], [4]], n_points=7) == pytest.approx(0.5, abs=1e-12)


def test_rwg_is_nan_with_fewer_than_two_raters_and_skips_unanswered_items() -> None:
    assert np.isnan(rwg_j([[3, 4, 5]]))
    assert rwg_j([[4, 3, np.nan], [5, 4, 1], [4, 5, np.nan]]) == pytest.approx(0.8, abs=1e-12)


# --- scale scores -----------------------------------------------------------------------------


def test_scale_scores_need_half_of_the_items_answered() -> None:
    answers = np.array([[1, 2, 3, 4, 9], [np.nan, 2, np.nan, 4, 9], [np.nan, np.nan, np.nan, 4, 9]])
    np.testing.assert_allclose(scale_scores(answers, [0, 1, 2, 3]), [2.5, 3.0, np.nan])
