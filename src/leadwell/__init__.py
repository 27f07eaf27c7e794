"""leadwell: 360° assessments on the Manage–Lead model."""

from __future__ import annotations

__version__ = "0.1.0"
