"""Thresholds of the scoring contract (MODEL.md), with their defaults."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ANONYMOUS", "GROUPS", "LABELS", "TOLERANCE", "ScoringSettings"]

#: Rater groups as respondents declare them; codes are positions in this tuple.
GROUPS: tuple[str, ...] = ("self", "manager", "peer", "direct", "other")

#: Codes of the anonymous groups (peer, direct, other).
ANONYMOUS: tuple[int, ...] = (2, 3, 4)

#: Scores are ratios of small whole numbers, so two different scores differ by far more than
#: this; a score this close to a threshold is on it (3.4999999999999996 is 3.5 computed in
#: another order, and must not change a leader's quadrant).
TOLERANCE = 1e-9

#: Groups a figure can be shown for: the declared groups, the folded remainder, everyone but self.
LABELS: tuple[str, ...] = (*GROUPS, "others", "all_others")


@dataclass(frozen=True)
class ScoringSettings:
    """The thresholds of the scoring contract.

    Parameters
    ----------
    k : int
        Anonymity threshold: the fewest anonymous raters a shown figure may rest on (never below 2).
    cut : float
        Quadrant cut on both axes (3.5 lies between "sometimes" and "often").
    gap : float
        Self minus all-others difference that names a blind spot (>= gap) or a hidden strength
        (<= -gap).
    min_answered : float
        Share of a facet's items a respondent must answer for their facet score to count.
    """

    k: int = 3
    cut: float = 3.5
    gap: float = 0.5
    min_answered: float = 0.5

    def at_least(self, values: np.ndarray, threshold: float) -> np.ndarray:
        """``values >= threshold``, counting values within :data:`TOLERANCE` of it as on it."""
        with np.errstate(invalid="ignore"):
            out: np.ndarray = values >= threshold - TOLERANCE
        return out

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 2:
            raise ValueError(
                f"k (the anonymity threshold) must be a whole number >= 2, got {self.k!r}"
            )
        if not 1.0 <= self.cut <= 5.0:
            raise ValueError(f"cut must lie on the 1-5 scale, got {self.cut!r}")
        if not 0.0 < self.gap <= 4.0:
            raise ValueError(f"gap must be above 0 and at most 4, got {self.gap!r}")
        if not 0.0 < self.min_answered <= 1.0:
            raise ValueError(f"min_answered must be in (0, 1], got {self.min_answered!r}")
