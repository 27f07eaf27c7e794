"""The instrument as immutable data: axes, facets, items, outcomes, open questions.

These dataclasses are what every other part of leadwell reads; the loader in
:mod:`leadwell.instrument.loader` builds them from a versioned TOML file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

__all__ = [
    "AXES",
    "RATER_GROUPS",
    "Axis",
    "Facet",
    "Instrument",
    "Item",
    "OpenQuestion",
]

#: The two axes of the model, in display order.
AXES: tuple[str, ...] = ("managing", "leading")

#: Rater groups as respondents declare them, in display order.
RATER_GROUPS: tuple[str, ...] = ("self", "manager", "peer", "direct", "other")


@dataclass(frozen=True)
class Item:
    """One rated statement.

    ``facet`` is ``None`` for outcome items, which only others answer (``self`` is ``None``).
    """

    id: str
    facet: str | None
    rater: str
    self: str | None


@dataclass(frozen=True)
class Facet:
    """A group of items measuring one behaviour; ``axis`` is ``None`` for a caution scale."""

    id: str
    name: str
    axis: str | None
    description: str
    items: tuple[str, ...]

    @property
    def is_caution(self) -> bool:
        return self.axis is None


@dataclass(frozen=True)
class Axis:
    id: str
    name: str
    description: str
    facets: tuple[str, ...]


@dataclass(frozen=True)
class OpenQuestion:
    """A free-text question; ids are the comment columns of the wide CSV."""

    id: str
    rater: str
    self: str


@dataclass(frozen=True)
class Instrument:
    """A versioned, immutable instrument.

    ``items`` is the canonical order: every facet's items in facet order, then the outcome
    items. Answer vectors, CSV columns and score arrays all follow this order.
    """

    version: str
    title: str
    scale: tuple[str, ...]
    not_observed: str
    axes: tuple[Axis, ...]
    facets: tuple[Facet, ...]
    items: tuple[Item, ...]
    questions: tuple[OpenQuestion, ...]
    sha256: str = field(default="", compare=False)

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @cached_property
    def facet_ids(self) -> tuple[str, ...]:
        return tuple(facet.id for facet in self.facets)

    @cached_property
    def outcome_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items if item.facet is None)

    @cached_property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(question.id for question in self.questions)

    @cached_property
    def item_index(self) -> dict[str, int]:
        return {item_id: i for i, item_id in enumerate(self.item_ids)}

    @cached_property
    def facet_by_id(self) -> dict[str, Facet]:
        return {facet.id: facet for facet in self.facets}

    @cached_property
    def facet_columns(self) -> dict[str, np.ndarray]:
        """Positions in :attr:`items` of each facet's items."""
        return {
            facet.id: np.array([self.item_index[i] for i in facet.items], dtype=np.intp)
            for facet in self.facets
        }

    @property
    def scale_max(self) -> int:
        return len(self.scale)
