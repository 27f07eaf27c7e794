"""The result of scoring a cycle: computed once, then rendered by every output.

:class:`CycleScores` holds full-precision arrays; :meth:`CycleScores.to_dict` (the JSON of
``leadwell score``) and :meth:`CycleScores.tidy` (its CSV) only read what scoring marked as
shown. Rounding belongs to whoever displays the numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leadwell.instrument.model import Instrument
from leadwell.scoring.moments import FigureBlock, Moments
from leadwell.scoring.settings import GROUPS, LABELS, ScoringSettings

__all__ = ["QUADRANTS", "TIDY_COLUMNS", "CycleScores"]

QUADRANTS: tuple[str, ...] = (
    "manager-leader",
    "optimizer",
    "catalyst",
    "specialist",
    "insufficient",
)
TIDY_COLUMNS: tuple[str, ...] = ("assessment", "figure", "group", "n", "mean", "sd", "min", "max")
_SELF, _ALL_OTHERS = LABELS.index("self"), LABELS.index("all_others")
_FLAGS = {1: "blind_spot", -1: "hidden_strength"}
_RANKED = 5  # top and bottom items


@dataclass(frozen=True)
class CycleScores:
    """Every shown figure of every assessment of a cycle, and what follows from them.

    Arrays are indexed by assessment position (see :attr:`assessment_ids`). Hidden figures are
    NaN with ``n == 0`` in the blocks. ``gap_flags`` holds 1 (blind spot), -1 (hidden
    strength) or 0; ``quadrant`` indexes :data:`QUADRANTS`; ``top_items``/``bottom_items``
    hold item positions, -1 where fewer than five items are shown.
    """

    instrument: Instrument
    settings: ScoringSettings
    assessment_ids: np.ndarray
    group_counts: np.ndarray
    items: FigureBlock
    facets: FigureBlock
    axes: FigureBlock
    rwg: np.ndarray
    gaps: np.ndarray
    gap_flags: np.ndarray
    quadrant: np.ndarray
    top_items: np.ndarray
    bottom_items: np.ndarray
    comment_text: dict[str, np.ndarray]
    comment_group: np.ndarray
    row_offsets: np.ndarray
    comments_shown: np.ndarray
    spread: Moments

    def __len__(self) -> int:
        return len(self.assessment_ids)

    def index(self, assessment: str) -> int:
        """Position of an assessment by its label."""
        found = np.flatnonzero(self.assessment_ids == assessment)
        if not len(found):
            raise KeyError(f"no assessment {assessment!r} in these scores")
        return int(found[0])

    def quadrant_name(self, position: int) -> str:
        return QUADRANTS[int(self.quadrant[position])]

    def assessment(self, position: int) -> dict[str, Any]:
        """One assessment as a JSON-ready dict (the schema in docs/scoring.md)."""
        i = position
        instrument = self.instrument
        facet_ids = instrument.facet_ids
        return {
            "assessment": str(self.assessment_ids[i]),
            "groups": {g: int(self.group_counts[i, c]) for c, g in enumerate(GROUPS)},
            "quadrant": self.quadrant_name(i),
            "axes": _block_dict(self.axes, i),
            "facets": _block_dict(self.facets, i),
            "items": _block_dict(self.items, i),
            "gaps": {
                f: {"gap": float(self.gaps[i, c]), "flag": _FLAGS.get(int(self.gap_flags[i, c]))}
                for c, f in enumerate(facet_ids)
                if not np.isnan(self.gaps[i, c])
            },
            "rwg": {
                f: float(self.rwg[i, c])
                for c, f in enumerate(facet_ids)
                if not np.isnan(self.rwg[i, c])
            },
            "caution": {
                f.id: {
                    "mean": float(self.facets.mean[_ALL_OTHERS, i, c]),
                    "high": bool(
                        self.settings.at_least(
                            self.facets.mean[_ALL_OTHERS, i, c], self.settings.cut
                        )
                    ),
                }
                for c, f in enumerate(instrument.facets)
                if f.is_caution and self.facets.n[_ALL_OTHERS, i, c] > 0
            },
            "top_items": self._ranked(self.top_items[i], i),
            "bottom_items": self._ranked(self.bottom_items[i], i),
            "comments": self.comments_of(i),
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole cycle as the JSON document of ``leadwell score --json``."""
        return {**self.header(), "assessments": list(self.iter_assessments())}

    def header(self) -> dict[str, Any]:
        s = self.settings
        return {
            "instrument": self.instrument.version,
            "settings": {"k": s.k, "cut": s.cut, "gap": s.gap, "min_answered": s.min_answered},
        }

    def iter_assessments(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield self.assessment(i)

    def tidy(self) -> pd.DataFrame:
        """One row per shown figure: ``assessment, figure, group, n, mean, sd, min, max``.

        ``figure`` is an axis name, facet id or item id; rows run assessment by assessment,
        axes first, then facets, then items, groups in the order of ``LABELS``.
        """
        blocks = (self.axes, self.facets, self.items)
        names = [name for block in blocks for name in block.names]
        parts = []
        offset = 0
        for block in blocks:
            g, a, f = np.nonzero(block.n)
            parts.append(
                {
                    "a": a,
                    "figure": f + offset,
                    "group": g,
                    "n": block.n[g, a, f].astype(np.int64),
                    "mean": block.mean[g, a, f],
                    "sd": block.sd[g, a, f],
                    "min": block.low[g, a, f].astype(np.float64),
                    "max": block.high[g, a, f].astype(np.float64),
                }
            )
            offset += len(block.names)
        joined = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
        order = np.lexsort((joined["group"], joined["figure"], joined["a"]))
        joined = {key: values[order] for key, values in joined.items()}
        return pd.DataFrame(
            {
                "assessment": self.assessment_ids[joined["a"]],
                "figure": pd.Categorical.from_codes(joined["figure"], names),
                "group": pd.Categorical.from_codes(joined["group"], list(LABELS)),
                **{key: joined[key] for key in ("n", "mean", "sd", "min", "max")},
            }
        )

    def _ranked(self, positions: np.ndarray, i: int) -> list[dict[str, Any]]:
        item_ids = self.instrument.item_ids
        return [
            {"item": item_ids[p], "mean": float(self.items.mean[_ALL_OTHERS, i, p])}
            for p in positions
            if p >= 0
        ]

    def comments_of(self, i: int) -> dict[str, list[str]] | None:
        """Rule 9: pooled non-self comments, sorted by text so the order tells nothing."""
        if not self.comments_shown[i]:
            return None
        rows = slice(int(self.row_offsets[i]), int(self.row_offsets[i + 1]))
        others = self.comment_group[rows] != GROUPS.index("self")
        pooled = {}
        for question in self.instrument.question_ids:
            texts = self.comment_text.get(question)
            cells = [] if texts is None else texts[rows][others]
            pooled[question] = sorted(
                text.strip() for text in cells if isinstance(text, str) and text.strip()
            )
        return pooled


def _block_dict(block: FigureBlock, i: int) -> dict[str, dict[str, dict[str, float | int | None]]]:
    out: dict[str, dict[str, dict[str, float | int | None]]] = {}
    n = block.n[:, i, :]
    for f, name in enumerate(block.names):
        shown = np.flatnonzero(n[:, f])
        if not len(shown):
            continue
        out[name] = {
            LABELS[g]: {
                "n": int(n[g, f]),
                "mean": float(block.mean[g, i, f]),
                "sd": None if np.isnan(block.sd[g, i, f]) else float(block.sd[g, i, f]),
                "min": _number(block.low[g, i, f]),
                "max": _number(block.high[g, i, f]),
            }
            for g in shown
        }
    return out


def _number(value: np.generic) -> float | int:
    return int(value) if np.issubdtype(value.dtype, np.integer) else float(value)
