#!/usr/bin/env python3
"""Replications in parallel: N replications on a 2-worker process pool against the same N run serially.

Both run in this process, one after the other, on fresh result folders, so the
ratio compares like with like on the same machine. Target (docs/performance.md):
pool time <= 0.55 x serial time with 2 workers.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import ROOT  # first: it puts this checkout's radsim on the import path

import sim  # noqa: E402
from sim.experiment import SerialExecutor, Store, Variant, make_executor, replicate, window_for  # noqa: E402

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 16
WORKERS = 2


def timed(executor, window: int) -> tuple[float, list]:
    scenario = sim.load_scenario(ROOT / "scenarios" / "community_hospital.yaml", ["days=28"])
    variant = Variant("community", scenario)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        replicate([variant], REPS, scenario.seed, executor, Store(Path(folder)), window=window)
        return time.perf_counter() - start, [r["figures"] for r in variant.runs]


def main() -> None:
    serial, serial_figures = timed(SerialExecutor(), 1)
    with make_executor(workers=WORKERS) as pool:
        parallel, pool_figures = timed(pool, window_for(WORKERS, None))
    assert serial_figures == pool_figures, "the pool must give the serial results"
    print(f"{REPS} replications of 28 days of the community hospital")
    print(f"  serial                 {serial:6.2f} s")
    print(f"  process pool, {WORKERS} workers {parallel:6.2f} s")
    print(f"  ratio                  {parallel / serial:6.2f}x (target <= 0.55)")


if __name__ == "__main__":
    main()
