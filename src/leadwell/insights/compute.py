"""Computing a cycle's org insights: one read of the answers, then numpy all the way.

The anonymity rule is applied by scoring (:func:`leadwell.scoring.leaders.all_others_figures`
gives each leader's shown all-others figures); everything here aggregates leaders, and any
aggregate resting on fewer than ``LEADWELL_INSIGHTS_MIN_LEADERS`` leaders is hidden by
:mod:`leadwell.scoring.org`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
from django.conf import settings

from leadwell.cycles.answers import cycle_instrument, cycle_responses
from leadwell.cycles.models import Cycle
from leadwell.insights import selectors
from leadwell.insights.quality import quality_section
from leadwell.instrument import Instrument
from leadwell.reports.selectors import scoring_settings
from leadwell.scoring.drivers import relative_weights
from leadwell.scoring.leaders import AllOthers, all_others_figures
from leadwell.scoring.org import heat_map, quadrant_distribution
from leadwell.scoring.result import QUADRANTS

__all__ = ["FORMAT", "PROMOTED_MONTHS", "insights_compute"]

FORMAT = 1  # of the stored document; bump when its shape changes
PROMOTED_MONTHS = 24  # a level change this recent counts as "recently promoted"
_PLACED = QUADRANTS[:4]
Step = Callable[[str], None]


def insights_compute(cycle: Cycle, *, step: Step | None = None) -> dict[str, Any]:
    """The insights document of ``cycle`` (JSON-ready: lists, floats, None for hidden)."""
    say = step or (lambda _: None)
    minimum = settings.LEADWELL_INSIGHTS_MIN_LEADERS
    instrument = cycle_instrument(cycle)
    scoring = scoring_settings(cycle)
    say("Reading the answers")
    responses = cycle_responses(cycle, comments=False)
    say("Scoring every leader")
    figures = all_others_figures(responses, instrument, scoring)
    info = selectors.leader_info(cycle)
    placed = figures.quadrant < len(_PLACED)
    ids = [int(a) for a in figures.assessment_ids[placed]]
    units = np.array([info[a].unit for a in ids], dtype=object)
    levels = np.array([info[a].level for a in ids], dtype=object)
    quadrant = figures.quadrant[placed]
    facets = figures.facets[placed]
    say("Quadrants and heat maps")
    order = selectors.level_order(cycle.organization)
    document: dict[str, Any] = {
        "format": FORMAT,
        "min_leaders": minimum,
        "k": scoring.k,
        "cut": scoring.cut,
        "leaders": {
            "assessed": len(info),
            "placed": len(ids),
            "insufficient": len(info) - len(ids),
        },
        "overall": _overall(quadrant, figures.axes[placed], minimum),
        "facets": [
            {"id": f.id, "name": f.name, "axis": f.axis or "caution"} for f in instrument.facets
        ],
        "by_unit": _distribution(quadrant, units, minimum, sorted(set(units))),
        "by_level": _distribution(quadrant, levels, minimum, order),
        "heat_unit": _heat(facets, units, figures, minimum, sorted(set(units))),
        "heat_level": _heat(facets, levels, figures, minimum, order),
        "watch": _watch(cycle, figures, ids, info),
    }
    say("Drivers of followership")
    document["drivers"] = _drivers(figures, placed, instrument)
    say("Instrument quality")
    document["quality"] = quality_section(cycle, responses, instrument)
    document["rates"] = selectors.response_rates(cycle)
    return document


def _overall(quadrant: np.ndarray, axes: np.ndarray, minimum: int) -> dict[str, Any]:
    shown = len(quadrant) >= minimum
    counts = np.bincount(quadrant, minlength=len(_PLACED))[: len(_PLACED)]
    return {
        "n": len(quadrant),
        "shown": shown,
        "counts": [int(c) for c in counts] if shown else None,
        "managing": float(axes[:, 0].mean()) if shown else None,
        "leading": float(axes[:, 1].mean()) if shown else None,
    }


def _reorder(names: tuple[str, ...], order: list[str]) -> list[int]:
    """Positions of ``names`` in ``order`` (names not in it, e.g. the remainder, last)."""
    rank = {name: i for i, name in enumerate(order)}
    return sorted(range(len(names)), key=lambda i: (rank.get(names[i], len(order)), i))


def _pool_label(segment: np.ndarray) -> str:
    """ "Other" for the pooled rows, unless a unit or level is called that."""
    label, names = "Other", set(segment)
    while label in names:
        label += " (pooled)"
    return label


def _distribution(
    quadrant: np.ndarray, segment: np.ndarray, minimum: int, order: list[str]
) -> dict[str, Any]:
    made = quadrant_distribution(
        quadrant, segment, min_leaders=minimum, remainder_label=_pool_label(segment)
    )
    rows = []
    for i in _reorder(made.segments, order):
        shown = bool(made.shown[i])
        rows.append(
            {
                "segment": made.segments[i],
                "n": int(made.n[i]) if shown else None,
                "counts": [int(c) for c in made.counts[i]] if shown else None,
            }
        )
    return {"rows": rows, "hidden": sum(1 for row in rows if row["n"] is None)}


def _heat(
    facets: np.ndarray, segment: np.ndarray, figures: AllOthers, minimum: int, order: list[str]
) -> dict[str, Any]:
    made = heat_map(
        facets,
        segment,
        figures.facet_ids,
        min_leaders=minimum,
        remainder_label=_pool_label(segment),
    )
    rows = []
    for i in _reorder(made.segments, order):
        values = [None if np.isnan(v) else float(v) for v in made.mean[i]]
        if all(v is None for v in values):
            continue
        rows.append({"segment": made.segments[i], "n": int(made.n[i].max()), "mean": values})
    overall = [None if np.isnan(v) else float(v) for v in made.overall]
    return {"rows": rows, "overall": overall}


def _watch(
    cycle: Cycle, figures: AllOthers, ids: list[int], info: dict[int, Any]
) -> dict[str, Any]:
    """Leaders whose level changed recently and whose raters place them low on both axes."""
    since = (cycle.closed_at or cycle.created_at) - timedelta(days=round(PROMOTED_MONTHS * 30.44))
    by_leader = {info[a].leader_id: a for a in ids}
    changes = selectors.level_changes(cycle, list(by_leader), since)
    position = {int(a): i for i, a in enumerate(figures.assessment_ids)}
    listed = []
    for leader_id, change in changes.items():
        i = position[by_leader[leader_id]]
        if QUADRANTS[figures.quadrant[i]] != "specialist":
            continue
        listed.append(
            {
                "assessment": by_leader[leader_id],
                "name": info[by_leader[leader_id]].name,
                "unit": info[by_leader[leader_id]].unit,
                "before": change.level_before,
                "after": change.level_after,
                "changed": change.changed_at.date().isoformat(),
                "managing": float(figures.axes[i, 0]),
                "leading": float(figures.axes[i, 1]),
            }
        )
    listed.sort(key=lambda row: (row["managing"] + row["leading"], row["name"]))
    return {"months": PROMOTED_MONTHS, "promoted": len(changes), "leaders": listed}


def _drivers(figures: AllOthers, placed: np.ndarray, instrument: Instrument) -> dict[str, Any]:
    columns = [i for i, f in enumerate(instrument.facets) if f.axis is not None]
    x = figures.facets[placed][:, columns]
    try:
        found = relative_weights(
            x, figures.outcome[placed], predictors=[instrument.facets[i].id for i in columns]
        )
    except ValueError as error:
        return {"note": str(error)}
    return found.to_dict()
