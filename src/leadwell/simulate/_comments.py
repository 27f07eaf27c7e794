"""Open comments for simulated responses, drawn from the bank in ``comments.toml``.

Each respondent's comments follow their own facet ratings: ``keep`` names one of their
highest-rated facets, ``start`` and ``stop`` one of their lowest (a high Command & control
rating counts as low, and ``stop`` leans towards it), and ``intent`` follows how clear they
rated the expectations (facet M5) and whether they rated managing or leading higher.
Everything is vectorised: indices are drawn with numpy, strings come from indexing object arrays.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from leadwell.instrument.model import Instrument

__all__ = ["BANK_NAME", "FACET_QUESTIONS", "INTENT_CATEGORIES", "draw_comments", "load_bank"]

#: The comment bank shipped with the simulator (package data of ``leadwell.simulate``).
BANK_NAME = "comments.toml"

#: Open questions whose answers are drawn per facet.
FACET_QUESTIONS: tuple[str, ...] = ("keep", "start", "stop")

#: Answer categories of the ``intent`` question, in bank order.
INTENT_CATEGORIES: tuple[str, ...] = ("clear_optimize", "clear_transform", "clear_both", "unclear")

_CHOICE_NOISE = 0.5  # SD of the noise that breaks ties between equally rated facets
_STOP_CAUTION_PULL = 0.5  # how much more readily ``stop`` is about a caution facet
_CLEAR_AT = 3.5  # an expectation-clarity rating at or above this reads as "clear"
_LEAN_AT = 0.3  # a managing-minus-leading difference beyond this reads as a lean

_Strings = npt.NDArray[np.object_]
_Floats = npt.NDArray[np.float32]
_Bools = npt.NDArray[np.bool_]


@lru_cache(maxsize=1)
def load_bank() -> dict[str, Any]:
    """Return the parsed comment bank (``comments.toml``)."""
    text = resources.files("leadwell.simulate").joinpath(BANK_NAME).read_bytes()
    return tomllib.loads(text.decode("utf-8"))


@dataclass(frozen=True)
class _Pool:
    """Rendered phrases of one question: others' and self strings, grouped by choice."""

    others: _Strings  # (phrases,)
    selves: _Strings  # (prefixes, phrases)
    offsets: npt.NDArray[np.intp]  # first phrase of each choice
    counts: npt.NDArray[np.intp]  # phrases per choice

    def draw(
        self, rng: np.random.Generator, choice: npt.NDArray[np.intp], is_self: _Bools
    ) -> _Strings:
        pick = self.offsets[choice] + (rng.random(choice.size) * self.counts[choice]).astype(
            np.intp
        )
        prefix = rng.integers(0, self.selves.shape[0], size=choice.size)
        return np.where(is_self, self.selves[prefix, pick], self.others[pick])


def _pool(groups: list[list[str]], others: list[str], selves: list[list[str]]) -> _Pool:
    counts = np.array([len(group) for group in groups], dtype=np.intp)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
    return _Pool(np.array(others, dtype=object), np.array(selves, dtype=object), offsets, counts)


@lru_cache(maxsize=16)
def _facet_pool(question: str, facets: tuple[str, ...]) -> _Pool:
    bank = load_bank()
    phrases = bank[question]
    groups = [list(phrases.get(facet, phrases["generic"])) for facet in facets]
    flat = [phrase for group in groups for phrase in group]
    others = [phrase[0].upper() + phrase[1:] + "." for phrase in flat]
    prefixes = bank["self_prefixes"][question]
    selves = [[f"{prefix} {phrase}." for phrase in flat] for prefix in prefixes]
    return _pool(groups, others, selves)


@lru_cache(maxsize=1)
def _intent_pool() -> _Pool:
    intent = load_bank()["intent"]
    groups = [list(intent["others"][category]) for category in INTENT_CATEGORIES]
    self_groups = [list(intent["self"][category]) for category in INTENT_CATEGORIES]
    if [len(g) for g in groups] != [len(g) for g in self_groups]:
        raise ValueError(f"{BANK_NAME}: [intent.others] and [intent.self] differ in length")
    flat_self = [sentence for group in self_groups for sentence in group]
    return _pool(groups, [s for g in groups for s in g], [flat_self])


def _strengths(instrument: Instrument, scores: _Floats) -> tuple[_Floats, _Bools]:
    """Facet ratings turned into "how good" (caution scales reversed), missing as neutral."""
    caution = np.array([facet.is_caution for facet in instrument.facets], dtype=bool)
    strength = np.where(caution[:, None], 6.0 - scores, scores).astype(np.float32)
    return np.nan_to_num(strength, nan=3.0), caution


def _facet_choice(
    rng: np.random.Generator, question: str, strength: _Floats, caution: _Bools
) -> npt.NDArray[np.intp]:
    key = strength + _CHOICE_NOISE * rng.standard_normal(strength.shape, dtype=np.float32)
    if question == "keep":
        key[caution] = -np.inf
        return np.asarray(np.argmax(key, axis=0), dtype=np.intp)
    if question == "stop":
        key[caution] -= _STOP_CAUTION_PULL
    return np.asarray(np.argmin(key, axis=0), dtype=np.intp)


def _axis_mean(instrument: Instrument, strength: _Floats, axis: str) -> _Floats:
    rows = [i for i, facet in enumerate(instrument.facets) if facet.axis == axis]
    if not rows:
        return np.full(strength.shape[1], 3.0, dtype=np.float32)
    return np.asarray(strength[rows].mean(axis=0), dtype=np.float32)


def _intent_category(instrument: Instrument, strength: _Floats) -> npt.NDArray[np.intp]:
    managing = _axis_mean(instrument, strength, "managing")
    leading = _axis_mean(instrument, strength, "leading")
    ids = instrument.facet_ids
    clarity = strength[ids.index("M5")] if "M5" in ids else managing
    lean = managing - leading
    category = np.where(lean > _LEAN_AT, 0, np.where(lean < -_LEAN_AT, 1, 2))
    return np.where(clarity >= _CLEAR_AT, category, 3).astype(np.intp)


def draw_comments(
    rng: np.random.Generator,
    instrument: Instrument,
    scores: _Floats,
    is_self: _Bools,
    writes: dict[str, _Bools],
) -> dict[str, _Strings]:
    """Draw one comment column per open question of ``instrument``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The simulation's generator.
    instrument : Instrument
        Its facets pick the phrase groups; its question ids name the columns.
    scores : ndarray of float32, shape (facets, respondents)
        Each respondent's own facet ratings (mean of answered items, NaN when none).
    is_self : ndarray of bool, shape (respondents,)
        Self respondents get first-person comments.
    writes : dict of str to ndarray of bool
        Per question, which respondents write a comment.

    Returns
    -------
    dict of str to ndarray of object
        Per question id, the comment text or ``None``. Questions the bank does not know stay
        empty.
    """
    strength, caution = _strengths(instrument, scores)
    columns: dict[str, _Strings] = {}
    for question in instrument.question_ids:
        if question in FACET_QUESTIONS:
            pool = _facet_pool(question, instrument.facet_ids)
            text = pool.draw(rng, _facet_choice(rng, question, strength, caution), is_self)
        elif question == "intent":
            text = _intent_pool().draw(rng, _intent_category(instrument, strength), is_self)
        else:
            text = np.full(is_self.size, None, dtype=object)
        text[~writes[question]] = None
        columns[question] = text
    return columns
