"""The stored insights document arranged for the page: percentages, bars, colour classes, and
one line on what good looks like for each quality figure. No computation of figures here."""

from __future__ import annotations

import itertools
from typing import Any

from leadwell.reports.content import QUADRANT_TEXT

__all__ = ["GOOD", "QUADRANT_KEYS", "page_context"]

QUADRANT_KEYS = ("manager-leader", "optimizer", "catalyst", "specialist")
# Heat-map colour classes: a class per quarter point from below 2.75 to 4.5 and above.
_HEAT_EDGES = (2.75, 3.0, 3.25, 3.5, 3.75, 4.0, 4.25, 4.5)

#: What good looks like, one line per figure of the quality section.
GOOD = {
    "alpha": "Cronbach’s alpha: how consistently a facet’s items measure one thing. "
    "0.70 or more is good; 0.90 or more may mean redundant items.",
    "omega": "McDonald’s omega: the same question from a one-factor model, "
    "less strict than alpha. 0.70 or more is good.",
    "icc1": "ICC(1): how much raters of the same leader agree, compared with raters of "
    "different leaders. 0.05 to 0.20 is usual for 360° ratings; higher is better.",
    "icc2": "ICC(2): how reliable a leader’s mean is with this many raters. "
    "0.70 or more is good; low values call for more raters per leader.",
    "item_total": "Lowest corrected item–total correlation: each item against the rest of its "
    "facet. 0.30 or more is good; a lower item may measure something else.",
    "cfi": "CFI and TLI: how much better the two-factor model (managing, leading) fits than "
    "no model. 0.95 or more is good, 0.90 acceptable.",
    "rmsea": "RMSEA: misfit per degree of freedom. 0.06 or less is good, 0.08 acceptable.",
    "srmr": "SRMR: the average leftover correlation. 0.08 or less is good.",
    "flags": "Straight-lining: the same answer to every item. Speeding: under two seconds "
    "per item. A few percent is usual; more calls for a look at how the cycle was run.",
}


def page_context(data: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    facets = data["facets"]
    return {
        "data": data,
        "quadrants": [(key, QUADRANT_TEXT[key][0]) for key in QUADRANT_KEYS],
        "overall": data["overall"],
        "overall_rows": [_bar_row("All leaders", data["overall"]["n"], data["overall"]["counts"])],
        "heat_legend": _legend(),
        "rates": _rates(data["rates"]),
        "by_unit": [_bar_row(r["segment"], r["n"], r["counts"]) for r in data["by_unit"]["rows"]],
        "by_level": [_bar_row(r["segment"], r["n"], r["counts"]) for r in data["by_level"]["rows"]],
        "heat_unit": _heat(data["heat_unit"], facets),
        "heat_level": _heat(data["heat_level"], facets),
        "drivers": _drivers(data["drivers"], facets),
        "quality": _quality(data["quality"]),
        "good": GOOD,
        "trend": _trend(data, previous),
    }


def _bar_row(label: str, n: int | None, counts: list[int] | None) -> dict[str, Any]:
    if n is None or counts is None:
        return {"label": label, "shown": False}
    parts, x = [], 0.0
    for key, count in zip(QUADRANT_KEYS, counts, strict=True):
        share = 100.0 * count / n if n else 0.0
        parts.append({"key": key, "count": count, "percent": share, "x": x, "width": share})
        x += share
    return {"label": label, "shown": True, "n": n, "parts": parts}


def _legend() -> list[tuple[str, str]]:
    edges = [f"{e:.2f}" for e in _HEAT_EDGES]
    labels = [f"below {edges[0]}"] + [f"{a}–{b}" for a, b in itertools.pairwise(edges)]
    return [(f"heat-{i}", label) for i, label in enumerate([*labels, f"{edges[-1]} and above"])]


_GROUP_LABELS = {
    "self": "Self",
    "manager": "Managers",
    "peer": "Peers",
    "direct": "Direct reports",
    "other": "Others",
}


def _rates(rates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "label": _GROUP_LABELS.get(r["group"], r["group"]),
            "percent": 100.0 * r["submitted"] / r["invited"] if r["invited"] else 0.0,
        }
        for r in rates
    ]


def _heat_class(value: float | None) -> str:
    if value is None:
        return "heat-hidden"
    return f"heat-{sum(value >= edge for edge in _HEAT_EDGES)}"


def _heat(heat: dict[str, Any], facets: list[dict[str, str]]) -> dict[str, Any]:
    caution = [f["axis"] == "caution" for f in facets]

    def cells(values: list[float | None]) -> list[dict[str, Any]]:
        # A caution scale reads the other way round (lower is better): no colour for it.
        return [
            {"value": v, "css": "heat-plain" if plain else _heat_class(v)}
            for v, plain in zip(values, caution, strict=True)
        ]

    return {
        "facets": facets,
        "rows": [
            {"segment": r["segment"], "n": r["n"], "cells": cells(r["mean"])} for r in heat["rows"]
        ],
        "overall": cells(heat["overall"]),
    }


def _drivers(drivers: dict[str, Any], facets: list[dict[str, str]]) -> dict[str, Any]:
    if "note" in drivers:
        return {"note": drivers["note"]}
    names = {f["id"]: f["name"] for f in facets}
    top = max((h or 0.0) for h in drivers["high"]) or 1.0
    rows = [
        {
            "id": pid,
            "name": names.get(pid, pid),
            "weight": w,
            "share": s,
            "low": lo,
            "high": hi,
            "bar": 100.0 * w / top,
            "low_x": 100.0 * (lo or 0.0) / top,
            "high_x": 100.0 * (hi or 0.0) / top,
        }
        for pid, w, s, lo, hi in zip(
            drivers["predictors"],
            drivers["weights"],
            drivers["share"],
            drivers["low"],
            drivers["high"],
            strict=True,
        )
    ]
    rows.sort(key=lambda row: -row["weight"])
    return {**drivers, "rows": rows}


def _quality(quality: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for facet in quality.get("facets", []):
        totals = [v for v in facet["item_total"].values() if v is not None]
        rows.append({**facet, "item_total_min": min(totals) if totals else None})
    flags = quality["flags"]
    responses = flags["responses"] or 1
    return {
        **quality,
        "rows": rows,
        "straight_percent": 100.0 * flags["straightlining"] / responses,
        "speeding_percent": None
        if not flags["timed"]
        else 100.0 * flags["speeding"] / flags["timed"],
    }


def _trend(data: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any] | None:
    if previous is None:
        return None
    now, then = data["overall"], previous["data"]["overall"]
    if not (now["shown"] and then["shown"]):
        return {"name": previous["name"], "pk": previous["pk"], "shown": False}
    rows = []
    for i, key in enumerate(QUADRANT_KEYS):
        a = 100.0 * then["counts"][i] / then["n"]
        b = 100.0 * now["counts"][i] / now["n"]
        rows.append({"label": QUADRANT_TEXT[key][0], "then": a, "now": b, "change": b - a})
    axes = [
        {"label": name, "then": then[key], "now": now[key], "change": now[key] - then[key]}
        for key, name in (("managing", "Managing"), ("leading", "Leading"))
    ]
    return {
        "name": previous["name"],
        "pk": previous["pk"],
        "shown": True,
        "n_then": then["n"],
        "n_now": now["n"],
        "rows": rows,
        "axes": axes,
    }
