"""Synthetic 360° data on the Manage–Lead model (pure numpy/pandas, no Django).

See :mod:`leadwell.simulate.engine` for the generative model.
"""

from __future__ import annotations

from leadwell.simulate.engine import (
    DEFAULT_GROUP_SIZES,
    Simulation,
    SimulationSettings,
    simulate,
    write_csv,
)

__all__ = ["DEFAULT_GROUP_SIZES", "Simulation", "SimulationSettings", "simulate", "write_csv"]
