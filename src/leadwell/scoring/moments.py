"""Per-group moments of many figures at once, and the figures built from them.

A figure (an item, facet or axis mean) of a rater group is fully described by five moments of
its contributors' values: count, sum, sum of squares, minimum and maximum. They add across groups,
so the folded groups ``others`` and ``all_others`` cost one masked sum each, never a second pass
over the answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FigureBlock", "Moments", "group_moments", "scatter", "segment_moments"]

_DEPTH = 16  # raters per group held in the padded grid; more go through segment_moments


@dataclass(frozen=True)
class Moments:
    """Moments of values in groups; every array has the same leading shape."""

    n: np.ndarray
    total: np.ndarray
    squares: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def pooled(self, inside: np.ndarray, axis: int) -> Moments:
        """Moments of the union of the groups where ``inside`` is true along ``axis``."""
        big = _extreme(self.low.dtype, high=True)
        small = _extreme(self.high.dtype, high=False)
        return Moments(
            n=np.where(inside, self.n, 0).sum(axis=axis),
            total=np.where(inside, self.total, 0).sum(axis=axis),
            squares=np.where(inside, self.squares, 0).sum(axis=axis),
            low=np.where(inside, self.low, big).min(axis=axis),
            high=np.where(inside, self.high, small).max(axis=axis),
        )

    def combine(self, other: Moments) -> Moments:
        """Moments of two disjoint sets of contributors to the same cells."""
        return Moments(
            n=self.n + other.n,
            total=self.total + other.total,
            squares=self.squares + other.squares,
            low=np.minimum(self.low, other.low),
            high=np.maximum(self.high, other.high),
        )


def group_moments(
    values: np.ndarray, owner: np.ndarray, group: np.ndarray, shape: tuple[int, int]
) -> Moments:
    """Moments per (assessment, group) cell of rows sorted by assessment, then group.

    Parameters
    ----------
    values : ndarray, shape (rows, figures)
        ``uint8`` answers (0 = not observed) or floats (NaN = missing).
    owner, group : ndarray of int, shape (rows,)
        Each row's assessment (0-based within ``shape``) and group code, sorted by both.
    shape : tuple of int
        (assessments, groups) of the dense result.

    Notes
    -----
    Rows are placed in a padded grid (assessments, groups, rank within group, figures) and
    reduced along the rank axis: contiguous, vectorised reductions with no per-segment calls.
    The rare group with more than ``_DEPTH`` raters sends its surplus rows through
    :func:`segment_moments` and the two results are combined.
    """
    key = owner.astype(np.int64) * shape[1] + group
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    rank = np.arange(len(key)) - np.repeat(starts, np.diff(np.r_[starts, len(key)]))
    depth = int(min(rank.max(initial=0) + 1, _DEPTH))
    blank = 0 if values.dtype == np.uint8 else np.nan
    grid = np.full((*shape, depth, values.shape[1]), blank, dtype=values.dtype)
    inside = rank < depth
    if inside.all():
        grid[owner, group, rank] = values
    else:
        grid[owner[inside], group[inside], rank[inside]] = values[inside]
    moments = _reduce_grid(grid)
    if not inside.all():
        rest = ~inside
        rest_key = key[rest]
        rest_starts = np.flatnonzero(np.r_[True, rest_key[1:] != rest_key[:-1]])
        first = np.flatnonzero(rest)[rest_starts]
        surplus = segment_moments(values[rest], rest_starts)
        moments = moments.combine(scatter(surplus, owner[first], group[first], shape))
    return moments


def _reduce_grid(grid: np.ndarray) -> Moments:
    if grid.dtype == np.uint8:
        return Moments(
            n=np.count_nonzero(grid, axis=2).astype(np.int32),
            total=grid.sum(axis=2, dtype=np.int32),
            squares=(grid * grid).sum(axis=2, dtype=np.int32),
            low=_uint8_low((grid - np.uint8(1)).min(axis=2)),
            high=grid.max(axis=2),
        )
    valid = ~np.isnan(grid)
    zeroed = np.where(valid, grid, 0.0)
    return Moments(
        n=valid.sum(axis=2, dtype=np.int32),
        total=zeroed.sum(axis=2),
        squares=(zeroed * zeroed).sum(axis=2),
        low=np.where(valid, grid, np.inf).min(axis=2),
        high=np.where(valid, grid, -np.inf).max(axis=2),
    )


def _extreme(dtype: np.dtype, *, high: bool) -> float | int:
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return int(info.max if high else info.min)
    return float(np.inf if high else -np.inf)


def segment_moments(values: np.ndarray, starts: np.ndarray) -> Moments:
    """Moments of consecutive row segments of a 2-D array (rows are contributors).

    Parameters
    ----------
    values : ndarray, shape (rows, figures)
        ``uint8`` answers with 0 for "not observed", or floats with NaN for missing.
    starts : ndarray of int
        First row of each segment, increasing; segments run to the next start.
    """
    if values.dtype == np.uint8:
        # Squares of 1..5 fit in uint8; 0 - 1 wraps to 255, so "not observed" never wins a min.
        return Moments(
            n=np.add.reduceat(values > 0, starts, axis=0, dtype=np.int32),
            total=np.add.reduceat(values, starts, axis=0, dtype=np.int32),
            squares=np.add.reduceat(values * values, starts, axis=0, dtype=np.int32),
            low=_uint8_low(np.minimum.reduceat(values - np.uint8(1), starts, axis=0)),
            high=np.maximum.reduceat(values, starts, axis=0),
        )
    valid = ~np.isnan(values)
    zeroed = np.where(valid, values, 0.0)
    return Moments(
        n=np.add.reduceat(valid, starts, axis=0, dtype=np.int32),
        total=np.add.reduceat(zeroed, starts, axis=0),
        squares=np.add.reduceat(zeroed * zeroed, starts, axis=0),
        low=np.minimum.reduceat(np.where(valid, values, np.inf), starts, axis=0),
        high=np.maximum.reduceat(np.where(valid, values, -np.inf), starts, axis=0),
    )


def _uint8_low(shifted: np.ndarray) -> np.ndarray:
    """Undo the shift by one, keeping 255 (no answer) as the neutral element of a minimum."""
    return np.where(shifted == 255, shifted, shifted + np.uint8(1))


def scatter(
    moments: Moments, rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]
) -> Moments:
    """Place segment moments into a dense (rows, cols, figures) grid; absent cells are empty."""

    def place(values: np.ndarray, blank: float | int) -> np.ndarray:
        grid = np.full((*shape, values.shape[1]), blank, dtype=values.dtype)
        grid[rows, cols] = values
        return grid

    return Moments(
        n=place(moments.n, 0),
        total=place(moments.total, 0),
        squares=place(moments.squares, 0),
        low=place(moments.low, _extreme(moments.low.dtype, high=True)),
        high=place(moments.high, _extreme(moments.high.dtype, high=False)),
    )


@dataclass(frozen=True)
class FigureBlock:
    """Shown figures of one kind (items, facets or axes) for every assessment and label.

    Arrays have shape (labels, assessments, figures): one label's figures are contiguous. A
    hidden figure has ``n == 0`` and NaN statistics (0 for integer extremes), so nothing hidden
    can leak through an output that forgets to check. Item extremes are whole answers and kept
    as ``uint8`` to save memory.
    """

    names: tuple[str, ...]
    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def empty(
        cls, names: tuple[str, ...], shape: tuple[int, int, int], extremes: type = np.float64
    ) -> FigureBlock:
        """Blocks of ``shape`` (labels, assessments, figures) with every figure hidden."""
        blank = 0 if np.issubdtype(extremes, np.integer) else np.nan
        return cls(
            names=names,
            n=np.zeros(shape, dtype=np.uint16),
            mean=np.full(shape, np.nan),
            sd=np.full(shape, np.nan),
            low=np.full(shape, blank, dtype=extremes),
            high=np.full(shape, blank, dtype=extremes),
        )

    @property
    def shown(self) -> np.ndarray:
        return self.n > 0

    def fill(
        self,
        rows: slice,
        label: int,
        moments: Moments,
        shown: np.ndarray,
        figures: slice = slice(None),
    ) -> None:
        """Write one label's figures for a range of assessments, keeping only shown ones."""
        n = np.where(shown, moments.n, 0).astype(np.int64)
        safe = np.maximum(n, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = moments.total / safe
            if np.issubdtype(moments.total.dtype, np.integer):
                # Exact integer numerator: n * sum(x^2) - (sum x)^2.
                total = moments.total.astype(np.int64)
                spread = (n * moments.squares - total * total) / (safe * (n - 1))
            else:
                spread = (moments.squares - moments.total * mean) / (n - 1)
        sd = np.sqrt(np.maximum(spread, 0.0))
        self.n[label, rows, figures] = n
        self.mean[label, rows, figures] = np.where(shown, mean, np.nan)
        self.sd[label, rows, figures] = np.where(shown & (n > 1), sd, np.nan)
        blank = 0 if np.issubdtype(self.low.dtype, np.integer) else np.nan
        self.low[label, rows, figures] = np.where(shown, moments.low, blank)
        self.high[label, rows, figures] = np.where(shown, moments.high, blank)
