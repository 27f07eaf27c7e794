"""Reliability and agreement: alpha, omega, item-total, ICCs, SEM/RCI and rwg(J).

Every function computes at full precision and returns NaN (never raises) when the data are too
few for the figure; malformed input (wrong shape, impossible parameters) raises ``ValueError``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize

__all__ = [
    "corrected_item_total",
    "cronbach_alpha",
    "icc_nested",
    "icc_shrout_fleiss",
    "omega_total",
    "one_factor_ml",
    "reliable_change_index",
    "rwg_j",
    "scale_scores",
    "standard_error_of_measurement",
]

FloatArray = npt.NDArray[np.float64]
NanPolicy = Literal["pairwise", "listwise"]


def _as_matrix(x: npt.ArrayLike, name: str, min_cols: int = 2) -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (respondents × items), got {arr.ndim}-D")
    if arr.shape[1] < min_cols:
        raise ValueError(f"{name} needs at least {min_cols} item columns, got {arr.shape[1]}")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains infinite values; use NaN for a missing answer")
    return arr


def _covariance(x: FloatArray, nan_policy: NanPolicy) -> FloatArray:
    """Sample covariance (ddof 1), listwise or from pairwise-complete pairs (as pandas)."""
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    elif nan_policy != "pairwise":
        raise ValueError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}")
    observed = (~np.isnan(x)).astype(np.float64)
    filled = np.where(observed > 0, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Centring on the column means first keeps the sums of products small.
        centre = np.nan_to_num(filled.sum(axis=0) / observed.sum(axis=0))
        centred = (filled - centre) * observed
        n = observed.T @ observed
        sums = centred.T @ observed  # [i, j]: sum of item i over the rows where j is observed
        cov = (centred.T @ centred - sums * sums.T / n) / (n - 1)
    cov[n < 2] = np.nan
    return np.asarray(cov, dtype=np.float64)


def cronbach_alpha(x: npt.ArrayLike, *, nan_policy: NanPolicy = "pairwise") -> float:
    """Cronbach's alpha of a respondents × items matrix.

    Parameters
    ----------
    x : array_like, shape (n_respondents, n_items)
        Item answers; NaN marks a missing answer.
    nan_policy : {"pairwise", "listwise"}
        ``"pairwise"`` estimates each covariance from the rows where both items are answered;
        ``"listwise"`` drops every row with a missing answer first.

    Returns
    -------
    float
        Alpha; NaN when a covariance has fewer than 2 rows or the total variance is zero.

    Notes
    -----
    α = k/(k − 1) · (1 − tr C / 1′C1), C the item covariance matrix (ddof 1).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16, 297–334.

    Examples
    --------
    >>> round(cronbach_alpha([[1, 2], [2, 3], [3, 3]]), 4)
    0.8571
    """
    cov = _covariance(_as_matrix(x, "x"), nan_policy)
    k = cov.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(k / (k - 1) * (1.0 - np.trace(cov) / cov.sum()))


def corrected_item_total(x: npt.ArrayLike, *, nan_policy: NanPolicy = "pairwise") -> FloatArray:
    """Correlation of each item with the sum of the other items.

    Parameters
    ----------
    x : array_like, shape (n_respondents, n_items)
        Item answers; NaN marks a missing answer.
    nan_policy : {"pairwise", "listwise"}
        How the covariance matrix is estimated (see :func:`cronbach_alpha`).

    Returns
    -------
    numpy.ndarray, shape (n_items,)
        One correlation per item (NaN where undefined).

    Notes
    -----
    r_i = (c_i − c_ii) / √(c_ii (1′C1 − 2c_i + c_ii)), with c_i the row sum of C.
    """
    cov = _covariance(_as_matrix(x, "x"), nan_policy)
    row, diag = cov.sum(axis=1), np.diag(cov)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(
            (row - diag) / np.sqrt(diag * (cov.sum() - 2.0 * row + diag)), dtype=np.float64
        )


def _ml_objective(params: FloatArray, corr: FloatArray) -> tuple[float, FloatArray]:
    k = corr.shape[0]
    lam, theta = params[:k], params[k:]
    sigma = np.outer(lam, lam) + np.diag(theta)
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        return np.inf, np.zeros_like(params)
    inv = np.linalg.inv(sigma)
    grad_sigma = inv - inv @ corr @ inv  # dF/dΣ of F = log|Σ| + tr(SΣ⁻¹)
    value = logdet + float(np.sum(inv * corr))
    return value, np.concatenate([2.0 * grad_sigma @ lam, np.diag(grad_sigma)])


def one_factor_ml(cov: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Maximum-likelihood one-factor model of a covariance matrix (factor variance 1).

    Parameters
    ----------
    cov : array_like, shape (k, k)
        A covariance matrix with positive variances, k ≥ 3.

    Returns
    -------
    loadings, uniquenesses : numpy.ndarray, shape (k,)
        λ (oriented so that Σλ ≥ 0) and θ (residual variances, bounded below by 1e-8 of the
        item variance, i.e. Heywood cases stop at the boundary).

    Notes
    -----
    Minimises F = log|Σ| + tr(SΣ⁻¹) − log|S| − k with Σ = λλ′ + diag(θ), on the correlation
    matrix (ML is scale-equivariant), then rescales by the standard deviations.
    """
    s = np.asarray(cov, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape[0] < 3:
        raise ValueError("one_factor_ml needs a square covariance matrix of at least 3 items")
    sd = np.sqrt(np.diag(s))
    if not np.all(np.isfinite(s)) or not np.all(sd > 0):
        raise ValueError("the covariance matrix must be finite with positive variances")
    corr = s / np.outer(sd, sd)
    k = corr.shape[0]
    eigval, eigvec = np.linalg.eigh(corr)
    lam0 = eigvec[:, -1] * np.sqrt(eigval[-1]) * 0.9
    start = np.concatenate([lam0, np.clip(1.0 - lam0**2, 0.05, 1.0)])
    bounds = [(None, None)] * k + [(1e-8, None)] * k
    fit = optimize.minimize(
        _ml_objective, start, args=(corr,), jac=True, method="L-BFGS-B", bounds=bounds,
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000},
    )  # fmt: skip
    # Not checking fit.success: with this tight ftol L-BFGS-B may end its line search
    # "abnormally" at the optimum (projected gradient ~1e-8 in simulations).
    lam, theta = fit.x[:k], fit.x[k:]
    if lam.sum() < 0:
        lam = -lam
    return np.asarray(lam * sd, dtype=np.float64), np.asarray(theta * sd**2, dtype=np.float64)


def omega_total(x: npt.ArrayLike) -> float:
    """McDonald's omega total from a one-factor ML model of the listwise covariance matrix.

    Parameters
    ----------
    x : array_like, shape (n_respondents, n_items)
        Item answers, at least 3 items; rows with a missing answer are dropped.

    Returns
    -------
    float
        Omega, or NaN with fewer than ``n_items + 1`` complete rows or a zero-variance item.

    Notes
    -----
    ω = (Σλ)² / ((Σλ)² + Σθ), λ the loadings and θ the residual variances of the one-factor
    model with the factor variance fixed to 1 (see :func:`one_factor_ml`).

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Mahwah, NJ: Erlbaum.
    """
    arr = _as_matrix(x, "x", min_cols=3)
    complete = arr[~np.isnan(arr).any(axis=1)]
    if complete.shape[0] <= arr.shape[1]:
        return float("nan")
    cov = np.cov(complete, rowvar=False)
    if not np.all(np.diag(cov) > 0):
        return float("nan")
    lam, theta = one_factor_ml(cov)
    common = lam.sum() ** 2
    return float(common / (common + theta.sum()))


def scale_scores(answers: npt.ArrayLike, columns: npt.ArrayLike) -> FloatArray:
    """Per-respondent mean of the answered items in ``columns`` (MODEL.md rule 1).

    Parameters
    ----------
    answers : array_like, shape (n_respondents, n_items)
        Answers; NaN = not observed.
    columns : array_like of int
        Positions of the scale's items.

    Returns
    -------
    numpy.ndarray, shape (n_respondents,)
        Mean of the answered items; NaN when fewer than half of them are answered.
    """
    arr = np.asarray(answers, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"answers must be a 2-D array, got {arr.ndim}-D")
    sub = arr[:, np.asarray(columns, dtype=np.intp)]
    answered = (~np.isnan(sub)).sum(axis=1)
    total = np.where(np.isnan(sub), 0.0, sub).sum(axis=1)
    ok = answered * 2 >= sub.shape[1]
    return np.where(ok & (answered > 0), total / np.maximum(answered, 1), np.nan)


def icc_nested(scores: npt.ArrayLike, groups: npt.ArrayLike) -> tuple[float, float]:
    """ICC(1) and ICC(2) of raters nested in targets (Bliese), from a one-way ANOVA.

    Parameters
    ----------
    scores : array_like, shape (n,)
        One score per rater; NaN scores are dropped.
    groups : array_like, shape (n,)
        The target (e.g. leader) of each rater, any hashable labels.

    Returns
    -------
    icc1, icc2 : float
        NaN with fewer than 2 groups or no within-group degrees of freedom.

    Notes
    -----
    ICC(1) = (MSB − MSW) / (MSB + (k̄ − 1) MSW) with k̄ = N/G; ICC(2) = (MSB − MSW) / MSB.

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In
    K. J. Klein & S. W. Kozlowski (Eds.), *Multilevel theory, research, and methods in
    organizations* (pp. 349–381). Jossey-Bass.
    """
    y = np.asarray(scores, dtype=np.float64).ravel()
    g = np.asarray(groups).ravel()
    if y.shape != g.shape:
        raise ValueError(f"scores ({y.size}) and groups ({g.size}) must have the same length")
    keep = ~np.isnan(y)
    y = y[keep]
    _, codes = np.unique(g[keep], return_inverse=True)
    sizes = np.bincount(codes).astype(np.float64)  # every code occurs: no empty groups
    n, n_groups = y.size, sizes.size
    if n_groups < 2 or n <= n_groups:
        return float("nan"), float("nan")
    means = np.bincount(codes, weights=y) / sizes
    grand = y.mean()
    msb = float(np.sum(sizes * (means - grand) ** 2) / (n_groups - 1))
    msw = float(np.sum((y - means[codes]) ** 2) / (n - n_groups))
    k_bar = n / n_groups
    with np.errstate(invalid="ignore", divide="ignore"):
        icc1 = (msb - msw) / (msb + (k_bar - 1.0) * msw)
        icc2 = (msb - msw) / msb if msb > 0 else float("nan")
    return float(icc1), float(icc2)


def icc_shrout_fleiss(matrix: npt.ArrayLike) -> dict[str, float]:
    """The six Shrout & Fleiss intraclass correlations of a complete targets × judges matrix.

    Parameters
    ----------
    matrix : array_like, shape (n_targets, n_judges)
        Complete ratings (no NaN), at least 2 targets and 2 judges.

    Returns
    -------
    dict
        Keys ``"ICC(1,1)"``, ``"ICC(2,1)"``, ``"ICC(3,1)"``, ``"ICC(1,k)"``, ``"ICC(2,k)"``,
        ``"ICC(3,k)"``.

    Notes
    -----
    BMS, WMS, JMS, EMS: mean squares between targets, within targets, of judges, residual.
    ICC(1,1) = (BMS − WMS)/(BMS + (k−1)WMS); ICC(1,k) = (BMS − WMS)/BMS;
    ICC(2,1) = (BMS − EMS)/(BMS + (k−1)EMS + k(JMS − EMS)/n);
    ICC(2,k) = (BMS − EMS)/(BMS + (JMS − EMS)/n);
    ICC(3,1) = (BMS − EMS)/(BMS + (k−1)EMS); ICC(3,k) = (BMS − EMS)/BMS.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
    reliability. Psychological Bulletin, 86, 420–428.
    """
    x = _as_matrix(matrix, "matrix")
    n, k = x.shape
    if n < 2 or np.isnan(x).any():
        raise ValueError("icc_shrout_fleiss needs a complete matrix with at least 2 targets")
    grand = x.mean()
    ss_targets = k * np.sum((x.mean(axis=1) - grand) ** 2)
    ss_judges = n * np.sum((x.mean(axis=0) - grand) ** 2)
    ss_total = np.sum((x - grand) ** 2)
    bms = ss_targets / (n - 1)
    wms = (ss_total - ss_targets) / (n * (k - 1))
    jms = ss_judges / (k - 1)
    ems = (ss_total - ss_targets - ss_judges) / ((n - 1) * (k - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "ICC(1,1)": float((bms - wms) / (bms + (k - 1) * wms)),
            "ICC(2,1)": float((bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)),
            "ICC(3,1)": float((bms - ems) / (bms + (k - 1) * ems)),
            "ICC(1,k)": float((bms - wms) / bms),
            "ICC(2,k)": float((bms - ems) / (bms + (jms - ems) / n)),
            "ICC(3,k)": float((bms - ems) / bms),
        }


def _check_sd_reliability(sd: FloatArray, reliability: FloatArray, *, allow_one: bool) -> None:
    if np.isnan(sd).any() or np.any(sd <= 0):
        raise ValueError("sd must be a positive number (no NaN)")
    upper_ok = reliability <= 1 if allow_one else reliability < 1
    if np.isnan(reliability).any() or not np.all((reliability >= 0) & upper_ok):
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"reliability must lie in {interval} (no NaN)")


def standard_error_of_measurement(
    sd: npt.ArrayLike, reliability: npt.ArrayLike
) -> float | FloatArray:
    """Standard error of measurement, SEM = SD √(1 − rₓₓ); broadcasts over arrays.

    ``reliability`` must lie in [0, 1]: at 1 the SEM is 0, which is well defined (unlike the
    RCI, see :func:`reliable_change_index`). ``sd`` must be positive.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to
    defining meaningful change in psychotherapy research. J. Consult. Clin. Psychol., 59, 12–19.
    """
    s, r = np.asarray(sd, dtype=np.float64), np.asarray(reliability, dtype=np.float64)
    _check_sd_reliability(s, r, allow_one=True)
    out = s * np.sqrt(1.0 - r)
    return float(out) if out.ndim == 0 else out


def reliable_change_index(
    before: npt.ArrayLike,
    after: npt.ArrayLike,
    *,
    sd: npt.ArrayLike,
    reliability: npt.ArrayLike,
) -> float | FloatArray:
    """Jacobson–Truax reliable change index; broadcasts over arrays.

    Parameters
    ----------
    before, after : array_like
        Scores at the two occasions (NaN gives NaN).
    sd, reliability : array_like
        SD (> 0) and reliability of the score. Reliability must lie in [0, 1): at 1, S_diff is
        0 and every change would be infinitely "reliable", so it is rejected.

    Returns
    -------
    float or numpy.ndarray
        RCI; |RCI| > 1.96 is a reliable change at the 5 % level.

    Notes
    -----
    SEM = SD √(1 − rₓₓ); S_diff = √(2 SEM²); RCI = (x₂ − x₁) / S_diff.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). J. Consult. Clin. Psychol., 59, 12–19.
    """
    s, r = np.asarray(sd, dtype=np.float64), np.asarray(reliability, dtype=np.float64)
    _check_sd_reliability(s, r, allow_one=False)
    s_diff = np.sqrt(2.0 * (s * np.sqrt(1.0 - r)) ** 2)
    out = (np.asarray(after, dtype=np.float64) - np.asarray(before, dtype=np.float64)) / s_diff
    return float(out) if out.ndim == 0 else out


def rwg_j(x: npt.ArrayLike, *, n_points: int = 5) -> float:
    """Within-group agreement rwg(J) of one facet's items among one target's raters.

    Parameters
    ----------
    x : array_like, shape (n_raters, n_items)
        Answers of the raters to the facet's items; NaN marks "not observed".
    n_points : int
        Number of response options A; the uniform null variance is σ²E = (A² − 1)/12 (2 for 5).

    Returns
    -------
    float
        rwg(J); NaN when no item has answers from at least 2 raters.

    Notes
    -----
    s² is the mean of the item sample variances (ddof 1; each over the raters who answered
    it; items with fewer than 2 answers are left out, and J counts the items used).
    rwg(J) = J(1 − s²/σ²E) / (J(1 − s²/σ²E) + s²/σ²E), set to 0 when s² ≥ σ²E (MODEL.md rule 8).

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
    reliability with and without response bias. J. Appl. Psychol., 69, 85–98.
    """
    arr = _as_matrix(x, "x", min_cols=1)
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    sigma2_e = (n_points**2 - 1) / 12.0
    answered = (~np.isnan(arr)).sum(axis=0)
    usable = arr[:, answered >= 2]
    if usable.shape[1] == 0:
        return float("nan")
    s2 = float(np.mean(np.nanvar(usable, axis=0, ddof=1)))
    if s2 >= sigma2_e:
        return 0.0
    j, ratio = usable.shape[1], s2 / sigma2_e
    return float(j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio))
