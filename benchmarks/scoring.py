"""Benchmark: score a simulated cycle end to end from a DataFrame, against a pandas baseline.

    .venv/bin/python benchmarks/scoring.py                 # 100,000 leaders x 12 responses
    .venv/bin/python benchmarks/scoring.py --leaders 10000

Prints answers per second, peak memory against the input's size, and the time of a
straightforward pandas groupby implementation of the same figures
(`leadwell.scoring.reference`), computed in the same run and checked to give equal numbers.
Goals (issue "instrument and scoring engine"): at least 50 million answers per second on one
core, at least 3x the pandas baseline, peak memory under 3x the input's size.
"""

from __future__ import annotations

import os

# One core: no threaded BLAS anywhere (numpy's own loops are single-threaded).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import gc
import time
import tracemalloc

import numpy as np
import pandas as pd

from leadwell.instrument import default_instrument
from leadwell.scoring import score_frame
from leadwell.scoring.reference import reference_figures
from leadwell.simulate import SimulationSettings, simulate

FIXED_12 = {"self": (1, 1), "manager": (1, 1), "peer": (3, 3), "direct": (5, 5), "other": (2, 2)}
GOAL_RATE, GOAL_RATIO, GOAL_MEMORY = 50e6, 3.0, 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="engine runs; the best is reported")
    parser.add_argument("--skip-baseline", action="store_true", help="time the engine only")
    args = parser.parse_args()

    instrument = default_instrument()
    started = time.perf_counter()
    frame = simulate(
        SimulationSettings(leaders=args.leaders, seed=args.seed, group_sizes=FIXED_12)
    ).responses
    answers = len(frame) * len(instrument.items)
    input_bytes = int(frame.memory_usage(deep=True).sum())
    simulated = time.perf_counter() - started
    print(
        f"input: {args.leaders:,} leaders, {len(frame):,} responses, {answers:,} answers, "
        f"{input_bytes / 1e6:,.0f} MB in memory (simulated in {simulated:.1f} s)"
    )

    times = []
    for _ in range(args.repeat):
        scores = None
        gc.collect()
        start = time.perf_counter()
        scores = score_frame(frame, instrument)
        times.append(time.perf_counter() - start)
    best = min(times)
    del scores
    gc.collect()
    tracemalloc.start()
    scores = score_frame(frame, instrument)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = answers / best
    print(
        f"engine: best of {args.repeat} {best:.2f} s ({', '.join(f'{t:.2f}' for t in times)}), "
        f"{rate / 1e6:.1f} M answers/s [goal {GOAL_RATE / 1e6:.0f} M: "
        f"{'met' if rate >= GOAL_RATE else 'NOT met'}]"
    )
    print(
        f"peak memory while scoring: {peak / 1e6:,.0f} MB = {peak / input_bytes:.2f}x the input "
        f"[goal < {GOAL_MEMORY:.0f}x: {'met' if peak < GOAL_MEMORY * input_bytes else 'NOT met'}]"
    )
    if args.skip_baseline:
        return

    start = time.perf_counter()
    baseline = reference_figures(frame, instrument, k=scores.settings.k)
    baseline_time = time.perf_counter() - start
    ratio = baseline_time / best
    print(
        f"pandas baseline: {baseline_time:.2f} s, {answers / baseline_time / 1e6:.1f} M answers/s; "
        f"engine is {ratio:.1f}x faster [goal >= {GOAL_RATIO:.0f}x: "
        f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}]"
    )
    print("equal figures: " + _compare(scores.tidy(), baseline))


def _compare(engine: pd.DataFrame, baseline: pd.DataFrame) -> str:
    key = ["assessment", "figure", "group"]
    left = engine.astype({"figure": str, "group": str})
    right = baseline.astype({"figure": str, "group": str})
    merged = left.merge(right, on=key, how="outer", suffixes=("", "_base"), indicator=True)
    unmatched = int((merged["_merge"] != "both").sum())
    worst = max(
        float(np.nanmax(np.abs(merged[c].to_numpy(float) - merged[c + "_base"].to_numpy(float))))
        for c in ("n", "mean", "sd", "min", "max")
    )
    same_nan = all((merged[c].isna() == merged[c + "_base"].isna()).all() for c in ("sd", "mean"))
    ok = unmatched == 0 and worst < 1e-9 and same_nan
    return (
        f"{'yes' if ok else 'NO'}: {len(left):,} shown figures, {unmatched} unmatched rows, "
        f"largest difference {worst:.2e}"
    )


if __name__ == "__main__":
    main()
