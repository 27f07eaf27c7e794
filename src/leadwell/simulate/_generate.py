"""The generative model of :mod:`leadwell.simulate` (documented in :mod:`.engine`).

Arrays are laid out row-per-facet or row-per-item and column-per-respondent, so each item is a
contiguous row; there is no loop per leader or per respondent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leadwell.instrument.model import RATER_GROUPS, Instrument

__all__ = ["CUT", "Layout", "Leaders", "Raters", "answer", "draw_leaders", "draw_raters"]

CUT = 3.5  # quadrant cut, and the centre of the latent axes
_AXIS_SD = 0.5  # spread of leaders' latent managing and leading
_FACET_SD = 0.25  # a leader's facet-specific deviation from the axis level
_ITEM_SD = 0.15  # item difficulty (centred within each facet)
_CAUTION_CENTRE, _CAUTION_ON_LEADING, _CAUTION_ON_MANAGING = 2.6, -0.6, 0.35
_SELF_ACCURACY = 0.35  # correlation of the self view with the true profile
_OUTCOME_CENTRE = 3.6
_OUTCOME_WEIGHTS = {"O1": (0.2, 0.8), "O2": (0.5, 0.5), "O3": (0.45, 0.45)}  # (managing, leading)
_OTHER_OUTCOME = (0.4, 0.4)
_HARD_TO_OBSERVE = {"M3": 1.3, "M4": 1.6, "L1": 1.4, "L7": 2.0}
_OUTCOME_UNOBSERVED = 0.8
_UNOBSERVED_CAP = 0.95
_SPEEDER_NOISE = 2.0  # speeders answer carelessly


@dataclass(frozen=True)
class _Group:
    bias: float  # mean leniency on the 1–5 scale (self: replaced by settings.self_bias)
    leniency: float  # SD of a rater's personal leniency
    perception: float  # SD of a rater's own view of each axis
    noise: float  # SD of the noise on each answer
    unobserved: float  # relative propensity to answer "Not observed"


GROUPS: dict[str, _Group] = {
    "self": _Group(0.0, 0.35, 0.30, 0.75, 0.3),
    "manager": _Group(0.10, 0.25, 0.25, 0.55, 0.7),
    "peer": _Group(-0.05, 0.30, 0.30, 0.60, 1.4),
    "direct": _Group(0.05, 0.30, 0.30, 0.60, 0.8),
    "other": _Group(-0.05, 0.45, 0.40, 0.85, 2.2),
}

_F64 = npt.NDArray[np.float64]
_F32 = npt.NDArray[np.float32]
_Ints = npt.NDArray[np.intp]
_Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Layout:
    """What the generator needs to know about an instrument, as arrays."""

    axis: _Ints  # per facet: 0 managing, 1 leading, 2 caution
    centre: _F64  # per facet: mean true score
    row: _Ints  # per item: row of the level matrix (facets, then outcomes)
    offset: _F64  # per item: difficulty
    unobserved: _F64  # per item: relative propensity to be "Not observed"
    by_self: _Bools  # per item: answered by self
    outcome_weights: _F64  # (outcomes, 2): weights of managing and leading

    @classmethod
    def build(cls, instrument: Instrument, rng: np.random.Generator) -> Layout:
        codes = {"managing": 0, "leading": 1, None: 2}
        unknown = {f.axis for f in instrument.facets} - set(codes)
        if unknown:
            raise ValueError(f"the simulator knows the axes managing and leading, not {unknown}")
        axis = np.array([codes[f.axis] for f in instrument.facets], dtype=np.intp)
        centre = np.where(axis == 2, _CAUTION_CENTRE, CUT)
        facet_row = {f.id: i for i, f in enumerate(instrument.facets)}
        outcomes = instrument.outcome_ids
        row = np.array(
            [
                facet_row[i.facet] if i.facet else len(axis) + outcomes.index(i.id)
                for i in instrument.items
            ],
            dtype=np.intp,
        )
        offset = rng.normal(0.0, _ITEM_SD, size=row.size)
        for f in range(axis.size):  # centre difficulties so a facet's true score is its mean
            offset[row == f] -= offset[row == f].mean()
        offset[row >= axis.size] = 0.0
        hard = [
            _HARD_TO_OBSERVE.get(i.facet, 1.0) if i.facet else _OUTCOME_UNOBSERVED
            for i in instrument.items
        ]
        unobserved = np.array(hard) * rng.lognormal(0.0, 0.2, size=row.size)
        by_self = np.array([item.self is not None for item in instrument.items], dtype=bool)
        weights = np.array(
            [_OUTCOME_WEIGHTS.get(o, _OTHER_OUTCOME) for o in outcomes], dtype=np.float64
        )
        return cls(axis, centre, row, offset, unobserved, by_self, weights.reshape(-1, 2))


@dataclass(frozen=True)
class Leaders:
    managing: _F64  # (leaders,) latent levels
    leading: _F64
    facets: _F64  # (facets, leaders) true scores
    self_view: _F64  # (facets, leaders) how each leader sees themself (before self-bias)


def _profile(
    rng: np.random.Generator, layout: Layout, n: int, rho: float
) -> tuple[_F64, _F64, _F64]:
    z = rng.standard_normal((2, n))
    managing = CUT + _AXIS_SD * z[0]
    leading = CUT + _AXIS_SD * (rho * z[0] + np.sqrt(1.0 - rho * rho) * z[1])
    levels = np.stack([managing, leading, np.zeros(n)])
    levels[2] = (
        _CAUTION_CENTRE
        + _CAUTION_ON_LEADING * (leading - CUT)
        + _CAUTION_ON_MANAGING * (managing - CUT)
    )
    facets = levels[layout.axis] + _FACET_SD * rng.standard_normal((layout.axis.size, n))
    return managing, leading, facets


def draw_leaders(rng: np.random.Generator, layout: Layout, n: int, rho: float) -> Leaders:
    """Latent axes, facet true scores and the self view of ``n`` leaders."""
    managing, leading, facets = _profile(rng, layout, n, rho)
    # an independent profile: what self sees besides the truth
    own = _profile(rng, layout, n, rho)[2]
    centre = layout.centre[:, None]
    accuracy = _SELF_ACCURACY
    self_view = centre + accuracy * (facets - centre) + np.sqrt(1 - accuracy**2) * (own - centre)
    return Leaders(managing, leading, facets, self_view)


@dataclass(frozen=True)
class Raters:
    leader: _Ints  # (respondents,) index of the leader rated
    group: _Ints  # (respondents,) index into RATER_GROUPS
    straight: _Bools  # gives one answer to every item
    speeder: _Bools  # answers in far too little time

    @property
    def size(self) -> int:
        return int(self.leader.size)


def draw_raters(
    rng: np.random.Generator,
    sizes: dict[str, tuple[int, int]],
    n: int,
    straight: float,
    speed: float,
) -> Raters:
    """Respondents of every leader, ordered by leader and then by group."""
    counts = np.stack(
        [rng.integers(lo, hi + 1, size=n) for lo, hi in (sizes[g] for g in RATER_GROUPS)]
    )
    flat = counts.T.ravel()  # leader-major, group-minor
    cells = np.arange(flat.size)
    leader = np.repeat(cells // len(RATER_GROUPS), flat)
    group = np.repeat(cells % len(RATER_GROUPS), flat)
    flags = rng.random((2, leader.size))
    return Raters(leader, group, flags[0] < straight, flags[1] < speed)


def _group_array(raters: Raters, field: str, self_value: float | None = None) -> _F64:
    values = np.array([getattr(GROUPS[g], field) for g in RATER_GROUPS], dtype=np.float64)
    if self_value is not None:
        values[0] = self_value
    return values[raters.group]


def _levels(
    rng: np.random.Generator, layout: Layout, leaders: Leaders, raters: Raters, self_bias: float
) -> _F32:
    """Each respondent's perceived level per facet and outcome: rows facets then outcomes."""
    is_self = raters.group == 0
    spread = _group_array(raters, "leniency") * rng.standard_normal(raters.size)
    leniency = _group_array(raters, "bias", self_bias) + spread
    view = _group_array(raters, "perception") * rng.standard_normal((3, raters.size))
    truth = np.where(is_self, leaders.self_view[:, raters.leader], leaders.facets[:, raters.leader])
    # a lenient rater sees less command & control, and self plays it down too
    sign = np.where(layout.axis == 2, -1.0, 1.0)[:, None]
    facets = truth + view[layout.axis] + sign * leniency
    managing = leaders.managing[raters.leader] + view[0] - CUT
    leading = leaders.leading[raters.leader] + view[1] - CUT
    outcomes = _OUTCOME_CENTRE + layout.outcome_weights @ np.stack([managing, leading]) + leniency
    return np.vstack([facets, outcomes]).astype(np.float32)


def _unobserved_scale(layout: Layout, sizes: dict[str, tuple[int, int]]) -> float:
    """Factor that makes the expected share of "Not observed" answers equal the base rate."""
    weights = np.array([sum(sizes[g]) / 2 for g in RATER_GROUPS])
    propensity = np.array([GROUPS[g].unobserved for g in RATER_GROUPS])
    answered = np.stack([layout.by_self] + [np.ones_like(layout.by_self)] * (len(RATER_GROUPS) - 1))
    expected = weights @ (propensity[:, None] * answered * layout.unobserved).sum(axis=1)
    total = weights @ answered.sum(axis=1)
    return float(total / expected) if expected > 0 else 1.0


def answer(
    rng: np.random.Generator,
    layout: Layout,
    leaders: Leaders,
    raters: Raters,
    sizes: dict[str, tuple[int, int]],
    self_bias: float,
    not_observed: float,
) -> _F64:
    """Answers as floats 1–5 with NaN for not observed, shape (items, respondents)."""
    levels = _levels(rng, layout, leaders, raters, self_bias)
    noise = _group_array(raters, "noise").astype(np.float32)
    noise[raters.speeder] *= _SPEEDER_NOISE
    scale = not_observed * _unobserved_scale(layout, sizes) * _group_array(raters, "unobserved")
    propensity = (scale * rng.gamma(2.0, 0.5, size=raters.size)).astype(np.float32)
    on_axes = layout.axis < 2
    usual = np.clip(np.rint(levels[: layout.axis.size][on_axes].mean(axis=0)), 1, 5)
    straight = np.flatnonzero(raters.straight)
    usual = usual[straight]
    careful, is_self = ~raters.straight, raters.group == 0
    out = np.empty((layout.row.size, raters.size), dtype=np.float64)
    for i in range(layout.row.size):
        x = rng.standard_normal(raters.size, dtype=np.float32)
        x *= noise
        x += levels[layout.row[i]] + np.float32(layout.offset[i])
        np.clip(np.rint(x, out=x), 1, 5, out=x)
        x[straight] = usual
        p = np.minimum(propensity * np.float32(layout.unobserved[i]), _UNOBSERVED_CAP)
        missing = rng.random(raters.size, dtype=np.float32) < p
        missing &= careful
        if not layout.by_self[i]:
            missing |= is_self
        np.copyto(x, np.float32(np.nan), where=missing)
        out[i] = x
    return out
