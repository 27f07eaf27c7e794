"""Response-quality flags and the admin's instrument-quality table.

Everything is vectorised over respondents; the only loop runs over the instrument's facets.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from leadwell.scoring.cfa import CfaResult, fit_cfa, two_factor_data
from leadwell.scoring.psychometrics import (
    corrected_item_total,
    cronbach_alpha,
    icc_nested,
    omega_total,
    scale_scores,
)

if TYPE_CHECKING:
    from leadwell.instrument.model import Facet, Instrument

__all__ = [
    "MIN_CFA_ROWS",
    "FacetQuality",
    "QualityReport",
    "instrument_quality",
    "speeding",
    "straightlining",
]

#: Fewest complete rows of facet scores for which the two-factor CFA is attempted.
MIN_CFA_ROWS = 50

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def straightlining(answers: npt.ArrayLike, *, min_answered: int = 10) -> BoolArray:
    """Flag responses that gave the same answer to every item they answered.

    Parameters
    ----------
    answers : array_like, shape (n_respondents, n_items)
        Answers; NaN = not observed.
    min_answered : int
        A response is flagged only when it answered at least this many items.

    Returns
    -------
    numpy.ndarray of bool, shape (n_respondents,)
    """
    arr = np.asarray(answers, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"answers must be a 2-D array (respondents × items), got {arr.ndim}-D")
    if min_answered < 1:
        raise ValueError(f"min_answered must be at least 1, got {min_answered}")
    answered = (~np.isnan(arr)).sum(axis=1)
    if arr.shape[1] == 0:
        return np.zeros(arr.shape[0], dtype=np.bool_)
    # fmax/fmin ignore NaN, so rows need no masking; all-NaN rows fail the count test.
    same = np.fmax.reduce(arr, axis=1) == np.fmin.reduce(arr, axis=1)
    return np.asarray(same & (answered >= min_answered), dtype=np.bool_)


def speeding(
    seconds: npt.ArrayLike, n_answered: npt.ArrayLike, *, min_seconds_per_item: float = 2.0
) -> BoolArray:
    """Flag responses completed faster than ``min_seconds_per_item`` per answered item.

    Parameters
    ----------
    seconds : array_like
        Time taken per response; NaN (unknown) is never flagged.
    n_answered : array_like
        Items answered per response (broadcast against ``seconds``).
    min_seconds_per_item : float
        Threshold, > 0.

    Returns
    -------
    numpy.ndarray of bool
        ``seconds < min_seconds_per_item · n_answered``.
    """
    if not min_seconds_per_item > 0:
        raise ValueError(f"min_seconds_per_item must be positive, got {min_seconds_per_item}")
    secs = np.asarray(seconds, dtype=np.float64)
    count = np.asarray(n_answered, dtype=np.float64)
    if np.any(secs < 0) or np.any(count < 0):
        raise ValueError("seconds and n_answered must not be negative")
    return np.asarray(secs < min_seconds_per_item * count, dtype=np.bool_)


@dataclass(frozen=True)
class FacetQuality:
    """Reliability and agreement of one facet (non-self respondents)."""

    facet: str
    n: int
    alpha: float
    omega: float
    mean: float
    sd: float
    sem: float
    icc1: float
    icc2: float
    item_total: dict[str, float]


@dataclass(frozen=True)
class QualityReport:
    """The instrument-quality table shown to admins."""

    n_responses: int
    n_analysed: int
    facets: tuple[FacetQuality, ...]
    cfa: CfaResult | None
    cfa_note: str | None
    n_straightliners: int
    n_speeders: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: plain floats and lists, NaN as ``None``."""
        out = {key: _jsonable(value) for key, value in asdict(self).items() if key != "cfa"}
        out["cfa"] = None if self.cfa is None else self.cfa.to_dict()
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value


def _facet_quality(
    facet: Facet, items: FloatArray, scores: FloatArray, groups: npt.NDArray[Any]
) -> FacetQuality:
    valid = scores[~np.isnan(scores)]
    sd = float(np.std(valid, ddof=1)) if valid.size > 1 else float("nan")
    alpha = cronbach_alpha(items)
    sem = sd * math.sqrt(1.0 - alpha) if 0.0 <= alpha <= 1.0 else float("nan")
    icc1, icc2 = icc_nested(scores, groups)
    return FacetQuality(
        facet=facet.id,
        n=int(valid.size),
        alpha=alpha,
        omega=omega_total(items) if items.shape[1] >= 3 else float("nan"),
        mean=float(valid.mean()) if valid.size else float("nan"),
        sd=sd,
        sem=sem,
        icc1=icc1,
        icc2=icc2,
        item_total=dict(zip(facet.items, corrected_item_total(items).tolist(), strict=True)),
    )


def _two_factor(answers: FloatArray, instrument: Instrument) -> tuple[CfaResult | None, str | None]:
    data = two_factor_data(answers, instrument)
    if len(data) < MIN_CFA_ROWS:
        return None, (
            f"two-factor CFA skipped: {len(data)} respondents with every managing and leading "
            f"facet score, at least {MIN_CFA_ROWS} needed"
        )
    factors = {
        axis: [f.id for f in instrument.facets if f.axis == axis]
        for axis in ("managing", "leading")
    }
    try:
        return fit_cfa(data, factors), None
    except (ValueError, np.linalg.LinAlgError) as error:
        return None, f"two-factor CFA failed: {error}"


def instrument_quality(
    answers: npt.ArrayLike,
    assessment_codes: npt.ArrayLike,
    instrument: Instrument,
    *,
    is_self: npt.ArrayLike | None = None,
    seconds: npt.ArrayLike | None = None,
) -> QualityReport:
    """Reliability, agreement, factor structure and response quality of an instrument.

    Parameters
    ----------
    answers : array_like, shape (n_respondents, n_items)
        Answers in the instrument's canonical item order (1..scale max; NaN = not observed).
    assessment_codes : array_like, shape (n_respondents,)
        The assessment (leader) each response belongs to; the groups of ICC(1)/ICC(2).
    instrument : leadwell.instrument.model.Instrument
        Facets, their items and axes.
    is_self : array_like of bool, optional
        Marks self ratings; these are left out of every facet statistic and of the CFA (but
        still checked for straight-lining and speeding).
    seconds : array_like, optional
        Time taken per response; without it the speeder count is ``None``.

    Returns
    -------
    QualityReport
        Per facet: n, alpha (pairwise), omega (listwise one-factor ML), mean and SD of the
        facet scores, SEM = SD √(1 − α), ICC(1), ICC(2) and corrected item-total per item;
        the two-factor CFA (``None`` with a note below 50 complete rows); flag counts.
    """
    arr = np.asarray(answers, dtype=np.float64)
    n_items = len(instrument.items)
    if arr.ndim != 2 or arr.shape[1] != n_items:
        raise ValueError(f"answers must be respondents × {n_items} items, got shape {arr.shape}")
    valid = np.isnan(arr) | ((arr >= 1) & (arr <= instrument.scale_max))
    if not valid.all():
        row, col = np.argwhere(~valid)[0]
        item = instrument.item_ids[col]
        raise ValueError(
            f"answer {float(arr[row, col]):g} in row {row}, item {item} is outside "
            f"1..{instrument.scale_max}"
        )
    codes = np.asarray(assessment_codes)
    self_mask = np.zeros(arr.shape[0], np.bool_) if is_self is None else np.asarray(is_self, bool)
    shapes = [codes.shape, self_mask.shape] + ([] if seconds is None else [np.shape(seconds)])
    if any(shape != (arr.shape[0],) for shape in shapes):
        raise ValueError("assessment_codes, is_self and seconds need one entry per row of answers")
    others, groups = arr[~self_mask], codes[~self_mask]
    facets = tuple(
        _facet_quality(
            facet,
            others[:, instrument.facet_columns[facet.id]],
            scale_scores(others, instrument.facet_columns[facet.id]),
            groups,
        )
        for facet in instrument.facets
    )
    cfa, note = _two_factor(others, instrument)
    n_answered = (~np.isnan(arr)).sum(axis=1)
    return QualityReport(
        n_responses=int(arr.shape[0]),
        n_analysed=int(others.shape[0]),
        facets=facets,
        cfa=cfa,
        cfa_note=note,
        n_straightliners=int(straightlining(arr).sum()),
        n_speeders=None if seconds is None else int(speeding(seconds, n_answered).sum()),
    )
