"""Synthetic 360° responses on the Manage–Lead model, for the demo, the tests and benchmarks.

The generative model (all levels on the 1–5 response scale)
-----------------------------------------------------------
Leaders
    Latent managing ``M`` and leading ``L`` are bivariate normal with mean 3.5 (the quadrant
    cut), SD 0.5 and correlation ``settings.correlation``, so every quadrant is common (with
    ρ = 0.4 the two mixed quadrants hold 1/4 − arcsin(ρ)/2π ≈ 18% of leaders each). The planted
    quadrant is read from ``M`` and ``L`` with cut 3.5. A facet's true score is its axis level
    plus a leader-specific deviation (SD 0.25), so facet scores follow a two-factor structure.
    Command & control (a facet without axis) is ``2.6 − 0.6 (L − 3.5) + 0.35 (M − 3.5)`` plus
    the same deviation. Outcome levels are ``3.6 + a (M − 3.5) + b (L − 3.5)`` with (a, b) =
    (0.2, 0.8) for O1 willing followership, (0.5, 0.5) for O2 effectiveness through others,
    (0.45, 0.45) for O3 overall confidence.
Self view
    ``centre + 0.35 (true − centre) + √(1 − 0.35²) (own − centre)`` with ``own`` an independent
    profile, so a leader's self rating correlates only about .2 with the others' mean (self–other
    r ≈ .15–.35 in Harris & Schaubroeck 1988 and Conway & Huffcutt 1997).
Raters
    Group sizes are drawn per leader, uniform on ``settings.group_sizes`` (default self 1,
    manager 1, peer 2–5, direct 2–7, other 0–3: 11.5 on average, so some anonymous groups
    fall under the threshold of 3). Each rater has a leniency ``bias_g + N(0, sd_g)``
    (bias: self ``settings.self_bias``, manager +0.10, direct +0.05, peer −0.05, other −0.05,
    which average to about zero over the others) and a personal view of each axis (SD 0.25–0.4);
    a lenient rater sees *less* command & control. Each answer adds noise (SD 0.55 manager,
    0.6 peer and direct, 0.75 self, 0.85 other) and a centred item difficulty (SD 0.15), is
    rounded to the nearest integer and clipped to 1..5. Self does not answer outcome items.
Not observed
    Probability ``rate × group × item × rater``: group propensity 0.3 self, 0.7 manager,
    0.8 direct, 1.4 peer, 2.2 other; items of M3, M4, L1, L7 are harder to observe (×1.3–2.0);
    every item gets a random ×lognormal(0, 0.2) and every rater ×Gamma(2, 0.5). The product
    is rescaled so that the expected share of the answers asked equals ``rate`` (capped at
    0.95 per answer); straight-liners never say "Not observed", so the overall share is
    ``rate × (1 − straightliner_rate)``.
Careless responding
    Straight-liners (``settings.straightliner_rate``) give their usual rating to every item,
    observe everything and take under half the usual time. Speeders (2%) take 25–90 s and
    answer with twice the noise. Others take lognormal(median 7 min, σ 0.3) ≈ 4–12 minutes,
    plus 30 s per comment written.
Comments
    Each open question is answered with probability ``settings.comment_rate`` (speeders
    write none), from the bank in ``comments.toml`` according to the respondent's own facet
    ratings (see :mod:`._comments`); self comments are in the first person.

The same seed gives the same frames and the same CSV bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from leadwell.instrument.model import RATER_GROUPS, Instrument
from leadwell.simulate import _generate
from leadwell.simulate._comments import draw_comments
from leadwell.simulate._csv import write_csv

__all__ = ["DEFAULT_GROUP_SIZES", "Simulation", "SimulationSettings", "simulate", "write_csv"]

#: Respondents per leader and group, (min, max), when ``group_sizes`` is None.
DEFAULT_GROUP_SIZES = MappingProxyType(
    {"self": (1, 1), "manager": (1, 1), "peer": (2, 5), "direct": (2, 7), "other": (0, 3)}
)

_SPEEDER_RATE = 0.02
_MINUTES = 7.0  # median time of a careful respondent
_SECONDS_PER_COMMENT = 30.0
_STRAIGHT_TIME = 0.45
_QUADRANTS = np.array(["specialist", "optimizer", "catalyst", "manager-leader"], dtype=object)


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


def _check_real(name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _check_sizes(sizes: dict[str, tuple[int, int]] | None) -> dict[str, tuple[int, int]]:
    merged = dict(DEFAULT_GROUP_SIZES)
    if sizes is None:
        return merged
    unknown = set(sizes) - set(RATER_GROUPS)
    if unknown:
        raise ValueError(f"group_sizes has unknown groups {sorted(unknown)}; use {RATER_GROUPS}")
    for group, bounds in sizes.items():
        if not isinstance(bounds, tuple | list) or len(bounds) != 2:
            raise ValueError(f"group_sizes[{group!r}] must be a (min, max) pair, got {bounds!r}")
        for value in bounds:
            _check_int(f"group_sizes[{group!r}]", value, 0)
        if bounds[0] > bounds[1]:
            raise ValueError(f"group_sizes[{group!r}] has min {bounds[0]} above max {bounds[1]}")
        merged[group] = (int(bounds[0]), int(bounds[1]))
    if merged["self"][1] > 1:
        raise ValueError("group_sizes['self'] allows at most one self rating per leader")
    if sum(high for _, high in merged.values()) == 0:
        raise ValueError("group_sizes gives no respondents at all; allow at least one")
    return merged


@dataclass(frozen=True)
class SimulationSettings:
    """What to simulate; validated on construction (bad values raise ValueError/TypeError).

    ``group_sizes`` maps a rater group to its (min, max) respondents per leader; groups it
    leaves out keep :data:`DEFAULT_GROUP_SIZES`. ``sizes`` holds the resolved mapping for
    all five groups. ``self_bias`` is the inflation before rounding: the ceiling at 5 makes
    the observed self–other gap a little smaller (about 0.3 for 0.35).
    """

    leaders: int
    seed: int = 0
    correlation: float = 0.4
    group_sizes: dict[str, tuple[int, int]] | None = None
    self_bias: float = 0.35
    not_observed_rate: float = 0.05
    straightliner_rate: float = 0.015
    comment_rate: float = 0.6
    sizes: dict[str, tuple[int, int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_int("leaders", self.leaders, 1)
        _check_int("seed", self.seed, 0)
        rho = _check_real("correlation", self.correlation, -1.0, 1.0)
        if abs(rho) == 1.0:
            raise ValueError(f"correlation must be strictly between -1 and 1, got {rho}")
        _check_real("self_bias", self.self_bias, -2.0, 2.0)
        _check_real("not_observed_rate", self.not_observed_rate, 0.0, 0.5)
        _check_real("straightliner_rate", self.straightliner_rate, 0.0, 1.0)
        _check_real("comment_rate", self.comment_rate, 0.0, 1.0)
        object.__setattr__(self, "sizes", _check_sizes(self.group_sizes))


@dataclass(frozen=True)
class Simulation:
    """Simulated responses in the wide format, and the leaders' planted truth."""

    responses: pd.DataFrame
    leaders: pd.DataFrame


def _ids(prefix: str, numbers: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.str_]:
    """``prefix`` + zero-padded numbers, built from digit arithmetic instead of a format loop."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (numbers[:, None] // powers % 10 + ord("0")).astype(np.uint8)
    head = np.full((numbers.size, 1), ord(prefix), dtype=np.uint8)
    raw = np.ascontiguousarray(np.hstack([head, digits]))
    return raw.view(f"S{width + 1}").ravel().astype(f"U{width + 1}")


def _seconds(
    rng: np.random.Generator, raters: _generate.Raters, comments: npt.NDArray[np.intp]
) -> npt.NDArray[np.float64]:
    careful = rng.lognormal(math.log(60 * _MINUTES), 0.3, size=raters.size)
    careful[raters.straight] *= _STRAIGHT_TIME
    rushed = rng.uniform(25.0, 90.0, size=raters.size)
    seconds = np.where(raters.speeder, rushed, careful + _SECONDS_PER_COMMENT * comments)
    return np.asarray(np.round(seconds, 1), dtype=np.float64)


def _facet_scores(
    instrument: Instrument, answers: npt.NDArray[np.float64]
) -> npt.NDArray[np.float32]:
    """Each respondent's facet means over answered items, shape (facets, respondents)."""
    scores = np.empty((len(instrument.facets), answers.shape[1]), dtype=np.float32)
    for f, columns in enumerate(instrument.facet_columns.values()):
        block = answers[columns]
        seen = ~np.isnan(block)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores[f] = np.where(seen, block, 0.0).sum(axis=0) / seen.sum(axis=0)
    return scores


def _leaders_frame(
    leaders: _generate.Leaders, instrument: Instrument, ids: npt.NDArray[np.str_]
) -> pd.DataFrame:
    high = (leaders.managing >= _generate.CUT).astype(int) + 2 * (leaders.leading >= _generate.CUT)
    frame = pd.DataFrame(
        {
            "assessment": pd.Series(ids, dtype="str"),
            "managing": leaders.managing,
            "leading": leaders.leading,
        }
    )
    frame["quadrant"] = pd.Series(_QUADRANTS[high], dtype="str")
    facets = pd.DataFrame(leaders.facets.T, columns=list(instrument.facet_ids))
    return pd.concat([frame, facets], axis=1)


def _responses_frame(
    instrument: Instrument,
    raters: _generate.Raters,
    answers: npt.NDArray[np.float64],
    assessments: npt.NDArray[np.str_],
) -> pd.DataFrame:
    """The identifying columns and the answers; ``answers`` becomes the frame's block as is."""
    frame = pd.DataFrame(answers.T, columns=list(instrument.item_ids), copy=False)
    groups = np.array(RATER_GROUPS, dtype=object)[raters.group]
    numbers = np.arange(1, raters.size + 1, dtype=np.int64)
    rater_ids = _ids("R", numbers, max(8, len(str(raters.size))))
    frame.insert(0, "assessment", pd.Series(assessments, dtype="str"))
    frame.insert(1, "group", pd.Series(groups, dtype="str"))
    frame.insert(2, "rater", pd.Series(rater_ids, dtype="str"))
    return frame


def simulate(settings: SimulationSettings, instrument: Instrument | None = None) -> Simulation:
    """Simulate the responses of an organisation's 360° cycle.

    Parameters
    ----------
    settings : SimulationSettings
        Number of leaders, seed, and the knobs of the generative model.
    instrument : Instrument, optional
        Defaults to :func:`leadwell.instrument.default_instrument`.

    Returns
    -------
    Simulation
        ``responses``: one row per response in the wide format (``assessment``, ``group``,
        ``rater``, the items in canonical order as float64 1–5 or NaN, ``seconds``, then the
        comment columns), ordered by assessment and group. ``leaders``: per leader the latent
        ``managing`` and ``leading``, the planted ``quadrant`` (cut 3.5) and the facet true
        scores.

    Notes
    -----
    The generative model is described in the docstring of :mod:`leadwell.simulate.engine`.
    Everything is drawn from ``numpy.random.default_rng(settings.seed)`` in a fixed order.

    Examples
    --------
    >>> sim = simulate(SimulationSettings(leaders=10, seed=1))
    >>> sim.responses.columns[:4].tolist()
    ['assessment', 'group', 'rater', 'M1.1']
    """
    if not isinstance(settings, SimulationSettings):
        raise TypeError(f"settings must be a SimulationSettings, got {type(settings).__name__}")
    if instrument is None:
        from leadwell.instrument import default_instrument

        instrument = default_instrument()
    if not isinstance(instrument, Instrument):
        raise TypeError(f"instrument must be an Instrument, got {type(instrument).__name__}")
    rng = np.random.default_rng(settings.seed)
    layout = _generate.Layout.build(instrument, rng)
    leaders = _generate.draw_leaders(rng, layout, settings.leaders, float(settings.correlation))
    raters = _generate.draw_raters(
        rng, settings.sizes, settings.leaders, settings.straightliner_rate, _SPEEDER_RATE
    )
    answers = _generate.answer(
        rng, layout, leaders, raters, settings.sizes, settings.self_bias, settings.not_observed_rate
    )
    writes = rng.random((len(instrument.questions), raters.size)) < settings.comment_rate
    writes &= ~raters.speeder
    scores = _facet_scores(instrument, answers)
    by_question = dict(zip(instrument.question_ids, writes, strict=True))
    comments = draw_comments(rng, instrument, scores, raters.group == 0, by_question)
    seconds = _seconds(rng, raters, writes.sum(axis=0))
    width = max(6, len(str(settings.leaders)))
    leader_ids = _ids("A", np.arange(1, settings.leaders + 1, dtype=np.int64), width)
    frame = _responses_frame(instrument, raters, answers, leader_ids[raters.leader])
    frame["seconds"] = seconds
    for question, text in comments.items():
        frame[question] = pd.Series(text, dtype="str")
    return Simulation(frame, _leaders_frame(leaders, instrument, leader_ids))
