"""What follows from the shown figures: gaps, quadrant, ranked items, pooled comments."""

from __future__ import annotations

import numpy as np

from leadwell.instrument.model import AXES, Instrument
from leadwell.scoring.moments import FigureBlock, Moments
from leadwell.scoring.responses import Responses
from leadwell.scoring.result import QUADRANTS, CycleScores
from leadwell.scoring.settings import ANONYMOUS, GROUPS, LABELS, ScoringSettings

__all__ = ["build_result"]

_SELF, _ALL_OTHERS = LABELS.index("self"), LABELS.index("all_others")
_RANKED = 5


def build_result(
    *,
    responses: Responses,
    instrument: Instrument,
    settings: ScoringSettings,
    items: FigureBlock,
    facets: FigureBlock,
    axes: FigureBlock,
    rwg: np.ndarray,
    spread: Moments,
) -> CycleScores:
    """Assemble :class:`CycleScores` from the filled figure blocks (rules 5-7 and 9).

    ``responses`` must be sorted by assessment (the engine sorts them): comments are kept as
    they came and pooled per assessment only when an output asks for them.
    """
    count = len(responses.assessment_ids)
    group_counts = np.bincount(responses.key(), minlength=count * len(GROUPS)).reshape(
        count, len(GROUPS)
    )
    gaps, flags = _gaps(facets, instrument, settings)
    anonymous = group_counts[:, list(ANONYMOUS)].sum(axis=1)
    return CycleScores(
        instrument=instrument,
        settings=settings,
        assessment_ids=responses.assessment_ids,
        group_counts=group_counts,
        items=items,
        facets=facets,
        axes=axes,
        rwg=rwg,
        gaps=gaps,
        gap_flags=flags,
        quadrant=_quadrant(axes, settings),
        top_items=_ranked(items, instrument, top=True),
        bottom_items=_ranked(items, instrument, top=False),
        comment_text=responses.comments,
        comment_group=responses.group,
        row_offsets=np.searchsorted(responses.assessment, np.arange(count + 1)),
        comments_shown=anonymous >= settings.k,
        spread=spread,
    )


def _gaps(
    facets: FigureBlock, instrument: Instrument, settings: ScoringSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Self minus all_others per facet (rule 6).

    On a caution scale a higher score is worse, so the flags swap: others seeing more command
    and control than the leader sees is the blind spot.
    """
    gaps = facets.mean[_SELF] - facets.mean[_ALL_OTHERS]
    flags = np.zeros(gaps.shape, dtype=np.int8)
    flags[settings.at_least(gaps, settings.gap)] = 1
    flags[settings.at_least(-gaps, settings.gap)] = -1
    caution = np.array([f.is_caution for f in instrument.facets])
    flags[:, caution] *= -1
    return gaps, flags


def _quadrant(axes: FigureBlock, settings: ScoringSettings) -> np.ndarray:
    """Rule 5: the quadrant from the all_others axis scores."""
    managing = axes.mean[_ALL_OTHERS, :, AXES.index("managing")]
    leading = axes.mean[_ALL_OTHERS, :, AXES.index("leading")]
    high_m = settings.at_least(managing, settings.cut)
    high_l = settings.at_least(leading, settings.cut)
    codes = np.select(
        [high_m & high_l, high_m, high_l],
        [
            QUADRANTS.index("manager-leader"),
            QUADRANTS.index("optimizer"),
            QUADRANTS.index("catalyst"),
        ],
        default=QUADRANTS.index("specialist"),
    )
    insufficient = np.isnan(managing) | np.isnan(leading)
    return np.where(insufficient, QUADRANTS.index("insufficient"), codes).astype(np.int8)


def _ranked(items: FigureBlock, instrument: Instrument, *, top: bool) -> np.ndarray:
    """Rule 7: five highest or lowest behaviour items by all_others mean, ties in item order.

    Behaviour items are those of the two axes' facets: outcome items are not behaviours, and a
    high caution item is not a strength.
    """
    behaviour = np.array(
        [
            item.facet is not None and not instrument.facet_by_id[item.facet].is_caution
            for item in instrument.items
        ]
    )
    means = items.mean[_ALL_OTHERS]
    key = np.where(behaviour & ~np.isnan(means), -means if top else means, np.inf)
    order = np.argsort(key, axis=1, kind="stable")[:, :_RANKED]
    hidden = np.isinf(np.take_along_axis(key, order, axis=1))
    return np.where(hidden, -1, order).astype(np.int16)
