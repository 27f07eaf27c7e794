"""Response-quality flags and the instrument-quality table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from leadwell.instrument.model import Axis, Facet, Instrument, Item
from leadwell.scoring.quality import (
    MIN_CFA_ROWS,
    instrument_quality,
    speeding,
    straightlining,
)

NAN = np.nan


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


def _answers(n: int, seed: int, n_leaders: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    leaders = rng.integers(0, n_leaders, size=n)
    person = rng.normal(size=(n, 1)) + rng.normal(size=(n_leaders, 1))[leaders]
    answers = np.clip(np.round(3 + person + 0.8 * rng.normal(size=(n, 59))), 1, 5)
    answers[rng.random(answers.shape) < 0.05] = NAN
    return answers, leaders


# --- flags ------------------------------------------------------------------------------------


def test_straightlining_flags_same_answer_responses_with_enough_answers() -> None:
    answers = np.array([
        [3] * 12,                       # same answer, 12 answered → flagged
        [3] * 9 + [NAN] * 3,            # same answer but only 9 answered → not flagged
        [5, 5, NAN] + [5] * 9,          # same answer on the 11 answered → flagged
        [1, 2] + [3] * 10,              # varied → not flagged
        [NAN] * 12,                     # nothing answered → not flagged
    ], dtype=float)  # fmt: skip
    expected = [True, False, True, False, False]
    np.testing.assert_array_equal(straightlining(answers), expected)
    frame = pd.DataFrame(answers)  # independent: pandas distinct count of the answered values
    independent = (frame.nunique(axis=1) == 1) & (frame.count(axis=1) >= 10)
    np.testing.assert_array_equal(straightlining(answers), independent.to_numpy())
    assert straightlining(answers, min_answered=9).tolist() == [True, True, True, False, False]


def test_speeding_flags_responses_under_two_seconds_per_item() -> None:
    seconds = np.array([30.0, 100.0, NAN, 10.0, 39.9, 40.0])
    answered = np.array([20, 20, 20, 0, 20, 20])
    flags = speeding(seconds, answered)
    assert flags.tolist() == [True, False, False, False, True, False]
    assert speeding(seconds, answered, min_seconds_per_item=6.0).tolist() == [
        True, True, False, False, True, True,
    ]  # fmt: skip


def test_flags_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="2-D"):
        straightlining(np.ones(5))
    with pytest.raises(ValueError, match="positive"):
        speeding([10.0], [5], min_seconds_per_item=0)


# --- the quality table ------------------------------------------------------------------------


def _icc_by_groupby(scores: pd.Series, groups: np.ndarray) -> tuple[float, float]:
    frame = pd.DataFrame({"y": scores.to_numpy(), "g": groups}).dropna()
    stats = frame.groupby("g")["y"].agg(["mean", "count"])
    n, n_groups = len(frame), len(stats)
    msb = (stats["count"] * (stats["mean"] - frame["y"].mean()) ** 2).sum() / (n_groups - 1)
    msw = ((frame["y"] - frame.groupby("g")["y"].transform("mean")) ** 2).sum() / (n - n_groups)
    return (msb - msw) / (msb + (n / n_groups - 1) * msw), (msb - msw) / msb


def test_quality_table_matches_independent_computations_on_non_self_rows() -> None:
    instrument = _instrument()
    answers, leaders = _answers(40, seed=21)
    is_self = np.arange(40) % 5 == 0
    report = instrument_quality(answers, leaders, instrument, is_self=is_self)
    others = pd.DataFrame(answers[~is_self], columns=list(instrument.item_ids))
    assert (report.n_responses, report.n_analysed) == (40, 32)
    for facet, row in zip(instrument.facets, report.facets, strict=True):
        items = others[list(facet.items)]
        scores = items.mean(axis=1).where(items.notna().sum(axis=1) >= 2)
        assert row.facet == facet.id
        assert row.n == scores.notna().sum()
        assert row.alpha == pytest.approx(pg.cronbach_alpha(items)[0], abs=1e-12)
        assert row.mean == pytest.approx(scores.mean(), abs=1e-12)
        assert row.sd == pytest.approx(scores.std(), abs=1e-12)
        assert row.sem == pytest.approx(scores.std() * np.sqrt(1 - row.alpha), abs=1e-12)
        icc1, icc2 = _icc_by_groupby(scores, leaders[~is_self])
        assert (row.icc1, row.icc2) == (pytest.approx(icc1, abs=1e-12), pytest.approx(icc2))
        cov = items.cov().to_numpy()  # pandas: pairwise-complete covariances
        c_i, c_ii = cov.sum(axis=1), np.diag(cov)
        expected = (c_i - c_ii) / np.sqrt(c_ii * (cov.sum() - 2 * c_i + c_ii))  # REFERENCES.md
        np.testing.assert_allclose(list(row.item_total.values()), expected, atol=1e-12)
        assert list(row.item_total) == list(facet.items)
        assert 0 < row.omega < 1


def test_quality_table_ignores_self_ratings_but_still_flags_them() -> None:
    instrument = _instrument()
    answers, leaders = _answers(40, seed=22)
    is_self = np.arange(40) < 4
    changed = answers.copy()
    changed[:4] = 5.0  # self ratings that straight-line
    seconds = np.full(40, 600.0)
    seconds[:2] = 30.0  # 59 answers in 30 s
    base = instrument_quality(answers, leaders, instrument, is_self=is_self)
    other = instrument_quality(changed, leaders, instrument, is_self=is_self, seconds=seconds)
    assert base.facets == other.facets
    assert other.n_straightliners == base.n_straightliners + 4
    assert (base.n_speeders, other.n_speeders) == (None, 2)


def test_quality_table_skips_the_cfa_below_fifty_complete_rows() -> None:
    answers, leaders = _answers(MIN_CFA_ROWS - 1, seed=23)
    report = instrument_quality(answers, leaders, _instrument())
    assert report.cfa is None
    assert report.cfa_note is not None
    assert "at least 50" in report.cfa_note


def test_quality_table_fits_the_two_factor_cfa_and_serialises_to_json() -> None:
    pytest.importorskip("semopy")
    answers, leaders = _answers(150, seed=24)
    answers[:, 52:56] = NAN  # C1 never answered: its figures are NaN → None in JSON
    report = instrument_quality(answers, leaders, _instrument())
    assert report.cfa is not None
    assert report.cfa_note is None
    assert set(report.cfa.loadings) == {f"M{i}" for i in range(1, 7)} | {
        f"L{i}" for i in range(1, 8)
    }
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    c1 = data["facets"][13]
    assert (c1["facet"], c1["n"], c1["alpha"], c1["omega"]) == ("C1", 0, None, None)
    assert data["cfa"]["df"] == report.cfa.df
    assert data["n_speeders"] is None


def test_quality_table_rejects_answers_outside_the_scale_naming_the_item() -> None:
    answers, leaders = _answers(10, seed=25)
    answers[3, 5] = 6
    with pytest.raises(ValueError, match=r"row 3, item M2\.2"):
        instrument_quality(answers, leaders, _instrument())


def test_quality_table_rejects_assessment_codes_of_the_wrong_length() -> None:
    answers, leaders = _answers(10, seed=26)
    with pytest.raises(ValueError, match="one entry per row"):
        instrument_quality(answers, leaders[:5], _instrument())
