"""The scoring engine: a whole cycle's responses to every figure of the scoring contract.

One pass over the answers per chunk of assessments, all numpy; the rules are those of
MODEL.md ("The scoring contract"). Every output of leadwell is built from the
:class:`~leadwell.scoring.result.CycleScores` made here, so the anonymity rules live in one place.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from leadwell.instrument.model import AXES, Instrument
from leadwell.scoring.anonymity import Visibility, fold
from leadwell.scoring.derive import build_result
from leadwell.scoring.moments import FigureBlock, Moments, canonical, group_moments
from leadwell.scoring.responses import Responses
from leadwell.scoring.result import CycleScores
from leadwell.scoring.settings import ANONYMOUS, GROUPS, LABELS, ScoringSettings

__all__ = ["facet_scores", "score_responses"]

_CHUNK = 2048  # assessments per pass: bounds the working memory, not the result
_OTHERS, _ALL_OTHERS = LABELS.index("others"), LABELS.index("all_others")
_FIELDS = tuple(Moments.__dataclass_fields__)


def facet_scores(answers: np.ndarray, instrument: Instrument, min_answered: float) -> np.ndarray:
    """Each respondent's facet scores (MODEL.md rule 1).

    Parameters
    ----------
    answers : ndarray of uint8, shape (respondents, items)
        Answers in the instrument's item order, 0 for "not observed".
    instrument : Instrument
    min_answered : float
        Share of a facet's items that must be answered.

    Returns
    -------
    ndarray of float, shape (respondents, facets)
        Mean of the answered items of each facet; NaN when fewer than ``min_answered`` of the
        facet's items are answered.
    """
    out = np.empty((answers.shape[0], len(instrument.facets)))
    for f, facet in enumerate(instrument.facets):
        columns = instrument.facet_columns[facet.id]
        block = answers[:, columns]
        answered = np.count_nonzero(block, axis=1)
        needed = np.ceil(min_answered * len(columns) - 1e-9)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, f] = np.where(answered >= needed, block.sum(axis=1) / answered, np.nan)
    return out


def score_responses(
    responses: Responses,
    instrument: Instrument,
    settings: ScoringSettings | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> CycleScores:
    """Score every assessment of a cycle.

    Parameters
    ----------
    responses : Responses
        The cycle's responses; they need not be sorted.
    instrument : Instrument
        The instrument version the answers follow.
    settings : ScoringSettings, optional
        Thresholds; the MODEL.md defaults when omitted.
    progress : callable, optional
        Called as ``progress(done, total)`` in assessments after each chunk.

    Returns
    -------
    CycleScores
    """
    settings = settings or ScoringSettings()
    if responses.answers.shape[1] != len(instrument.items):
        raise ValueError(
            f"answers have {responses.answers.shape[1]} columns but instrument "
            f"{instrument.version} has {len(instrument.items)} items"
        )
    responses = responses.sorted()
    count = len(responses.assessment_ids)
    blocks = _Blocks(instrument, count)
    bounds = np.searchsorted(responses.assessment, np.arange(0, count + _CHUNK, _CHUNK))
    for c in range(len(bounds) - 1):
        first = c * _CHUNK
        chunk = slice(first, min(first + _CHUNK, count))
        rows = slice(int(bounds[c]), int(bounds[c + 1]))
        _score_chunk(responses, rows, chunk, instrument, settings, blocks)
        if progress is not None:
            progress(chunk.stop, count)
    return build_result(
        responses=responses,
        instrument=instrument,
        settings=settings,
        items=blocks.items,
        facets=blocks.facets,
        axes=blocks.axes,
        rwg=blocks.rwg,
        spread=blocks.spread,
    )


class _Blocks:
    """The result arrays, allocated once and filled chunk by chunk."""

    def __init__(self, instrument: Instrument, count: int) -> None:
        labels = len(LABELS)
        self.items = FigureBlock.empty(
            instrument.item_ids, (labels, count, len(instrument.items)), np.uint8
        )
        self.facets = FigureBlock.empty(
            instrument.facet_ids, (labels, count, len(instrument.facets))
        )
        self.axes = FigureBlock.empty(AXES, (labels, count, len(AXES)))
        self.rwg = np.full((count, len(instrument.facets)), np.nan)
        # Non-self respondents' moments per assessment, unfolded: the cycle-level reliability
        # (ICC) behind the Reliable Change Index. Never shown per assessment.
        figures = len(instrument.facets) + len(AXES)
        self.spread = Moments(
            n=np.zeros((count, figures), dtype=np.int32),
            total=np.zeros((count, figures)),
            squares=np.zeros((count, figures)),
            low=np.zeros((count, figures)),
            high=np.zeros((count, figures)),
        )


def _score_chunk(
    responses: Responses,
    rows: slice,
    chunk: slice,
    instrument: Instrument,
    settings: ScoringSettings,
    blocks: _Blocks,
) -> None:
    answers = responses.answers[rows]
    local = responses.assessment[rows] - chunk.start
    group = responses.group[rows]
    shape = (chunk.stop - chunk.start, len(GROUPS))
    item_moments = group_moments(answers, local, group, shape)
    item_vis = _fill(blocks.items, chunk, item_moments, settings.k)
    blocks.rwg[chunk] = _rwg(blocks.items, chunk, instrument, item_vis)

    scores = facet_scores(answers, instrument, settings.min_answered)
    facet_moments = group_moments(scores, local, group, shape)
    facet_vis = _fill(blocks.facets, chunk, facet_moments, settings.k)
    shown = blocks.facets.n[_ALL_OTHERS, chunk] > 0
    blocks.rwg[chunk] = np.where(shown, blocks.rwg[chunk], np.nan)

    axis_scores = _fill_axes(blocks, chunk, scores, local, group, facet_vis, instrument)
    non_self = group != GROUPS.index("self")
    per_figure = np.concatenate([scores, axis_scores], axis=1)
    others_only = np.where(non_self[:, None], per_figure, np.nan)
    single = (chunk.stop - chunk.start, 1)
    unfolded = _group(group_moments(others_only, local, np.zeros_like(group), single), 0)
    for name in _FIELDS:
        getattr(blocks.spread, name)[chunk] = getattr(unfolded, name)


def _fill(block: FigureBlock, chunk: slice, moments: Moments, k: int) -> Visibility:
    """Fold, then write every label's shown figures of one chunk into ``block``."""
    visibility = fold(np.moveaxis(moments.n, 1, 2), k)
    for label in range(len(GROUPS)):
        block.fill(chunk, label, _group(moments, label), visibility.shown[..., label])
    others = moments.union(ANONYMOUS, visibility.folded)
    block.fill(chunk, _OTHERS, others, visibility.shown[..., _OTHERS])
    everyone = moments.union(tuple(range(1, len(GROUPS))))
    block.fill(chunk, _ALL_OTHERS, everyone, visibility.shown[..., _ALL_OTHERS])
    return visibility


def _group(moments: Moments, index: int | np.ndarray) -> Moments:
    return Moments(*(getattr(moments, name)[:, index] for name in _FIELDS))


def _rwg(items: FigureBlock, chunk: slice, instrument: Instrument, vis: Visibility) -> np.ndarray:
    """rwg(J) per facet over all_others respondents (MODEL.md rule 8), from shown items only.

    s² is the mean of the item variances of the facet's shown items; σ²E = (A² - 1) / 12.
    """
    null_variance = (instrument.scale_max**2 - 1) / 12
    variance = items.sd[_ALL_OTHERS, chunk] ** 2
    out = np.full((chunk.stop - chunk.start, len(instrument.facets)), np.nan)
    for f, facet in enumerate(instrument.facets):
        part = variance[:, instrument.facet_columns[facet.id]]
        j = np.count_nonzero(~np.isnan(part), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            s2 = np.nansum(part, axis=1) / j
            ratio = s2 / null_variance
            rwg = j * (1 - ratio) / (j * (1 - ratio) + ratio)
        out[:, f] = np.where(j == 0, np.nan, np.where(ratio >= 1, 0.0, rwg))
    return out


def _fill_axes(
    blocks: _Blocks,
    chunk: slice,
    scores: np.ndarray,
    local: np.ndarray,
    group: np.ndarray,
    vis: Visibility,
    instrument: Instrument,
) -> np.ndarray:
    """Axis figures (MODEL.md rule 4): the mean of the group's shown facet scores on the axis.

    Spread and n describe respondents' axis scores: the mean of each respondent's facet scores
    over the same shown facets, counting only facets whose shown figure they are part of.
    A respondent belongs to at most three labels (their own group, ``others``,
    ``all_others``), so three respondent scores per axis cover every label.
    Returns every respondent's unfolded axis score (for the cycle's reliability).
    """
    rows = len(group)
    anonymous = group >= ANONYMOUS[0]
    own = np.clip(group - ANONYMOUS[0], 0, len(ANONYMOUS) - 1)
    unfolded = np.empty((rows, len(AXES)))
    per_label = np.empty((rows, 3, len(AXES)))  # own group, others, all_others
    axis_facets = _axis_facets(instrument)
    for x, fx in enumerate(axis_facets):
        values, valid = scores[:, fx], ~np.isnan(scores[:, fx])
        at = (local[:, None], fx[None, :])
        memberships = (
            vis.shown[(*at, group[:, None])],
            vis.shown[(*at, _OTHERS)] & vis.folded[(*at, own[:, None])] & anonymous[:, None],
            vis.shown[(*at, _ALL_OTHERS)] & (group != GROUPS.index("self"))[:, None],
        )
        zeroed = np.where(valid, values, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            unfolded[:, x] = zeroed.sum(axis=1) / valid.sum(axis=1)
            for m, inside in enumerate(memberships):
                inside &= valid
                per_label[:, m, x] = (zeroed * inside).sum(axis=1) / inside.sum(axis=1)
    count = chunk.stop - chunk.start
    by_group = group_moments(per_label[:, 0], local, group, (count, len(GROUPS)))
    pooled = group_moments(
        per_label[:, 1:].reshape(rows, -1), local, np.zeros_like(group), (count, 1)
    )
    for x, fx in enumerate(axis_facets):
        facet_means = blocks.facets.mean[:, chunk][:, :, fx]  # (labels, assessments, fx)
        present = ~np.isnan(facet_means)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = canonical(np.nansum(facet_means, axis=2) / present.sum(axis=2))
        for label in range(len(LABELS)):
            if label < len(GROUPS):
                part = Moments(*(getattr(by_group, f)[:, label, x : x + 1] for f in _FIELDS))
            else:
                column = (label - _OTHERS) * len(AXES) + x
                part = Moments(*(getattr(pooled, f)[:, 0, column : column + 1] for f in _FIELDS))
            shown = present[label].any(axis=1)
            blocks.axes.fill(chunk, label, part, shown[:, None], figures=slice(x, x + 1))
            blocks.axes.mean[label, chunk, x] = np.where(shown, mean[label], np.nan)
    return unfolded


def _axis_facets(instrument: Instrument) -> list[np.ndarray]:
    """Positions of each axis's facets, in the order of ``AXES``."""
    return [
        np.array([f for f, facet in enumerate(instrument.facets) if facet.axis == axis])
        for axis in AXES
    ]
