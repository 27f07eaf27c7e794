"""Property tests: no shown figure, or difference of shown figures, rests on fewer than k
anonymous raters (MODEL.md, scoring contract rule 3), over random rater mixes.

Everything the checks compare with is rebuilt from the frame itself: who answered an item, who
has a facet score (at least half of the facet's items answered) and which group they are in.
Only the engine's *output* (which labels it shows, and their numbers) is read back.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadwell.instrument import default_instrument
from leadwell.instrument.model import AXES
from leadwell.scoring import LABELS, CycleScores, score_frame

V1 = default_instrument()
ITEMS = V1.item_ids
ANONYMOUS = ("peer", "direct", "other")
TIE_ORDER = ("other", "direct", "peer")  # who is folded first among equally small groups
NOT_OBSERVED = (0.0, 0.1, 0.3, 0.6, 0.9)


# --- random cycles ----------------------------------------------------------------------------


@st.composite
def cycles(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    """A wide frame of 1-3 assessments with random rater mixes, and a threshold k in 2..5."""
    k = draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows: list[dict[str, Any]] = []
    for a in range(draw(st.integers(1, 3))):
        sizes = {
            "self": draw(st.integers(0, 1)),
            "manager": draw(st.integers(0, 2)),
            **{g: draw(st.integers(0, 7)) for g in ANONYMOUS},
        }
        for group, size in sizes.items():
            for r in range(size):
                rate = draw(st.sampled_from(NOT_OBSERVED))
                answers = rng.integers(1, 6, size=len(ITEMS)).astype(float)
                answers[rng.random(len(ITEMS)) < rate] = np.nan
                row: dict[str, Any] = {"assessment": f"A{a}", "group": group}
                row.update(zip(ITEMS, answers, strict=True))
                if group == "self":
                    row.update({item: np.nan for item in V1.outcome_ids})
                row["keep"] = f"{a}-{group}-{r}" if rng.random() < 0.7 else ""
                rows.append(row)
    if not rows:  # an empty file is an error elsewhere; here one manager keeps the frame valid
        rows.append(
            {"assessment": "A0", "group": "manager", "keep": "", **dict.fromkeys(ITEMS, 3.0)}
        )
    return pd.DataFrame(rows), k


# --- the contract, rebuilt independently ------------------------------------------------------


def expected_labels(contributors: Counter[str], k: int) -> set[str]:
    """Rule 3 as MODEL.md words it, for one figure given its contributors per group."""
    labels = {g for g in ("self", "manager") if contributors[g] > 0}
    alone = {g for g in ANONYMOUS if contributors[g] >= k}
    remainder = sum(contributors[g] for g in ANONYMOUS if g not in alone)
    while 0 < remainder < k and alone:
        smallest = min(alone, key=lambda g: (contributors[g], TIE_ORDER.index(g)))
        alone.discard(smallest)
        remainder += contributors[smallest]
    labels |= alone
    if remainder >= k:
        labels.add("others")
    if sum(contributors[g] for g in ANONYMOUS) >= k:
        labels.add("all_others")
    return labels


def members(
    label: str, contributing: np.ndarray, groups: np.ndarray, labels: set[str]
) -> np.ndarray:
    """The raters (row mask) behind a shown label of one figure."""
    anonymous = np.isin(groups, ANONYMOUS)
    if label == "all_others":
        return contributing & (groups != "self")
    if label == "others":
        alone = [g for g in ANONYMOUS if g in labels]
        return contributing & anonymous & ~np.isin(groups, alone)
    return contributing & (groups == label)


def check_figure(
    stats: dict[str, Any], values: np.ndarray, groups: np.ndarray, k: int, where: str
) -> dict[str, np.ndarray]:
    """Check one figure's shown labels; return each shown label's rater mask."""
    contributing = ~np.isnan(values)
    labels = set(stats)
    anonymous = np.isin(groups, ANONYMOUS)
    behind = {label: members(label, contributing, groups, labels) for label in labels}
    for label, mask in behind.items():
        mine = values[mask]
        assert stats[label]["n"] == len(mine), (where, label)
        assert abs(stats[label]["mean"] - mine.sum() / len(mine)) <= 1e-9, (where, label)
        assert (stats[label]["min"], stats[label]["max"]) == (mine.min(), mine.max()), where
    # The partition of the anonymous raters induced by the shown sets: no atom under k.
    shown_anonymous = [label for label in labels if label not in ("self", "manager")]
    signatures = Counter(
        frozenset(label for label in shown_anonymous if behind[label][r])
        for r in np.flatnonzero(anonymous)
    )
    for signature, size in signatures.items():
        assert not signature or size >= k, (where, sorted(signature), size)
    # And the labels are exactly those rule 3 shows (not merely safe: nothing over-hidden).
    assert labels == expected_labels(Counter(groups[contributing]), k), where
    return behind


def facet_score_matrix(answers: np.ndarray) -> np.ndarray:
    """Rule 1: mean of the answered items, NaN when fewer than half of them are answered."""
    out = np.full((len(answers), len(V1.facets)), np.nan)
    for f, facet in enumerate(V1.facets):
        block = answers[:, [ITEMS.index(item) for item in facet.items]]
        answered = (~np.isnan(block)).sum(axis=1)
        enough = answered * 2 >= len(facet.items)
        out[enough, f] = np.nansum(block[enough], axis=1) / answered[enough]
    return out


def check_assessment(scores: CycleScores, rows: pd.DataFrame, k: int) -> None:
    result = scores.assessment(scores.index(rows["assessment"].iloc[0]))
    groups = rows["group"].to_numpy(dtype=object)
    answers = rows[list(ITEMS)].to_numpy(dtype=float)
    for j, item in enumerate(ITEMS):
        check_figure(result["items"].get(item, {}), answers[:, j], groups, k, item)
    facet_values = facet_score_matrix(answers)
    facet_members = {
        facet.id: check_figure(
            result["facets"].get(facet.id, {}), facet_values[:, f], groups, k, facet.id
        )
        for f, facet in enumerate(V1.facets)
    }
    check_axes(result, facet_members, k)
    check_comments(result, rows, groups, k)


def check_axes(result: dict[str, Any], facet_members: dict[str, Any], k: int) -> None:
    """Rule 4: an axis figure is the mean of the label's shown facet means on the axis."""
    for axis in AXES:
        facet_ids = [f.id for f in V1.facets if f.axis == axis]
        axis_stats = result["axes"].get(axis, {})
        labels = {label for f in facet_ids for label in result["facets"].get(f, {})}
        assert set(axis_stats) == labels, axis
        for label in labels:
            on_axis = [f for f in facet_ids if label in facet_members[f]]
            means = [result["facets"][f][label]["mean"] for f in on_axis]
            assert abs(axis_stats[label]["mean"] - sum(means) / len(means)) <= 1e-12, axis
            raters = np.any([facet_members[f][label] for f in on_axis], axis=0)
            assert axis_stats[label]["n"] == raters.sum(), (axis, label)
            if label not in ("self", "manager"):
                assert axis_stats[label]["n"] >= k


def check_comments(result: dict[str, Any], rows: pd.DataFrame, groups: np.ndarray, k: int) -> None:
    """Rule 9: comments only with k anonymous respondents; pooled, sorted, never self's."""
    if np.isin(groups, ANONYMOUS).sum() < k:
        assert result["comments"] is None
        return
    texts = rows.loc[(groups != "self") & (rows["keep"] != ""), "keep"]
    assert result["comments"]["keep"] == sorted(texts)


def check_hidden_everywhere(scores: CycleScores) -> None:
    """Hidden figures: n == 0 and NaN in the arrays, absent from the dict and the tidy frame."""
    tidy = scores.tidy()
    tidy_keys = set(
        zip(tidy["assessment"], tidy["figure"].astype(str), tidy["group"].astype(str), strict=True)
    )
    dict_keys = set()
    for result in scores.iter_assessments():
        for kind in ("axes", "facets", "items"):
            for figure, labels in result[kind].items():
                dict_keys |= {(result["assessment"], figure, label) for label in labels}
    assert tidy_keys == dict_keys
    assert len(tidy) == len(tidy_keys)
    for block in (scores.items, scores.facets, scores.axes):
        hidden = block.n == 0
        assert np.isnan(block.mean[hidden]).all()
        assert np.isnan(block.sd[hidden]).all()
        assert not np.isnan(block.mean[~hidden]).any()
        for g, a, f in zip(*np.nonzero(hidden), strict=True):
            key = (str(scores.assessment_ids[a]), block.names[f], LABELS[g])
            assert key not in dict_keys


# --- the properties ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cycles())
def test_no_shown_figure_or_difference_rests_on_fewer_than_k_anonymous_raters(
    cycle: tuple[pd.DataFrame, int],
) -> None:
    data, k = cycle
    scores = score_frame(data, k=k)
    for _, rows in data.groupby("assessment", sort=True):
        check_assessment(scores, rows, k)
    check_hidden_everywhere(scores)


@settings(max_examples=30, deadline=None)
@given(cycles(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing_shown(cycle: tuple[pd.DataFrame, int], random: Any) -> None:
    data, k = cycle
    order = list(range(len(data)))
    random.shuffle(order)
    before = score_frame(data, k=k)
    after = score_frame(data.iloc[order].reset_index(drop=True), k=k)
    for block in ("items", "facets", "axes"):
        np.testing.assert_array_equal(getattr(before, block).n, getattr(after, block).n)
        np.testing.assert_allclose(
            getattr(before, block).mean, getattr(after, block).mean, rtol=0, atol=1e-12
        )
    assert [r["comments"] for r in before.iter_assessments()] == [
        r["comments"] for r in after.iter_assessments()
    ]
