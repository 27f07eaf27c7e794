"""Each leader's all-others figures straight from the responses: the input of org insights.

:func:`all_others_figures` computes, for every assessment, exactly the ``all_others`` facet,
axis and outcome figures and the quadrant that :func:`leadwell.scoring.score_responses` shows
(MODEL.md rules 1-5), without the other six groups, the items' spread or the rankings. Org
insights read 100,000 leaders at a time and need nothing else; the tests check that both paths
agree figure for figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadwell.instrument.model import AXES, Instrument
from leadwell.scoring.engine import facet_scores
from leadwell.scoring.moments import canonical
from leadwell.scoring.responses import Responses
from leadwell.scoring.result import QUADRANTS
from leadwell.scoring.settings import ANONYMOUS, GROUPS, ScoringSettings

__all__ = ["AllOthers", "all_others_figures"]

_SELF = GROUPS.index("self")


@dataclass(frozen=True)
class AllOthers:
    """The all-others figures of every assessment (NaN where the anonymity rule hides them).

    Attributes
    ----------
    assessment_ids : ndarray of object, shape (A,)
    facet_ids : tuple of str
        Every facet of the instrument, caution scales included, in instrument order.
    facets : ndarray of float, shape (A, F)
    axes : ndarray of float, shape (A, 2)
        Managing and leading, in the order of ``AXES``.
    outcome : ndarray of float, shape (A,)
        Mean of the shown outcome-item means (willing followership).
    quadrant : ndarray of int8, shape (A,)
        Positions in :data:`~leadwell.scoring.result.QUADRANTS`.
    """

    assessment_ids: np.ndarray
    facet_ids: tuple[str, ...]
    facets: np.ndarray
    axes: np.ndarray
    outcome: np.ndarray
    quadrant: np.ndarray


def all_others_figures(
    responses: Responses, instrument: Instrument, settings: ScoringSettings | None = None
) -> AllOthers:
    """The all-others figures and quadrant of every assessment, under the scoring contract.

    Parameters
    ----------
    responses : Responses
        A cycle's responses (any order).
    instrument : Instrument
    settings : ScoringSettings, optional
        ``k``, ``cut`` and ``min_answered`` are used; MODEL.md defaults when omitted.

    Returns
    -------
    AllOthers

    Notes
    -----
    ``all_others`` is everyone but self. A figure (facet mean, outcome-item mean) is shown when
    at least ``k`` anonymous raters contribute to it (rule 3); its value is the mean over all
    its contributors, manager included. An axis is the mean of the shown facet means on it
    (rule 4); the quadrant follows rule 5 with the same tolerance at the cut as the engine.
    """
    settings = settings or ScoringSettings()
    count = len(responses.assessment_ids)
    keep = responses.group != _SELF
    where = responses.assessment[keep]
    anonymous = responses.group[keep] >= ANONYMOUS[0]
    answers = responses.answers[keep]

    facets = _shown_means(
        facet_scores(answers, instrument, settings.min_answered),
        where,
        anonymous,
        count,
        settings.k,
    )
    outcome_columns = [instrument.item_index[i] for i in instrument.outcome_ids]
    outcome_items = answers[:, outcome_columns].astype(np.float64)
    outcome_items[outcome_items == 0] = np.nan
    outcome_means = _shown_means(outcome_items, where, anonymous, count, settings.k)

    axes = np.full((count, len(AXES)), np.nan)
    for x, axis in enumerate(AXES):
        on_axis = [f for f, facet in enumerate(instrument.facets) if facet.axis == axis]
        axes[:, x] = _mean_of_shown(facets[:, on_axis])
    return AllOthers(
        assessment_ids=responses.assessment_ids,
        facet_ids=instrument.facet_ids,
        facets=facets,
        axes=axes,
        outcome=_mean_of_shown(outcome_means),
        quadrant=_quadrants(axes, settings),
    )


def _shown_means(
    values: np.ndarray, where: np.ndarray, anonymous: np.ndarray, count: int, k: int
) -> np.ndarray:
    """Per assessment and column, the mean of the valid values; NaN under k anonymous ones."""
    out = np.full((count, values.shape[1]), np.nan)
    for column in range(values.shape[1]):
        valid = ~np.isnan(values[:, column])
        at = where[valid]
        total = np.bincount(at, weights=values[valid, column], minlength=count)
        n = np.bincount(at, minlength=count)
        n_anonymous = np.bincount(at[anonymous[valid]], minlength=count)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, column] = np.where(n_anonymous >= k, canonical(total / n), np.nan)
    return out


def _mean_of_shown(block: np.ndarray) -> np.ndarray:
    shown = ~np.isnan(block)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: np.ndarray = np.where(shown, block, 0.0).sum(axis=1) / shown.sum(axis=1)
    return canonical(mean)


def _quadrants(axes: np.ndarray, settings: ScoringSettings) -> np.ndarray:
    high_m = settings.at_least(axes[:, AXES.index("managing")], settings.cut)
    high_l = settings.at_least(axes[:, AXES.index("leading")], settings.cut)
    codes = np.select(
        [high_m & high_l, high_m, high_l],
        [QUADRANTS.index(q) for q in ("manager-leader", "optimizer", "catalyst")],
        default=QUADRANTS.index("specialist"),
    )
    missing = np.isnan(axes).any(axis=1)
    return np.where(missing, QUADRANTS.index("insufficient"), codes).astype(np.int8)
