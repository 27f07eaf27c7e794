"""CFA fit indices against lavaan's published Holzinger–Swineford values, and recovery tests."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from leadwell.instrument.model import Axis, Facet, Instrument, Item
from leadwell.scoring.cfa import CfaResult, fit_cfa, two_factor_cfa, two_factor_data

semopy = pytest.importorskip("semopy")

HS_FACTORS = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}


def _instrument() -> Instrument:
    """14 facets (M1–M6, L1–L7, C1) of 4 items each, then O1–O3: 59 items."""
    axis_of = {"M": "managing", "L": "leading", "C": None}
    ids = [f"M{i}" for i in range(1, 7)] + [f"L{i}" for i in range(1, 8)] + ["C1"]
    facets = tuple(
        Facet(fid, fid, axis_of[fid[0]], "", tuple(f"{fid}.{n}" for n in range(1, 5)))
        for fid in ids
    )
    items = tuple(Item(i, f.id, "others", "self") for f in facets for i in f.items)
    items += tuple(Item(f"O{n}", None, "others", None) for n in range(1, 4))
    axes = tuple(
        Axis(a, a, "", tuple(f.id for f in facets if f.axis == a)) for a in ("managing", "leading")
    )
    return Instrument("test", "test", ("1", "2", "3", "4", "5"), "n/o", axes, facets, items, ())


@pytest.fixture(scope="module")
def holzinger() -> pd.DataFrame:
    from semopy.examples import holzinger39

    return holzinger39.get_data()


@pytest.fixture(scope="module")
def hs_fit(holzinger: pd.DataFrame) -> CfaResult:
    return fit_cfa(holzinger, HS_FACTORS)


def test_holzinger_chi2_and_baseline_match_the_lavaan_tutorial(hs_fit: CfaResult) -> None:
    # Published (lavaan CFA tutorial): χ² 85.306 on 24 df; baseline χ² 918.852 on 36 df; N 301.
    assert hs_fit.n == 301
    assert hs_fit.converged
    assert (hs_fit.df, hs_fit.baseline_df) == (24, 36)
    assert hs_fit.chi2 == pytest.approx(85.306, abs=1e-3)
    assert hs_fit.baseline_chi2 == pytest.approx(918.852, abs=1e-3)
    assert hs_fit.pvalue < 1e-7


def test_holzinger_fit_indices_match_the_lavaan_tutorial(hs_fit: CfaResult) -> None:
    # Published (lavaan CFA tutorial): CFI .931, TLI .896, RMSEA .092 (90% CI .071–.114),
    # SRMR .065; tolerance 5e-4 since the published values carry 3 decimals.
    assert hs_fit.cfi == pytest.approx(0.931, abs=5e-4)
    assert hs_fit.tli == pytest.approx(0.896, abs=5e-4)
    assert hs_fit.rmsea == pytest.approx(0.092, abs=5e-4)
    assert hs_fit.rmsea_ci[0] == pytest.approx(0.071, abs=5e-4)
    assert hs_fit.rmsea_ci[1] == pytest.approx(0.114, abs=5e-4)
    assert hs_fit.srmr == pytest.approx(0.065, abs=5e-4)


def test_holzinger_indices_follow_from_chi2_as_semopy_computes_them(
    holzinger: pd.DataFrame, hs_fit: CfaResult
) -> None:
    # Independent: semopy's own statistics; its RMSEA divides by N − 1 instead of N.
    model = semopy.Model("\n".join(f"{f} =~ {' + '.join(i)}" for f, i in HS_FACTORS.items()))
    model.fit(holzinger)
    stats = semopy.calc_stats(model).T["Value"]
    assert hs_fit.chi2 == pytest.approx(stats["chi2"], rel=1e-6)
    assert hs_fit.baseline_chi2 == pytest.approx(stats["chi2 Baseline"], rel=1e-6)
    assert hs_fit.cfi == pytest.approx(stats["CFI"], abs=1e-6)
    assert hs_fit.tli == pytest.approx(stats["TLI"], abs=1e-6)
    assert hs_fit.rmsea == pytest.approx(stats["RMSEA"] * math.sqrt(300 / 301), abs=1e-6)


def test_rmsea_interval_bounds_are_the_noncentral_chi2_quantiles(hs_fit: CfaResult) -> None:
    from scipy import stats

    n, df = hs_fit.n, hs_fit.df
    lower_ncp, upper_ncp = (r**2 * n * df for r in hs_fit.rmsea_ci)
    assert stats.ncx2.cdf(hs_fit.chi2, df, lower_ncp) == pytest.approx(0.95, abs=1e-8)
    assert stats.ncx2.cdf(hs_fit.chi2, df, upper_ncp) == pytest.approx(0.05, abs=1e-8)


def test_holzinger_standardised_estimates_equal_semopys(
    holzinger: pd.DataFrame, hs_fit: CfaResult
) -> None:
    model = semopy.Model("\n".join(f"{f} =~ {' + '.join(i)}" for f, i in HS_FACTORS.items()))
    model.fit(holzinger)
    std = model.inspect(std_est=True)
    for row in std[std.op == "~"].itertuples():
        assert hs_fit.loadings[row.lval] == (row.rval, pytest.approx(row[5], abs=1e-6))
    covs = std[(std.op == "~~") & (std.lval != std.rval) & std.lval.isin(list(HS_FACTORS))]
    for row in covs.itertuples():
        key = next(
            k for k in hs_fit.factor_correlations if set(k.split("~~")) == {row.lval, row.rval}
        )
        assert hs_fit.factor_correlations[key] == pytest.approx(row[5], abs=1e-6)


def test_cfa_recovers_planted_two_factor_loadings() -> None:
    rng = np.random.default_rng(11)
    planted = {"a1": 0.8, "a2": 0.7, "a3": 0.6, "a4": 0.5, "b1": 0.75, "b2": 0.65, "b3": 0.55}
    factors = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=5000)
    column = {"a": 0, "b": 1}
    noise = rng.normal(size=(5000, len(planted)))
    data = pd.DataFrame({
        item: 3 * (lam * factors[:, column[item[0]]] + math.sqrt(1 - lam**2) * noise[:, i])
        for i, (item, lam) in enumerate(planted.items())
    })  # fmt: skip
    result = fit_cfa(data, {"fa": ["a1", "a2", "a3", "a4"], "fb": ["b1", "b2", "b3"]})
    for item, lam in planted.items():
        factor, value = result.loadings[item]
        assert factor == ("fb" if item[0] == "b" else "fa")
        assert value == pytest.approx(lam, abs=0.03)
    assert result.factor_correlations["fa~~fb"] == pytest.approx(0.4, abs=0.04)
    assert result.df == 28 - 15
    assert result.rmsea < 0.02
    assert result.cfi > 0.99


def test_cfa_rejects_unknown_columns_and_shared_items(holzinger: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="x99"):
        fit_cfa(holzinger, {"visual": ["x1", "x99"], "speed": ["x7", "x8"]})
    with pytest.raises(ValueError, match="one factor"):
        fit_cfa(holzinger, {"visual": ["x1", "x2"], "speed": ["x2", "x8"]})


def test_cfa_result_to_dict_is_json_ready(hs_fit: CfaResult) -> None:
    data = json.loads(json.dumps(hs_fit.to_dict(), allow_nan=False))
    assert data["rmsea_ci"] == list(hs_fit.rmsea_ci)
    assert data["loadings"]["x4"] == ["textual", hs_fit.loadings["x4"][1]]


def _simulated_answers(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    axes = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=n)
    facet_factor = np.concatenate(
        [0.8 * axes[:, [0]] + 0.6 * rng.normal(size=(n, 6)),
         0.8 * axes[:, [1]] + 0.6 * rng.normal(size=(n, 7)),
         rng.normal(size=(n, 1))], axis=1,
    )  # fmt: skip
    latent = np.concatenate([np.repeat(facet_factor, 4, axis=1), axes[:, [1, 1, 1]]], axis=1)
    answers = np.clip(np.round(3 + 0.9 * latent + 0.6 * rng.normal(size=(n, 59))), 1, 5)
    answers[rng.random(answers.shape) < 0.08] = np.nan
    return answers


def test_two_factor_data_computes_facet_scores_with_the_half_answered_rule() -> None:
    instrument = _instrument()
    answers = _simulated_answers(300, seed=12)
    answers[0, 0:3] = np.nan  # M1 of respondent 0: 1 of 4 answered → missing → row dropped
    data = two_factor_data(answers, instrument)
    frame = pd.DataFrame(answers, columns=list(instrument.item_ids))
    expected = {}
    for facet in instrument.facets[:13]:
        cols = frame[list(facet.items)]
        expected[facet.id] = cols.mean(axis=1).where(cols.notna().sum(axis=1) >= 2)
    expected_frame = pd.DataFrame(expected).dropna().reset_index(drop=True)
    pd.testing.assert_frame_equal(data, expected_frame)
    assert list(data.columns) == [f"M{i}" for i in range(1, 7)] + [f"L{i}" for i in range(1, 8)]


def test_two_factor_cfa_fits_managing_and_leading_factors() -> None:
    instrument = _instrument()
    answers = _simulated_answers(1500, seed=13)
    result = two_factor_cfa(answers, instrument)
    direct = fit_cfa(
        two_factor_data(answers, instrument),
        {"managing": [f"M{i}" for i in range(1, 7)], "leading": [f"L{i}" for i in range(1, 8)]},
    )
    assert result == direct
    assert {f for f, _ in result.loadings.values()} == {"managing", "leading"}
    assert result.loadings["M3"][0] == "managing"
    assert result.loadings["L7"][0] == "leading"
    assert result.df == 13 * 14 // 2 - (2 * 13 + 1)
    assert result.factor_correlations["managing~~leading"] == pytest.approx(0.5, abs=0.08)


def test_two_factor_cfa_rejects_answers_of_the_wrong_width() -> None:
    with pytest.raises(ValueError, match="59 items"):
        two_factor_cfa(np.ones((10, 58)), _instrument())
