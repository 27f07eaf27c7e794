"""Per-group moments of many figures at once, and the figures built from them.

A figure (an item, facet or axis mean) of a rater group is fully described by five moments of
its contributors' values: count, sum, sum of squares, minimum and maximum. They pool across
groups, so the folded groups ``others`` and ``all_others`` cost one masked sum each, never a
second pass over the answers.

Whole-number answers keep the raw sum of squares, exact in integers. Real-valued scores (facet
and axis scores) keep the sum of squared deviations from their mean instead, pooled with the
formula of Chan, Golub & LeVeque (1983): the raw form would lose the variance of near-equal
scores to rounding (an SD of 1e-8 where it is 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FigureBlock", "Moments", "canonical", "group_moments", "scatter", "segment_moments"]

PLACES = 12  # decimals every shown figure is rounded to (see canonical)


def canonical(values: np.ndarray) -> np.ndarray:
    """Figures rounded to :data:`PLACES` decimals, so that they do not depend on the order the
    answers were summed in: the same answers stored in another order give 3.3749999999999996
    or 3.375, which a report shows as 3.37 or 3.38, and a mean of 3.4999999999999996 would fall
    on the other side of the 3.5 cut. Storage order is random (shuffled when a cycle closes),
    and a figure must not move with it."""
    return np.round(values, PLACES)


_DEPTH = 16  # raters per group held in the padded grid; more go through segment_moments
_FIELDS = ("n", "total", "squares", "low", "high")


@dataclass(frozen=True)
class Moments:
    """Moments of values in groups; every array has the same leading shape.

    ``squares`` is Σx² for integer data and Σ(x − mean)² for real-valued data.
    """

    n: np.ndarray
    total: np.ndarray
    squares: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def union(self, groups: tuple[int, ...], masks: np.ndarray | None = None) -> Moments:
        """Moments of the union of ``groups`` (positions on axis 1), each cell kept where its
        mask is true (``masks[..., j]`` for ``groups[j]``; all cells when ``masks`` is None).
        """
        parts = []
        for j, g in enumerate(groups):
            part = [getattr(self, f)[:, g] for f in _FIELDS]
            if masks is not None:
                keep = masks[..., j]
                blanks: tuple[float | int, ...] = (0, 0, 0)
                blanks += (
                    _extreme(self.low.dtype, high=True),
                    _extreme(self.high.dtype, high=False),
                )
                part = [np.where(keep, values, b) for values, b in zip(part, blanks, strict=True)]
            parts.append(part)
        pooled = Moments(*(np.array(values, copy=True) for values in parts[0]))
        for part in parts[1:]:
            pooled = pooled.combine(Moments(*part))
        return pooled

    def combine(self, other: Moments) -> Moments:
        """Moments of two disjoint sets of contributors to the same cells."""
        n = self.n + other.n
        squares = self.squares + other.squares
        if not np.issubdtype(self.total.dtype, np.integer):
            # Chan et al.: M2 = M2_a + M2_b + (mean_a - mean_b)^2 * n_a * n_b / n.
            with np.errstate(invalid="ignore", divide="ignore"):
                gap = self.total / self.n - other.total / other.n
                extra = gap * gap * self.n * other.n / n
            squares = squares + np.where((self.n > 0) & (other.n > 0), extra, 0.0)
        return Moments(
            n=n,
            total=self.total + other.total,
            squares=squares,
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
    Rows are placed in a padded grid (rank within group, cell, figures): layer ``d`` holds the
    ``d``-th rater of every cell, so the moments are a few contiguous, vectorised operations per
    layer, with no per-cell calls. The rare group with more than ``_DEPTH`` raters sends its
    surplus rows through :func:`segment_moments` and the two results are combined.
    """
    cells = shape[0] * shape[1]
    key = owner.astype(np.int64) * shape[1] + group
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    rank = np.arange(len(key)) - np.repeat(starts, np.diff(np.r_[starts, len(key)]))
    depth = int(min(rank.max(initial=0) + 1, _DEPTH))
    blank = 0 if values.dtype == np.uint8 else np.nan
    grid = np.full((depth, cells, values.shape[1]), blank, dtype=values.dtype)
    inside = rank < depth
    if inside.all():
        grid[rank, key] = values
    else:
        grid[rank[inside], key[inside]] = values[inside]
    moments = _reduce_layers(grid)
    moments = Moments(*(getattr(moments, f).reshape(*shape, -1) for f in _FIELDS))
    if not inside.all():
        rest = ~inside
        rest_key = key[rest]
        rest_starts = np.flatnonzero(np.r_[True, rest_key[1:] != rest_key[:-1]])
        first = np.flatnonzero(rest)[rest_starts]
        surplus = segment_moments(values[rest], rest_starts)
        moments = moments.combine(scatter(surplus, owner[first], group[first], shape))
    return moments


def _reduce_layers(grid: np.ndarray) -> Moments:
    """Moments over the first axis of a (layers, cells, figures) grid, layer by layer."""
    if grid.dtype == np.uint8:
        n = np.zeros(grid.shape[1:], dtype=np.int32)
        total = np.zeros(grid.shape[1:], dtype=np.int32)
        squares = np.zeros(grid.shape[1:], dtype=np.int32)
        shifted_low = np.full(grid.shape[1:], 255, dtype=np.uint8)
        high = np.zeros(grid.shape[1:], dtype=np.uint8)
        for layer in grid:
            n += layer > 0
            total += layer
            squares += layer * layer
            # 0 - 1 wraps to 255, so "not observed" never wins the minimum.
            np.minimum(shifted_low, layer - np.uint8(1), out=shifted_low)
            np.maximum(high, layer, out=high)
        return Moments(n=n, total=total, squares=squares, low=_uint8_low(shifted_low), high=high)
    return _reduce_real_layers(grid)


def _reduce_real_layers(grid: np.ndarray) -> Moments:
    """Real-valued layers (NaN = missing): squares are squared deviations from the mean."""
    n = np.zeros(grid.shape[1:], dtype=np.int32)
    total = np.zeros(grid.shape[1:])
    squares = np.zeros(grid.shape[1:])
    low = np.full(grid.shape[1:], np.inf)
    high = np.full(grid.shape[1:], -np.inf)
    for layer in grid:
        valid = ~np.isnan(layer)
        n += valid
        total += np.where(valid, layer, 0.0)
        np.fmin(low, layer, out=low)  # fmin/fmax ignore NaN
        np.fmax(high, layer, out=high)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
    for layer in grid:  # second pass: squared deviations, robust to rounding
        deviation = layer - mean
        squares += np.where(np.isnan(deviation), 0.0, deviation * deviation)
    return Moments(n=n, total=total, squares=squares, low=low, high=high)


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
    n = np.add.reduceat(valid, starts, axis=0, dtype=np.int32)
    total = np.add.reduceat(zeroed, starts, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.repeat(total / n, np.diff(np.r_[starts, len(values)]), axis=0)
    deviation = np.where(valid, values - mean, 0.0)
    return Moments(
        n=n,
        total=total,
        squares=np.add.reduceat(deviation * deviation, starts, axis=0),
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
        """Write one label's figures for a range of assessments, keeping only shown ones.

        The block starts all hidden, so only shown cells are written.
        """
        if not shown.any():
            return
        n = moments.n.astype(np.float64)
        total = moments.total.astype(np.float64, copy=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / n
            if np.issubdtype(moments.total.dtype, np.integer):
                # Whole-number answers: n·Σx² − (Σx)² is exact in float64 (far below 2^53).
                spread = (n * moments.squares - total * total) / (n * (n - 1))
            else:
                spread = moments.squares / (n - 1)
            sd = np.sqrt(np.maximum(spread, 0.0))
            mean = canonical(mean)
        at = (label, rows, figures)
        np.copyto(self.n[at], moments.n, casting="unsafe", where=shown)
        np.copyto(self.mean[at], mean, where=shown)
        np.copyto(self.sd[at], sd, where=shown & (moments.n > 1))
        np.copyto(self.low[at], moments.low, casting="unsafe", where=shown)
        np.copyto(self.high[at], moments.high, casting="unsafe", where=shown)
