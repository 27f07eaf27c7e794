"""Change between two cycles, with the Reliable Change Index (MODEL.md, "Change").

The figures compared are each leader's ``all_others`` facet and axis scores. Whether a change
is real is judged against the measurement error of such a score in the earlier cycle:
SEM = SD √(1 − r), with SD the spread of the score across the cycle's leaders and r its
reliability, ICC(2) of the raters' scores within leaders (the reliability of a mean of raters).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from leadwell.instrument.model import AXES
from leadwell.scoring.psychometrics import reliable_change_index
from leadwell.scoring.result import QUADRANTS, CycleScores
from leadwell.scoring.settings import LABELS

__all__ = ["RELIABLE", "Change", "CycleReliability", "compare", "cycle_reliability"]

#: |RCI| above this is a reliable change at the 5 % level (Jacobson & Truax 1991).
RELIABLE = 1.96
_ALL_OTHERS = LABELS.index("all_others")


@dataclass(frozen=True)
class CycleReliability:
    """Per facet and axis of one cycle: ICC(1), ICC(2) and the SD across leaders."""

    figures: tuple[str, ...]
    icc1: np.ndarray
    icc2: np.ndarray
    sd: np.ndarray
    leaders: np.ndarray


def cycle_reliability(scores: CycleScores) -> CycleReliability:
    """ICC(1)/ICC(2) of non-self respondents' scores within leaders, and the leaders' SD.

    Notes
    -----
    One-way ANOVA from each leader's moments (Bliese 2000): MSB from the leaders' means, MSW
    from the squared deviations within leaders; k̄ = N / G;
    ICC(1) = (MSB − MSW) / (MSB + (k̄ − 1) MSW), ICC(2) = (MSB − MSW) / MSB.
    The SD is the sample SD of the shown ``all_others`` means.
    """
    n = scores.spread.n.astype(np.float64)
    total = scores.spread.total
    groups = (n > 0).sum(axis=0)
    people = n.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        grand = total.sum(axis=0) / people
        leader_means = np.where(n > 0, total / np.where(n > 0, n, 1), 0.0)
        ss_between = (n * (leader_means - grand) ** 2).sum(axis=0)
        ss_within = scores.spread.squares.sum(axis=0)  # squared deviations within leaders
        msb = ss_between / (groups - 1)
        msw = ss_within / (people - groups)
        k_bar = people / groups
        icc1 = (msb - msw) / (msb + (k_bar - 1) * msw)
        icc2 = (msb - msw) / msb
    means = np.concatenate([scores.facets.mean[_ALL_OTHERS], scores.axes.mean[_ALL_OTHERS]], axis=1)
    shown = ~np.isnan(means)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        # A figure shown for one leader only has no SD (NaN); numpy would warn about it.
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = (
            np.nanstd(np.where(shown, means, np.nan), axis=0, ddof=1)
            if len(means) > 1
            else np.full(means.shape[1], np.nan)
        )
    return CycleReliability(
        figures=(*scores.facets.names, *AXES),
        icc1=icc1,
        icc2=icc2,
        sd=sd,
        leaders=shown.sum(axis=0),
    )


@dataclass(frozen=True)
class Change:
    """Matched leaders' all_others scores in two cycles, their change and its RCI."""

    figures: tuple[str, ...]
    assessment_ids: np.ndarray
    before: np.ndarray
    after: np.ndarray
    rci: np.ndarray
    sd: np.ndarray
    reliability: np.ndarray
    quadrant_before: np.ndarray
    quadrant_after: np.ndarray

    @property
    def delta(self) -> np.ndarray:
        out: np.ndarray = self.after - self.before
        return out

    @property
    def reliable(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            out: np.ndarray = np.abs(self.rci) > RELIABLE
        return out

    def assessment(self, i: int) -> dict[str, Any]:
        figures = {}
        for f, name in enumerate(self.figures):
            if np.isnan(self.before[i, f]) or np.isnan(self.after[i, f]):
                continue
            rci = self.rci[i, f]
            figures[name] = {
                "before": float(self.before[i, f]),
                "after": float(self.after[i, f]),
                "delta": float(self.delta[i, f]),
                "rci": None if np.isnan(rci) else float(rci),
                "reliable": bool(self.reliable[i, f]),
            }
        return {
            "assessment": str(self.assessment_ids[i]),
            "quadrant": {
                "before": QUADRANTS[int(self.quadrant_before[i])],
                "after": QUADRANTS[int(self.quadrant_after[i])],
            },
            "figures": figures,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "Reliable Change Index (Jacobson & Truax 1991), |RCI| > 1.96",
            "sd": _floats(self.figures, self.sd),
            "reliability": _floats(self.figures, self.reliability),
            "assessments": [self.assessment(i) for i in range(len(self.assessment_ids))],
        }


def _floats(names: tuple[str, ...], values: np.ndarray) -> dict[str, float | None]:
    return {n: None if np.isnan(v) else float(v) for n, v in zip(names, values, strict=True)}


def compare(
    before: CycleScores,
    after: CycleScores,
    *,
    sd: np.ndarray | None = None,
    reliability: np.ndarray | None = None,
) -> Change:
    """Change of each leader present in both cycles (matched by assessment label).

    Parameters
    ----------
    before, after : CycleScores
        The earlier and the later cycle, scored with the same instrument.
    sd, reliability : ndarray, optional
        Per figure (facets, then axes): the SD and reliability for the RCI. By default both come
        from ``before``: the SD of its leaders' all_others scores and ICC(2).

    Returns
    -------
    Change
        RCI is NaN where SD or reliability is unknown (too few leaders) or reliability is not
        in [0, 1); such a change is never called reliable.
    """
    if before.instrument.facet_ids != after.instrument.facet_ids:
        raise ValueError(
            "the two cycles use instruments with different facets; compare like with like"
        )
    common, first, second = np.intersect1d(
        before.assessment_ids.astype(str), after.assessment_ids.astype(str), return_indices=True
    )
    base = cycle_reliability(before)
    sd = base.sd if sd is None else np.asarray(sd, dtype=np.float64)
    reliability = base.icc2 if reliability is None else np.asarray(reliability, dtype=np.float64)
    x1, x2 = _figures(before)[first], _figures(after)[second]
    usable = (sd > 0) & (reliability >= 0) & (reliability < 1)
    rci = np.full(x1.shape, np.nan)
    if usable.any():
        rci[:, usable] = reliable_change_index(
            x1[:, usable], x2[:, usable], sd=sd[usable], reliability=reliability[usable]
        )
    return Change(
        figures=base.figures,
        assessment_ids=common.astype(object),
        before=x1,
        after=x2,
        rci=rci,
        sd=sd,
        reliability=reliability,
        quadrant_before=before.quadrant[first],
        quadrant_after=after.quadrant[second],
    )


def _figures(scores: CycleScores) -> np.ndarray:
    return np.concatenate([scores.facets.mean[_ALL_OTHERS], scores.axes.mean[_ALL_OTHERS]], axis=1)
