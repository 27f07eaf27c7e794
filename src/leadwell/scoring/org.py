"""Organization insights: leaders side by side, by unit or level, never isolating a few.

The inputs are the all_others figures of :class:`~leadwell.scoring.result.CycleScores`, one row
per leader whose figures are shown (:func:`leader_table`). Segments of leaders (units, levels)
are folded with :func:`fold_segments`, the leader-level twin of the rater-group rule of
MODEL.md (rule 3): no shown figure, nor a difference of shown figures, rests on fewer than
``min_leaders`` leaders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from leadwell.instrument.model import AXES
from leadwell.scoring.result import QUADRANTS, CycleScores
from leadwell.scoring.settings import LABELS

__all__ = [
    "NO_SEGMENT",
    "Distribution",
    "HeatMap",
    "LeaderTable",
    "SegmentFold",
    "fold_segments",
    "heat_map",
    "leader_table",
    "quadrant_distribution",
]

#: Label of the leaders without a unit or level ("" or None in ``segment``).
NO_SEGMENT = "(none)"

_ALL_OTHERS = LABELS.index("all_others")
_INSUFFICIENT = QUADRANTS.index("insufficient")


@dataclass(frozen=True)
class LeaderTable:
    """One row per leader whose all_others figures are shown (quadrant != insufficient).

    ``facets`` follows ``facet_ids`` (the instrument's facet order, caution facet included),
    NaN where a facet is hidden; ``axes`` holds managing and leading; ``quadrant`` indexes
    :data:`QUADRANTS`; ``outcome`` is the mean of the shown all_others outcome item means.
    """

    assessment_ids: np.ndarray
    facets: np.ndarray
    facet_ids: tuple[str, ...]
    axes: np.ndarray
    quadrant: np.ndarray
    outcome: np.ndarray


def leader_table(scores: CycleScores) -> LeaderTable:
    """The all_others figures of every leader with a quadrant, one row each.

    Parameters
    ----------
    scores : CycleScores
        A scored cycle.

    Returns
    -------
    LeaderTable
        Leaders in the order of ``scores.assessment_ids``; leaders with too few anonymous
        raters (quadrant ``insufficient``) are left out.

    Notes
    -----
    ``outcome`` averages the all_others means of the instrument's outcome items (O1..O3) that
    are shown for the leader, each item weighing the same; NaN when none is shown.
    """
    rows = np.flatnonzero(scores.quadrant != _INSUFFICIENT)
    axis_columns = np.array([scores.axes.names.index(axis) for axis in AXES], dtype=np.intp)
    index = scores.instrument.item_index
    outcome_columns = np.array([index[i] for i in scores.instrument.outcome_ids], dtype=np.intp)
    outcome_means = scores.items.mean[_ALL_OTHERS][np.ix_(rows, outcome_columns)]
    seen = ~np.isnan(outcome_means)
    with np.errstate(invalid="ignore", divide="ignore"):
        outcome = np.where(seen, outcome_means, 0.0).sum(axis=1) / seen.sum(axis=1)
    return LeaderTable(
        assessment_ids=np.asarray(scores.assessment_ids, dtype=object)[rows],
        facets=scores.facets.mean[_ALL_OTHERS][rows].astype(np.float64),
        facet_ids=tuple(scores.facets.names),
        axes=scores.axes.mean[_ALL_OTHERS][np.ix_(rows, axis_columns)].astype(np.float64),
        quadrant=scores.quadrant[rows].astype(np.int64),
        outcome=np.asarray(outcome, dtype=np.float64),
    )


@dataclass(frozen=True)
class SegmentFold:
    """Which segments are shown on their own, and which are pooled into the remainder."""

    shown: np.ndarray
    remainder: np.ndarray
    remainder_shown: bool


def fold_segments(n: ArrayLike, min_leaders: int) -> SegmentFold:
    """Decide which segments of leaders are shown, and which pool into a remainder.

    Parameters
    ----------
    n : array_like of int, shape (S,)
        Leaders per segment, in display order.
    min_leaders : int
        The fewest leaders a shown figure may rest on (at least 1).

    Returns
    -------
    SegmentFold
        ``shown`` and ``remainder`` (bool, shape (S,)) and ``remainder_shown``.

    Notes
    -----
    The rule of MODEL.md (rule 3) applied to leaders: a segment with fewer than ``min_leaders``
    leaders is not shown and pools into the remainder. While the remainder holds between 1 and
    ``min_leaders - 1`` leaders, the smallest shown segment (ties: the later one) is folded
    into it. The remainder is shown once it holds at least ``min_leaders``. Then every shown
    segment, the remainder when shown, and the overall minus the shown segments each rest on
    0 or at least ``min_leaders`` leaders. Empty segments are neither shown nor pooled.

    Examples
    --------
    >>> fold = fold_segments([10, 4, 2], 5)
    >>> fold.shown.tolist(), fold.remainder.tolist(), fold.remainder_shown
    ([True, False, False], [False, True, True], True)
    """
    _check_min(min_leaders)
    counts = np.asarray(n)
    if counts.ndim != 1 or (counts.size and not np.issubdtype(counts.dtype, np.integer)):
        raise TypeError("n must be a 1-D array of whole leader counts")
    if (counts < 0).any():
        raise ValueError("n must not hold negative leader counts")
    counts = counts.astype(np.int64)
    shown = counts >= min_leaders
    pooled = ~shown & (counts > 0)
    remainder = int(counts[pooled].sum())
    while 0 < remainder < min_leaders and shown.any():
        sizes = np.where(shown, counts, np.iinfo(np.int64).max)
        smallest = int(np.flatnonzero(sizes == sizes.min())[-1])
        shown[smallest], pooled[smallest] = False, True
        remainder += int(counts[smallest])
    return SegmentFold(shown=shown, remainder=pooled, remainder_shown=remainder >= min_leaders)


@dataclass(frozen=True)
class Distribution:
    """Leaders per quadrant (the first four of :data:`QUADRANTS`) in each segment.

    Rows are the segments in order, then the pooled remainder when any segment was pooled.
    Rows with ``shown`` False have zero ``counts`` and ``n``; ``total`` is zero when fewer
    than ``min_leaders`` leaders were given.
    """

    segments: tuple[str, ...]
    counts: np.ndarray
    n: np.ndarray
    shown: np.ndarray
    total: np.ndarray


def quadrant_distribution(
    quadrant: ArrayLike,
    segment: ArrayLike,
    *,
    min_leaders: int,
    remainder_label: str = "Other",
) -> Distribution:
    """Count leaders per quadrant in each segment, folding small segments.

    Parameters
    ----------
    quadrant : array_like of int, shape (n,)
        Each leader's quadrant code (0-3, positions in :data:`QUADRANTS`; ``insufficient``
        leaders have no quadrant and must be left out).
    segment : array_like of str, shape (n,)
        Each leader's segment; "" or None is labelled :data:`NO_SEGMENT`.
    min_leaders : int
        The fewest leaders a shown row may hold (see :func:`fold_segments`).
    remainder_label : str
        Name of the pooled row; must differ from every segment name.

    Returns
    -------
    Distribution

    Notes
    -----
    Segments keep the order of their first leader, with :data:`NO_SEGMENT` after the named
    ones. Rows are folded with :func:`fold_segments` on leader counts.
    """
    _check_min(min_leaders)
    codes = np.asarray(quadrant)
    names, member = _encode(segment, remainder_label)
    if codes.shape != member.shape or (codes.size and not np.issubdtype(codes.dtype, np.integer)):
        raise ValueError("quadrant must hold one whole quadrant code per leader in segment")
    if ((codes < 0) | (codes >= _INSUFFICIENT)).any():
        raise ValueError("quadrant codes must be 0-3; leave out leaders with no quadrant")
    width = _INSUFFICIENT
    cells = np.bincount(member * width + codes, minlength=len(names) * width)
    counts = cells.reshape(len(names), width)
    fold = fold_segments(counts.sum(axis=1), min_leaders)
    rows, shown = _rows(counts, fold)
    rows = np.where(shown[:, None], rows, 0)
    overall = counts.sum(axis=0)
    return Distribution(
        segments=_labels(names, fold, remainder_label),
        counts=rows,
        n=rows.sum(axis=1),
        shown=shown,
        total=overall if overall.sum() >= min_leaders else np.zeros_like(overall),
    )


@dataclass(frozen=True)
class HeatMap:
    """Mean all_others facet scores per segment (rows as in :class:`Distribution`).

    ``mean`` is NaN and ``n`` is 0 in hidden cells; ``overall`` (NaN where fewer than
    ``min_leaders`` leaders have the facet shown) and ``overall_n`` cover every leader.
    """

    segments: tuple[str, ...]
    facet_ids: tuple[str, ...]
    mean: np.ndarray
    n: np.ndarray
    overall: np.ndarray
    overall_n: np.ndarray


def heat_map(
    facets: ArrayLike,
    segment: ArrayLike,
    facet_ids: Sequence[str],
    *,
    min_leaders: int,
    remainder_label: str = "Other",
) -> HeatMap:
    """Mean facet scores of the leaders of each segment, folding small segments and cells.

    Parameters
    ----------
    facets : array_like of float, shape (n, F)
        Each leader's all_others facet means (NaN where hidden), e.g. ``LeaderTable.facets``.
    segment : array_like of str, shape (n,)
        Each leader's segment; "" or None is labelled :data:`NO_SEGMENT`.
    facet_ids : sequence of str, length F
        Column names.
    min_leaders : int
        The fewest leaders a shown figure may rest on.
    remainder_label : str
        Name of the pooled row; must differ from every segment name.

    Returns
    -------
    HeatMap

    Notes
    -----
    A cell is the unweighted mean over the row's leaders of their facet means (each leader
    counts once, whatever their number of raters). Rows are folded with
    :func:`fold_segments` on leader counts. Within each facet column, the shown rows' cells
    are folded again on the number of leaders with that facet shown: a cell under
    ``min_leaders`` is hidden, and while the hidden cells of the column hold between 1 and
    ``min_leaders - 1`` leaders, the smallest shown cell is hidden too. So the overall minus
    the shown cells of a column never isolates fewer than ``min_leaders`` leaders either.
    """
    _check_min(min_leaders)
    values = np.asarray(facets, dtype=np.float64)
    names, member = _encode(segment, remainder_label)
    if values.ndim != 2 or values.shape[0] != len(member) or values.shape[1] != len(facet_ids):
        raise ValueError(
            f"facets must have shape (leaders, facets) = ({len(member)}, {len(facet_ids)}), "
            f"got {values.shape}"
        )
    seen = ~np.isnan(values)
    zeroed = np.where(seen, values, 0.0)
    size, width = len(names), values.shape[1]
    sums, cells = np.zeros((size, width)), np.zeros((size, width), dtype=np.int64)
    for f in range(width):  # a loop over facets; each bincount is vectorised over leaders
        sums[:, f] = np.bincount(member, zeroed[:, f], size)
        cells[:, f] = np.bincount(member[seen[:, f]], minlength=size)
    fold = fold_segments(np.bincount(member, minlength=size), min_leaders)
    row_sums, _ = _rows(sums, fold)
    row_cells, shown = _rows(cells, fold)
    visible = np.zeros(row_cells.shape, dtype=bool)
    for f in range(width):
        visible[shown, f] = fold_segments(row_cells[shown, f], min_leaders).shown
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(visible, row_sums / row_cells, np.nan)
        overall_n = seen.sum(axis=0)
        overall = np.where(overall_n >= min_leaders, sums.sum(axis=0) / overall_n, np.nan)
    return HeatMap(
        segments=_labels(names, fold, remainder_label),
        facet_ids=tuple(facet_ids),
        mean=mean,
        n=np.where(visible, row_cells, 0),
        overall=overall,
        overall_n=overall_n.astype(np.int64),
    )


def _check_min(min_leaders: int) -> None:
    if isinstance(min_leaders, bool) or not isinstance(min_leaders, int | np.integer):
        raise TypeError(f"min_leaders must be a whole number, got {min_leaders!r}")
    if min_leaders < 1:
        raise ValueError(f"min_leaders must be at least 1, got {min_leaders}")


def _encode(segment: ArrayLike, remainder_label: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Segment names (first-appearance order, :data:`NO_SEGMENT` last) and each leader's code."""
    raw = np.asarray(segment, dtype=object)
    if raw.ndim != 1:
        raise ValueError("segment must be a 1-D array with one entry per leader")
    # None, NaN (a missing value from pandas: NaN != NaN) and "" all mean "no segment".
    missing = (raw == None) | (raw != raw) | (raw == "")  # noqa: E711 (elementwise)
    raw = np.where(missing, NO_SEGMENT, raw)
    unique, first, codes = np.unique(raw.astype(str), return_index=True, return_inverse=True)
    blank = unique == NO_SEGMENT
    # Named segments by first appearance, then the leaders without one.
    order = np.lexsort((first, blank))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    names = tuple(str(name) for name in unique[order])
    if remainder_label in names:
        raise ValueError(
            f"remainder_label {remainder_label!r} is also a segment name; choose another label"
        )
    return names, rank[codes.ravel()]


def _rows(table: np.ndarray, fold: SegmentFold) -> tuple[np.ndarray, np.ndarray]:
    """Per-segment rows plus the pooled remainder row (when any segment was pooled)."""
    shown = fold.shown.copy()
    if not fold.remainder.any():
        return table.copy(), shown
    pooled = table[fold.remainder].sum(axis=0, keepdims=True)
    return np.concatenate([table, pooled]), np.append(shown, fold.remainder_shown)


def _labels(names: tuple[str, ...], fold: SegmentFold, remainder_label: str) -> tuple[str, ...]:
    return (*names, remainder_label) if fold.remainder.any() else names
