"""Drivers of followership: how much each facet accounts for in an outcome, across leaders.

Facets correlate (leaders strong on one are often strong on others), so regression weights
say little about importance. Relative weights (Johnson, 2000) split R² among correlated
predictors and agree closely with general dominance (Budescu, 1993; LeBreton et al., 2004).

References
----------
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
variables in multiple regression. Multivariate Behavioral Research, 35(1), 1-19.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["METHOD", "Drivers", "relative_weights"]

METHOD = "Relative weights (Johnson, 2000)"
_CHUNK = 32  # resamples per matrix product: memory stays at 2 × chunk × leaders numbers
_FLOOR = 1e-10  # eigenvalue of a correlation matrix below which it counts as singular


@dataclass(frozen=True)
class Drivers:
    """Relative weights of predictors of one outcome, with bootstrap percentile intervals.

    ``weights`` sum to ``r2``; ``share`` is ``weights / r2``; ``low``/``high`` and
    ``r2_low``/``r2_high`` bound the ``level`` interval (NaN without resamples); ``n_boot``
    counts the resamples that gave an estimate.
    """

    method: str
    predictors: tuple[str, ...]
    n: int
    r2: float
    r2_low: float
    r2_high: float
    beta: np.ndarray
    weights: np.ndarray
    share: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_boot: int
    level: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures (NaN becomes None); arrays follow ``predictors``."""
        arrays = ("beta", "weights", "share", "low", "high")
        return {
            "method": self.method,
            "predictors": list(self.predictors),
            "n": self.n,
            "n_boot": self.n_boot,
            "level": self.level,
            "r2": _number(self.r2),
            "r2_low": _number(self.r2_low),
            "r2_high": _number(self.r2_high),
            **{name: [_number(v) for v in getattr(self, name)] for name in arrays},
        }


def relative_weights(
    x: ArrayLike,
    y: ArrayLike,
    *,
    predictors: Sequence[str],
    n_boot: int = 500,
    seed: int = 0,
    level: float = 0.95,
) -> Drivers:
    """Relative weights of the predictors of an outcome (Johnson, 2000), with bootstrap CIs.

    Parameters
    ----------
    x : array_like of float, shape (n, p)
        One row per leader, one column per predictor (e.g. all_others facet means).
    y : array_like of float, shape (n,)
        The outcome (e.g. the mean all_others outcome item score).
    predictors : sequence of str, length p
        Names of the columns of ``x``.
    n_boot : int
        Bootstrap resamples of leaders (0 skips the intervals).
    seed : int
        Seed of the resampling; the same seed gives the same intervals.
    level : float
        Coverage of the percentile intervals.

    Returns
    -------
    Drivers

    Raises
    ------
    ValueError
        With fewer than ``p + 10`` complete rows, a constant predictor or outcome, perfectly
        collinear predictors, or inputs of the wrong shape.

    Notes
    -----
    Rows with a missing value (NaN) in any predictor or in the outcome are dropped; ``n``
    counts the rows used. With R_xx = PΛP' the predictors' correlation matrix and r_xy their
    correlations with the outcome, Λ^½ = PΛ^½P' is the correlation between the predictors and
    their closest orthogonal counterparts, β* = Λ^-½ r_xy the outcome's weights on those, and
    the weight of predictor j is ε_j = Σ_k (Λ^½)_jk² β*_k². The weights sum to R² = r_xy'β
    with β = R_xx⁻¹ r_xy the standardised regression coefficients.

    Each bootstrap resample draws n leaders with replacement. Its correlation matrix comes
    from the resample's counts and the leaders' first and second moments in one matrix
    product (counts × moments), so a resample costs a product with the count vector, not a
    pass over copied rows. Percentile intervals use the resamples whose predictors are not
    constant or collinear.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 3))
    >>> y = x @ [0.5, 0.3, 0.0] + rng.normal(size=200)
    >>> d = relative_weights(x, y, predictors=("a", "b", "c"), n_boot=100)
    >>> bool(abs(d.weights.sum() - d.r2) < 1e-12)
    True
    """
    names = tuple(str(name) for name in predictors)
    data = _complete_rows(x, y, names)
    _check_options(n_boot, seed, level)
    z = _standardise(data, names)
    corr = z.T @ z / len(z)
    weights, beta, smallest = _solve(corr[None])
    if smallest[0] < _FLOOR:
        raise ValueError(_collinear(corr[:-1, :-1], names))
    r2 = float(weights[0].sum())
    boot = _bootstrap(z, n_boot, seed)
    valid = boot[~np.isnan(boot).any(axis=1)]
    if len(valid):
        tail = (1.0 - level) / 2.0
        low, high = np.quantile(valid, [tail, 1.0 - tail], axis=0)
    else:
        low = high = np.full(len(names) + 1, np.nan)
    return Drivers(
        method=METHOD,
        predictors=names,
        n=len(z),
        r2=r2,
        r2_low=float(low[-1]),
        r2_high=float(high[-1]),
        beta=beta[0],
        weights=weights[0],
        share=weights[0] / r2 if r2 > 0 else np.full(len(names), np.nan),
        low=low[:-1],
        high=high[:-1],
        n_boot=len(valid),
        level=float(level),
    )


def _complete_rows(x: ArrayLike, y: ArrayLike, names: tuple[str, ...]) -> np.ndarray:
    """Predictors and outcome side by side (outcome last), rows with any NaN dropped."""
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.ndim != 2 or xs.shape[1] != len(names):
        raise ValueError(
            f"x must have one column per predictor ({len(names)}), got shape {xs.shape}"
        )
    if ys.shape != (xs.shape[0],):
        raise ValueError(f"y must have one value per row of x ({xs.shape[0]}), got {ys.shape}")
    data = np.column_stack([xs, ys])
    if np.isinf(data).any():
        raise ValueError("x and y must be finite; use NaN for a missing value")
    data = data[~np.isnan(data).any(axis=1)]
    needed = len(names) + 10
    if len(data) < needed:
        raise ValueError(
            f"relative weights need at least {needed} leaders (predictors + 10) with every "
            f"predictor and the outcome present; {len(data)} have them"
        )
    return data


def _check_options(n_boot: int, seed: int, level: float) -> None:
    for name, value in (("n_boot", n_boot), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")


def _standardise(data: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Centre and scale each column (population SD), so that z'z / n is the correlation."""
    constant = np.ptp(data, axis=0) == 0
    if constant.any():
        labels = [*names, "the outcome"]
        which = ", ".join(labels[i] for i in np.flatnonzero(constant))
        raise ValueError(f"cannot weigh a constant variable: {which} has one value for all")
    centred = data - data.mean(axis=0)
    z: np.ndarray = centred / np.sqrt((centred * centred).mean(axis=0))
    return z


def _solve(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Relative weights, standardised betas and the smallest eigenvalue of R_xx, per matrix.

    ``corr`` is a stack (B, p + 1, p + 1) of correlation matrices with the outcome last.
    """
    rxx, rxy = corr[:, :-1, :-1], corr[:, :-1, -1]
    lam, vec = np.linalg.eigh(rxx)
    root = np.sqrt(np.clip(lam, 0.0, None))
    projected = np.einsum("bkj,bk->bj", vec, rxy)  # P' r_xy
    with np.errstate(invalid="ignore", divide="ignore"):
        beta_star = np.einsum("bjk,bk->bj", vec, projected / root)  # Λ^-½ r_xy
        beta = np.einsum("bjk,bk->bj", vec, projected / lam)  # R_xx⁻¹ r_xy
    half = (vec * root[:, None, :]) @ np.swapaxes(vec, 1, 2)  # Λ^½ = P Λ^½ P'
    weights = np.einsum("bjk,bk->bj", half * half, beta_star * beta_star)
    return weights, beta, lam[:, 0]


def _bootstrap(z: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Relative weights and R² (last column) of ``n_boot`` resamples; NaN rows are degenerate.

    A resample's correlation matrix only needs the count of each leader in it: with the
    counts c, its first moments are c'z / n and its second moments c'(z ⊗ z) / n.
    """
    n, m = z.shape
    upper = np.triu_indices(m)
    design = np.hstack([z, z[:, upper[0]] * z[:, upper[1]]])
    rng = np.random.default_rng(seed)
    out = np.full((n_boot, m), np.nan)
    for start in range(0, n_boot, _CHUNK):
        size = min(_CHUNK, n_boot - start)
        draws = rng.integers(0, n, size=(size, n))
        draws += (np.arange(size) * n)[:, None]
        counts = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n)
        moments = counts.astype(np.float64) @ design / n
        mean = moments[:, :m]
        second = np.zeros((size, m, m))
        second[:, upper[0], upper[1]] = moments[:, m:]
        second[:, upper[1], upper[0]] = moments[:, m:]
        cov = second - mean[:, :, None] * mean[:, None, :]
        sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0.0, None))
        usable = (sd > 1e-12).all(axis=1)
        safe = np.where(usable[:, None], sd, 1.0)
        corr = np.where(
            usable[:, None, None], cov / (safe[:, :, None] * safe[:, None, :]), np.eye(m)
        )
        weights, _, smallest = _solve(corr)
        usable &= smallest >= _FLOOR
        block = np.column_stack([weights, weights.sum(axis=1)])
        out[start : start + size] = np.where(usable[:, None], block, np.nan)
    return out


def _collinear(rxx: np.ndarray, names: tuple[str, ...]) -> str:
    """Name the predictors that load on the (near-)null direction of R_xx."""
    _, vec = np.linalg.eigh(rxx)
    involved = [names[i] for i in np.flatnonzero(np.abs(vec[:, 0]) > 0.1)]
    return (
        "predictors are perfectly collinear (one is a combination of others): "
        f"{', '.join(involved)}; leave one of them out"
    )


def _number(value: float | np.floating[Any]) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number
