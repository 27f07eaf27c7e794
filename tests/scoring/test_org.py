"""Organization insights (scoring/org.py): the leader table, segment folding, distribution and
heat map.

Expected values are worked by hand in the comments, or recomputed independently with pandas
from the same inputs; the folding rule is checked as properties over random segment sizes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadwell.instrument import default_instrument
from leadwell.scoring import QUADRANTS, score_frame
from leadwell.scoring.org import (
    NO_SEGMENT,
    fold_segments,
    heat_map,
    leader_table,
    quadrant_distribution,
)
from leadwell.simulate import SimulationSettings, simulate

V1 = default_instrument()
ANONYMOUS = ("peer", "direct", "other")
K = 3


# --- fold_segments: worked examples -------------------------------------------------------------


def test_fold_pools_small_segments_and_folds_the_smallest_shown_one_into_a_small_remainder():
    # 3 < 5 pools; the remainder of 3 is under 5, so the smallest shown segment (6) joins it.
    fold = fold_segments(np.array([10, 6, 3]), 5)
    assert fold.shown.tolist() == [True, False, False]
    assert fold.remainder.tolist() == [False, True, True]
    assert fold.remainder_shown is True


def test_fold_breaks_a_tie_between_smallest_shown_segments_by_folding_the_later_one():
    fold = fold_segments(np.array([6, 6, 2]), 5)
    assert fold.shown.tolist() == [True, False, False]
    assert fold.remainder.tolist() == [False, True, True]


def test_fold_shows_nothing_when_all_leaders_together_are_too_few():
    fold = fold_segments(np.array([2, 2]), 5)
    assert not fold.shown.any()
    assert fold.remainder.all()
    assert fold.remainder_shown is False


def test_fold_keeps_every_segment_and_no_remainder_when_all_are_large_enough():
    fold = fold_segments(np.array([5, 7]), 5)
    assert fold.shown.all()
    assert not fold.remainder.any()
    assert fold.remainder_shown is False


def test_fold_neither_shows_nor_pools_an_empty_segment():
    fold = fold_segments(np.array([0, 7]), 5)
    assert fold.shown.tolist() == [False, True]
    assert fold.remainder.tolist() == [False, False]


@pytest.mark.parametrize(
    ("n", "minimum", "error"),
    [([3, 4], 0, ValueError), ([3, -1], 2, ValueError), ([1.5, 2.0], 2, TypeError)],
)
def test_fold_rejects_bad_counts_or_threshold_with_a_clear_error(n, minimum, error):
    with pytest.raises(error, match=r"min_leaders|n must"):
        fold_segments(np.array(n), minimum)


# --- fold_segments: properties ------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(0, 15), max_size=12), st.integers(1, 8))
def test_fold_never_isolates_fewer_than_min_leaders_by_any_shown_figure_or_difference(n, minimum):
    counts = np.array(n, dtype=np.int64)
    fold = fold_segments(counts, minimum)
    total = int(counts.sum())
    assert not (fold.shown & fold.remainder).any()
    assert ((counts > 0) == (fold.shown | fold.remainder)).all()
    assert (counts[fold.shown] >= minimum).all()
    pooled = int(counts[fold.remainder].sum())
    assert fold.remainder_shown == (pooled >= minimum)
    outside = total - int(counts[fold.shown].sum())  # the overall minus the shown segments
    if total >= minimum:
        assert outside == 0 or outside >= minimum
    else:
        assert not fold.shown.any()
        assert not fold.remainder_shown


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(0, 15), max_size=12), st.integers(1, 8))
def test_fold_hides_at_most_one_large_segment_and_only_the_smallest_when_needed(n, minimum):
    counts = np.array(n, dtype=np.int64)
    fold = fold_segments(counts, minimum)
    large = counts >= minimum
    folded = np.flatnonzero(large & fold.remainder)
    small_total = int(counts[~large].sum())
    if small_total == 0 or small_total >= minimum or not large.any():
        assert folded.size == 0  # nothing shown is hidden unless the remainder needs it
    else:
        # One fold lifts the remainder past the threshold, so exactly one large segment goes:
        # the smallest, the later one on ties.
        sizes = np.where(large, counts, np.iinfo(np.int64).max)
        assert folded.tolist() == [int(np.flatnonzero(sizes == sizes.min())[-1])]


# --- quadrant_distribution ----------------------------------------------------------------------


def test_distribution_counts_quadrants_per_segment_and_pools_small_segments_last():
    # Leaders: a has codes 0,1,0 (3 leaders); b has 1,3 (2); c has 0 (1); "" has 2 (1).
    # min 2: c and (none) pool into "Other" with 2 leaders (codes 0 and 2), which is shown.
    quadrant = np.array([0, 1, 1, 2, 3, 0, 0])
    segment = np.array(["a", "b", "a", "", "b", "a", "c"], dtype=object)
    d = quadrant_distribution(quadrant, segment, min_leaders=2)
    assert d.segments == ("a", "b", "c", NO_SEGMENT, "Other")
    assert d.counts.tolist() == [[2, 1, 0, 0], [0, 1, 0, 1], [0] * 4, [0] * 4, [1, 0, 1, 0]]
    assert d.n.tolist() == [3, 2, 0, 0, 2]
    assert d.shown.tolist() == [True, True, False, False, True]
    assert d.total.tolist() == [3, 2, 1, 1]


def test_distribution_hides_the_total_when_the_organization_has_too_few_leaders():
    d = quadrant_distribution(np.array([0, 1]), np.array(["a", "a"], dtype=object), min_leaders=3)
    assert d.total.tolist() == [0, 0, 0, 0]
    assert not d.shown.any()
    assert d.counts.sum() == 0


def test_distribution_refuses_leaders_without_a_quadrant():
    with pytest.raises(ValueError, match="0-3"):
        quadrant_distribution(
            np.array([0, QUADRANTS.index("insufficient")]),
            np.array(["a", "a"], dtype=object),
            min_leaders=1,
        )


def test_distribution_refuses_a_remainder_label_that_names_a_segment():
    with pytest.raises(ValueError, match="remainder_label"):
        quadrant_distribution(
            np.array([0, 1]), np.array(["Other", "x"], dtype=object), min_leaders=1
        )


segment_names = st.sampled_from(["", "Sales", "Ops", "R&D", "HR", "Legal"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), segment_names), max_size=60),
    st.integers(1, 6),
)
def test_distribution_shown_rows_match_a_pandas_crosstab_and_leave_no_small_difference(
    leaders, minimum
):
    quadrant = np.array([q for q, _ in leaders], dtype=np.int64)
    segment = np.array([s for _, s in leaders], dtype=object)
    d = quadrant_distribution(quadrant, segment, min_leaders=minimum, remainder_label="Rest")
    frame = pd.DataFrame({"q": quadrant, "s": np.where(segment == "", NO_SEGMENT, segment)})
    table = pd.crosstab(frame["s"], frame["q"]).reindex(columns=range(4), fill_value=0)
    for row, name in enumerate(d.segments):
        if name != "Rest" and d.shown[row]:
            assert d.counts[row].tolist() == table.loc[name].tolist()
    assert (d.n[d.shown] >= minimum).all()
    assert (d.counts[~d.shown] == 0).all()
    segments = [s for s in d.segments if s != "Rest"]
    assert sorted(segments) == sorted(table.index)
    if len(leaders) >= minimum:
        assert d.total.tolist() == table.sum(axis=0).tolist()
        outside = len(leaders) - int(d.n[d.shown].sum())
        assert outside == 0 or outside >= minimum


# --- heat_map -----------------------------------------------------------------------------------


def test_heat_map_averages_leaders_per_row_and_hides_cells_that_would_isolate_a_leader():
    # Rows (min 2): A and B have 3 leaders, C has 1. C pools (remainder 1), so the later of the
    # tied smallest shown segments (B) folds in: rows A, B (hidden), C (hidden), Other = B + C.
    segment = np.array(["A", "A", "A", "B", "B", "B", "C"], dtype=object)
    nan = np.nan
    facets = np.array(
        [[3, 4], [4, nan], [5, nan], [2, 1], [3, 2], [4, 3], [1, nan]], dtype=np.float64
    )
    hm = heat_map(facets, segment, ("F1", "F2"), min_leaders=2)
    assert hm.segments == ("A", "B", "C", "Other")
    # F1: A = (3+4+5)/3 = 4; Other = (2+3+4+1)/4 = 2.5; overall 22/7.
    # F2: A has one leader with F2 (hidden); Other has 3, but showing it would let the overall
    # (4 leaders) minus Other reveal A's single leader, so it is hidden too. Overall 10/4.
    np.testing.assert_array_equal(hm.mean, [[4.0, nan], [nan, nan], [nan, nan], [2.5, nan]])
    assert hm.n.tolist() == [[3, 0], [0, 0], [0, 0], [4, 0]]
    np.testing.assert_allclose(hm.overall, [22 / 7, 2.5])
    assert hm.overall_n.tolist() == [7, 4]


def test_heat_map_labels_leaders_without_a_segment_and_hides_a_small_overall():
    segment = np.array(["", None, "X"], dtype=object)
    facets = np.array([[1.0], [2.0], [np.nan]])
    hm = heat_map(facets, segment, ("F1",), min_leaders=3)
    assert hm.segments == ("X", NO_SEGMENT, "Other")
    assert np.isnan(hm.mean).all()
    assert (hm.n == 0).all()
    assert np.isnan(hm.overall[0])
    assert hm.overall_n.tolist() == [2]


def test_heat_map_refuses_facets_of_the_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        heat_map(np.zeros((3, 2)), np.array(["a"] * 3, dtype=object), ("F1",), min_leaders=1)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            segment_names,
            st.lists(st.sampled_from([np.nan, 1.5, 3.0, 4.25]), min_size=3, max_size=3),
        ),
        max_size=50,
    ),
    st.integers(1, 5),
)
def test_heat_map_cells_match_pandas_means_and_no_column_isolates_few_leaders(leaders, minimum):
    segment = np.array([s for s, _ in leaders], dtype=object)
    facets = np.array([v for _, v in leaders], dtype=np.float64).reshape(len(leaders), 3)
    hm = heat_map(facets, segment, ("F1", "F2", "F3"), min_leaders=minimum)
    d = quadrant_distribution(np.zeros(len(leaders), dtype=np.int64), segment, min_leaders=minimum)
    assert hm.segments == d.segments
    frame = pd.DataFrame(facets, columns=["F1", "F2", "F3"])
    frame["s"] = np.where(segment == "", NO_SEGMENT, segment)
    by_segment = frame.groupby("s")[["F1", "F2", "F3"]]
    pooled = [s for s, shown in zip(d.segments, d.shown, strict=True) if not shown]
    for row, name in enumerate(hm.segments):
        if name == "Other":
            cells = frame[frame["s"].isin(pooled)][["F1", "F2", "F3"]]
            expected, counts = cells.mean().to_numpy(), cells.count().to_numpy()
        else:
            expected = by_segment.mean().loc[name].to_numpy()
            counts = by_segment.count().loc[name].to_numpy()
        visible = hm.n[row] > 0
        assert not visible.any() or d.shown[row]
        np.testing.assert_allclose(hm.mean[row, visible], expected[visible])
        assert hm.n[row, visible].tolist() == counts[visible].tolist()
        assert (hm.n[row, visible] >= minimum).all()
        assert np.isnan(hm.mean[row, ~visible]).all()
    for f, column in enumerate(["F1", "F2", "F3"]):
        present = int(frame[column].count())
        if present >= minimum:
            assert hm.overall[f] == pytest.approx(frame[column].mean())
            outside = present - int(hm.n[:, f].sum())
            assert outside == 0 or outside >= minimum
        else:
            assert np.isnan(hm.overall[f])
            assert (hm.n[:, f] == 0).all()


# --- leader_table -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cycle():
    sim = simulate(
        SimulationSettings(
            leaders=40,
            seed=11,
            not_observed_rate=0.25,
            group_sizes={"peer": (0, 4), "direct": (0, 4), "other": (0, 2)},
        )
    )
    return sim.responses, score_frame(sim.responses, k=K)


def _expected_figures(frame: pd.DataFrame) -> pd.DataFrame:
    """Per leader, recomputed with pandas: all_others facet means (shown when at least K
    anonymous raters have a facet score), axes (mean of shown facets) and outcome."""
    others = frame[frame["group"] != "self"]
    anonymous = others["group"].isin(ANONYMOUS)
    out = {}
    for facet in V1.facets:
        block = others[list(facet.items)]
        answered = block.notna().sum(axis=1)
        score = block.mean(axis=1).where(answered * 2 >= len(facet.items))
        mean = score.groupby(others["assessment"]).mean()
        raters = score.notna()[anonymous].groupby(others["assessment"][anonymous]).sum()
        out[facet.id] = mean.where(raters.reindex(mean.index, fill_value=0) >= K)
    result = pd.DataFrame(out)
    for axis in ("managing", "leading"):
        result[axis] = result[[f.id for f in V1.facets if f.axis == axis]].mean(axis=1)
    items = []
    for item in V1.outcome_ids:
        mean = others[item].groupby(others["assessment"]).mean()
        raters = others[item][anonymous].notna().groupby(others["assessment"][anonymous]).sum()
        items.append(mean.where(raters.reindex(mean.index, fill_value=0) >= K))
    result["outcome"] = pd.concat(items, axis=1).mean(axis=1)
    return result


def test_leader_table_matches_a_pandas_recomputation_from_the_wide_frame(cycle):
    frame, scores = cycle
    table = leader_table(scores)
    expected = _expected_figures(frame)
    assert table.facet_ids == V1.facet_ids
    assert table.facet_ids[-1] == "C1"
    assert len(table.assessment_ids) >= 10
    for row, leader in enumerate(table.assessment_ids):
        want = expected.loc[leader]
        np.testing.assert_allclose(table.facets[row], want[list(V1.facet_ids)].to_numpy())
        np.testing.assert_allclose(table.axes[row], want[["managing", "leading"]].to_numpy())
        np.testing.assert_allclose(table.outcome[row], want["outcome"])
    assert np.isnan(table.facets).any()  # the test exercises hidden facets too


def test_leader_table_leaves_out_exactly_the_leaders_with_no_shown_axis(cycle):
    frame, scores = cycle
    table = leader_table(scores)
    expected = _expected_figures(frame)
    shown = expected[["managing", "leading"]].notna().all(axis=1)
    assert set(table.assessment_ids) == set(expected.index[shown])
    assert (~shown).any()  # some leaders had too few anonymous raters
    codes = [QUADRANTS.index(scores.quadrant_name(scores.index(a))) for a in table.assessment_ids]
    assert table.quadrant.tolist() == codes
