"""Confirmatory factor analysis (semopy, ML) with fit indices computed as lavaan does.

semopy fits the model; χ², the baseline χ², CFI, TLI, RMSEA (with its 90 % interval) and SRMR
are computed here from the sample and model-implied covariance matrices, so that they match
lavaan's published values (semopy itself uses N − 1 in the RMSEA).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from leadwell.scoring.psychometrics import scale_scores

if TYPE_CHECKING:
    from leadwell.instrument.model import Instrument

__all__ = ["CfaResult", "fit_cfa", "fit_indices", "two_factor_cfa", "two_factor_data"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CfaResult:
    """A fitted CFA: test statistics, fit indices, standardised estimates.

    ``loadings`` maps each item to ``(factor, standardised loading)``; ``factor_correlations``
    maps ``"f1~~f2"`` to the correlation of the two factors.
    """

    n: int
    chi2: float
    df: int
    pvalue: float
    baseline_chi2: float
    baseline_df: int
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci: tuple[float, float]
    srmr: float
    loadings: dict[str, tuple[str, float]]
    factor_correlations: dict[str, float]
    converged: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: plain floats and lists, NaN as ``None``."""
        return {key: _jsonable(value) for key, value in asdict(self).items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _ml_discrepancy(sample: FloatArray, implied: FloatArray) -> float:
    """F_ML = log|Σ| + tr(SΣ⁻¹) − log|S| − p."""
    _, logdet_implied = np.linalg.slogdet(implied)
    _, logdet_sample = np.linalg.slogdet(sample)
    trace = float(np.trace(np.linalg.solve(implied, sample)))
    return float(logdet_implied + trace - logdet_sample - sample.shape[0])


def _rmsea_ci(chi2: float, df: int, n: int) -> tuple[float, float]:
    """90 % interval of the RMSEA by inverting the noncentral χ² CDF, as lavaan does."""
    if df < 1 or not math.isfinite(chi2):
        return float("nan"), float("nan")

    def cdf_minus(ncp: float, target: float) -> float:
        return (
            float(stats.ncx2.cdf(chi2, df, ncp) if ncp > 0 else stats.chi2.cdf(chi2, df)) - target
        )

    bounds: list[float] = []
    for target in (0.95, 0.05):
        upper = max(float(n), 4.0 * chi2)
        if cdf_minus(0.0, target) < 0 or cdf_minus(upper, target) > 0:
            bounds.append(0.0)
            continue
        ncp = optimize.brentq(cdf_minus, 0.0, upper, args=(target,), xtol=1e-12)
        bounds.append(math.sqrt(ncp / (n * df)))
    return bounds[0], bounds[1]


def fit_indices(
    sample: npt.ArrayLike, implied: npt.ArrayLike, n: int, df: int
) -> dict[str, float | tuple[float, float]]:
    """χ², baseline χ², CFI, TLI, RMSEA (+ 90 % CI) and SRMR from S, Σ̂, N and df.

    Parameters
    ----------
    sample : array_like, shape (p, p)
        Sample covariance matrix with divisor N (the ML estimate).
    implied : array_like, shape (p, p)
        Model-implied covariance matrix.
    n : int
        Number of observations.
    df : int
        Degrees of freedom of the model.

    Returns
    -------
    dict
        Keys ``chi2``, ``pvalue``, ``baseline_chi2``, ``baseline_df``, ``cfi``, ``tli``,
        ``rmsea``, ``rmsea_ci`` and ``srmr``.

    Notes
    -----
    χ² = N·F_ML; the baseline is the independence model Σ_b = diag(S), df_b = p(p − 1)/2.
    RMSEA = √(max(χ² − df, 0)/(df·N)); CFI = 1 − max(χ² − df, 0)/max(χ²_b − df_b, χ² − df, 0);
    TLI = (χ²_b/df_b − χ²/df)/(χ²_b/df_b − 1); SRMR (Bentler) = √(mean of the squared
    residual correlations (s_ij − σ̂_ij)/√(s_ii s_jj) over the lower triangle incl. diagonal).

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1–36. (``fitMeasures``: ``cfi``, ``tli``, ``rmsea``,
    ``rmsea.ci.lower/upper``, ``srmr``).
    """
    s, sigma = np.asarray(sample, dtype=np.float64), np.asarray(implied, dtype=np.float64)
    p = s.shape[0]
    chi2 = n * _ml_discrepancy(s, sigma)
    base_df = p * (p - 1) // 2
    base_chi2 = n * _ml_discrepancy(s, np.diag(np.diag(s)))
    excess, base_excess = max(chi2 - df, 0.0), max(base_chi2 - base_df, 0.0)
    denominator = max(base_excess, excess)
    inv_sd = 1.0 / np.sqrt(np.diag(s))
    resid = (s - sigma) * np.outer(inv_sd, inv_sd)
    nan = float("nan")
    return {
        "chi2": chi2,
        "pvalue": float(stats.chi2.sf(chi2, df)) if df > 0 else nan,
        "baseline_chi2": base_chi2,
        "baseline_df": base_df,
        "cfi": 1.0 - excess / denominator if denominator > 0 else 1.0,
        "tli": (base_chi2 / base_df - chi2 / df) / (base_chi2 / base_df - 1.0) if df > 0 else nan,
        "rmsea": math.sqrt(excess / (df * n)) if df > 0 else nan,
        "rmsea_ci": _rmsea_ci(chi2, df, n),
        "srmr": float(np.sqrt(np.mean(resid[np.tril_indices(p)] ** 2))),
    }


def _validate(data: pd.DataFrame, factors: dict[str, list[str]]) -> list[str]:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    items = [item for indicators in factors.values() for item in indicators]
    missing = [item for item in items if item not in data.columns]
    if missing:
        raise ValueError(f"factor indicators not in the data: {', '.join(missing)}")
    if len(set(items)) != len(items):
        raise ValueError("each item may load on one factor only")
    if not factors or any(len(indicators) < 2 for indicators in factors.values()):
        raise ValueError("every factor needs at least 2 indicators")
    if len(factors) == 1 and len(items) < 3:
        raise ValueError("a one-factor model needs at least 3 indicators")
    for name in factors:
        if not name.isidentifier() or name in items:
            raise ValueError(f"factor name {name!r} must be an identifier distinct from items")
    return items


def _standardised(
    estimates: pd.DataFrame, factors: dict[str, list[str]], implied: FloatArray, items: list[str]
) -> tuple[dict[str, tuple[str, float]], dict[str, float]]:
    rows = zip(
        estimates["lval"].astype(str),
        estimates["op"].astype(str),
        estimates["rval"].astype(str),
        estimates["Estimate"].astype(float),
        strict=True,
    )
    cov: dict[tuple[str, str], float] = {}
    raw: dict[str, float] = {}
    for lval, op, rval, value in rows:
        if op == "~~":
            cov[lval, rval] = cov[rval, lval] = float(value)
        elif op == "~":
            raw[lval] = float(value)
    variance = dict(zip(items, np.diag(implied), strict=True))
    loadings = {
        item: (name, raw[item] * math.sqrt(cov[name, name] / variance[item]))
        for name, indicators in factors.items()
        for item in indicators
    }
    names = list(factors)
    correlations = {
        f"{a}~~{b}": cov[a, b] / math.sqrt(cov[a, a] * cov[b, b])
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    }
    return loadings, correlations


def fit_cfa(data: pd.DataFrame, factors: dict[str, list[str]]) -> CfaResult:
    """Fit a CFA with correlated factors by maximum likelihood (semopy).

    Parameters
    ----------
    data : pandas.DataFrame
        One column per indicator; rows with a missing value in any indicator are dropped.
    factors : dict of str to list of str
        Factor name → its indicators (each item on one factor, at least 2 per factor).

    Returns
    -------
    CfaResult
        χ² test, baseline χ², CFI, TLI, RMSEA with 90 % CI, SRMR (see :func:`fit_indices`),
        standardised loadings (std.all) and factor correlations.

    Notes
    -----
    The first indicator of each factor has its loading fixed to 1; free parameters are the
    other loadings, the factor (co)variances and the residual variances, so
    df = p(p + 1)/2 − (2p + m(m − 1)/2) with p indicators and m factors.
    """
    import semopy  # lazy: importing semopy takes seconds

    items = _validate(data, factors)
    complete = data[items].astype(np.float64).dropna()
    n, p, m = len(complete), len(items), len(factors)
    df = p * (p + 1) // 2 - (2 * p + m * (m - 1) // 2)
    if n <= p:
        raise ValueError(f"a CFA on {p} indicators needs more than {p} complete rows, got {n}")
    model = semopy.Model("\n".join(f"{f} =~ {' + '.join(ind)}" for f, ind in factors.items()))
    solution = model.fit(complete, obj="MLW")
    order = list(model.vars["observed"])
    position = [order.index(item) for item in items]
    implied = np.asarray(model.calc_sigma()[0], dtype=np.float64)[np.ix_(position, position)]
    sample = np.cov(complete.to_numpy(), rowvar=False, ddof=0)
    indices = fit_indices(sample, implied, n, df)
    loadings, correlations = _standardised(model.inspect(), factors, implied, items)
    return CfaResult(
        n=n, df=df, loadings=loadings, factor_correlations=correlations,
        converged=bool(solution.success), **indices,  # type: ignore[arg-type]
    )  # fmt: skip


def two_factor_data(answers: npt.ArrayLike, instrument: Instrument) -> pd.DataFrame:
    """Respondent-level facet scores of the managing and leading facets, complete rows only.

    Parameters
    ----------
    answers : array_like, shape (n_respondents, n_items)
        Answers in the instrument's canonical item order; NaN = not observed.
    instrument : leadwell.instrument.model.Instrument

    Returns
    -------
    pandas.DataFrame
        One column per managing/leading facet (instrument order). Facet score = mean of the
        answered items, missing when fewer than half are answered (MODEL.md rule 1); rows with
        any missing facet score are dropped.
    """
    arr = np.asarray(answers, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != len(instrument.items):
        raise ValueError(
            f"answers must be respondents × {len(instrument.items)} items "
            f"(the instrument's canonical order), got shape {arr.shape}"
        )
    facets = [f.id for f in instrument.facets if f.axis in ("managing", "leading")]
    columns = instrument.facet_columns
    scores = {fid: scale_scores(arr, columns[fid]) for fid in facets}
    return pd.DataFrame(scores).dropna().reset_index(drop=True)


def two_factor_cfa(answers: npt.ArrayLike, instrument: Instrument) -> CfaResult:
    """The two-factor model of leadwell: ``managing`` (M facets) and ``leading`` (L facets).

    Parameters
    ----------
    answers : array_like, shape (n_respondents, n_items)
        Answers in the instrument's canonical item order; NaN = not observed.
    instrument : leadwell.instrument.model.Instrument
        Supplies the facets, their axes and item positions.

    Returns
    -------
    CfaResult
        The fit of the correlated two-factor model on the facet scores (:func:`fit_cfa`).
    """
    data = two_factor_data(answers, instrument)
    factors = {
        axis: [f.id for f in instrument.facets if f.axis == axis]
        for axis in ("managing", "leading")
    }
    return fit_cfa(data, factors)
