"""A slow, straightforward pandas implementation of the scoring contract's figures.

It exists to check the engine: the tests compare every figure with it on random data, and
``benchmarks/scoring.py`` times it as the baseline. It shares no code with the engine beyond
the instrument and the group names, and favours plain groupby steps over speed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadwell.instrument.model import AXES, Instrument

__all__ = ["reference_figures"]

_ANONYMOUS = ["peer", "direct", "other"]
_COLUMNS = ["assessment", "figure", "group", "n", "mean", "sd", "min", "max"]


def reference_figures(frame: pd.DataFrame, instrument: Instrument, k: int = 3) -> pd.DataFrame:
    """Every shown figure as a tidy frame (the columns of ``CycleScores.tidy``).

    Parameters
    ----------
    frame : DataFrame
        Wide-format responses, already valid (items as floats, NaN = not observed).
    instrument : Instrument
    k : int
        Anonymity threshold.
    """
    data = frame.reset_index(drop=True)
    values = data[list(instrument.item_ids)].astype(float)
    for facet in instrument.facets:
        items = values[list(facet.items)]
        answered = items.notna().sum(axis=1)
        values[facet.id] = items.mean(axis=1).where(answered >= np.ceil(len(facet.items) / 2))
    tables, members = [], {}
    for figure in [*instrument.item_ids, *instrument.facet_ids]:
        labelled = _labelled(data, values[figure], k)
        members[figure] = labelled
        tables.append(_describe(labelled, figure))
    for axis in AXES:
        facet_ids = [f.id for f in instrument.facets if f.axis == axis]
        tables.append(_axis(facet_ids, members, axis, tables))
    out = pd.concat(tables, ignore_index=True)
    return out[_COLUMNS]


def _labelled(data: pd.DataFrame, value: pd.Series, k: int) -> pd.DataFrame:
    """One row per (contributor, label they count toward) for one figure."""
    rows = pd.DataFrame(
        {
            "assessment": data["assessment"],
            "group": data["group"],
            "value": value,
            "row": np.arange(len(data)),
        }
    ).dropna(subset=["value"])
    counts = (
        rows.groupby(["assessment", "group"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["self", "manager", *_ANONYMOUS], fill_value=0)
    )
    anon = counts[_ANONYMOUS]
    alone = anon >= k
    remainder = anon.where(~alone, 0).sum(axis=1)
    needs = (remainder >= 1) & (remainder < k) & alone.any(axis=1)
    # Shown groups keep their size; the others can never be the smallest.
    sizes = anon.where(alone, np.iinfo(np.int64).max)
    smallest = sizes.reindex(columns=["other", "direct", "peer"]).idxmin(axis=1)
    for group in _ANONYMOUS:
        alone[group] &= ~(needs & (smallest == group))
    remainder = anon.where(~alone, 0).sum(axis=1)
    shown_others = remainder >= k
    shown_all = anon.sum(axis=1) >= k

    alone_long = alone.stack().rename("alone").reset_index()
    rows = rows.merge(alone_long, on=["assessment", "group"], how="left")
    rows["alone"] = rows["alone"].astype("boolean").fillna(False).astype(bool)
    is_anon = rows["group"].isin(_ANONYMOUS)
    own = rows[~is_anon | rows["alone"]].assign(label=lambda r: r["group"])
    folded = rows[is_anon & ~rows["alone"]]
    folded = folded[folded["assessment"].map(shown_others)].assign(label="others")
    everyone = rows[rows["group"] != "self"]
    everyone = everyone[everyone["assessment"].map(shown_all)].assign(label="all_others")
    return pd.concat([own, folded, everyone], ignore_index=True)


def _describe(labelled: pd.DataFrame, figure: str) -> pd.DataFrame:
    grouped = labelled.groupby(["assessment", "label"])["value"]
    table = grouped.agg(n="count", mean="mean", sd="std", min="min", max="max").reset_index()
    return table.rename(columns={"label": "group"}).assign(figure=figure)


def _axis(
    facet_ids: list[str],
    members: dict[str, pd.DataFrame],
    axis: str,
    tables: list[pd.DataFrame],
) -> pd.DataFrame:
    """Rule 4: mean of shown facet means; spread over respondents' scores on those facets."""
    facets = pd.concat([t for t in tables if t["figure"].iloc[0] in facet_ids])
    means = facets.groupby(["assessment", "group"])["mean"].mean()
    long = pd.concat([members[f][["assessment", "label", "value", "row"]] for f in facet_ids])
    scores = long.groupby(["assessment", "label", "row"])["value"].mean().rename("score")
    spread = (
        scores.reset_index()
        .groupby(["assessment", "label"])["score"]
        .agg(n="count", sd="std", min="min", max="max")
    )
    table = spread.join(means.rename_axis(["assessment", "label"]), how="inner").reset_index()
    return table.rename(columns={"label": "group"}).assign(figure=axis)
