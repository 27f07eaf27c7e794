"""The instrument: versioned, immutable data (axes, facets, items, questions) and its loader."""

from __future__ import annotations

from leadwell.instrument.loader import (
    RELEASED,
    InstrumentError,
    default_instrument,
    load_instrument,
    parse_instrument,
)
from leadwell.instrument.model import (
    AXES,
    RATER_GROUPS,
    Axis,
    Facet,
    Instrument,
    Item,
    OpenQuestion,
)

__all__ = [
    "AXES",
    "RATER_GROUPS",
    "RELEASED",
    "Axis",
    "Facet",
    "Instrument",
    "InstrumentError",
    "Item",
    "OpenQuestion",
    "default_instrument",
    "load_instrument",
    "parse_instrument",
]
