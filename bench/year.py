#!/usr/bin/env python3
"""365 days of the academic centre (about 1,000 exams a day) in one process.

Prints the wall time, exams per second and peak memory, and beside them a
reference measured in the same run on the same machine: bare simpy stepping
through the same number of events as the model needed. The ratio of the two is
what to compare across machines; absolute seconds move with the hardware.

Targets (docs/performance.md): <= 20 s wall, <= 500 MB peak memory.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.metrics import summarise  # noqa: E402

DAYS = int(sys.argv[1]) if len(sys.argv) > 1 else 365


def bare_simpy(events: int) -> float:
    """Seconds for simpy alone to schedule and process `events` timeouts with a callback."""
    env = simpy.Environment()

    def tick(_):
        pass

    def source():
        for _ in range(events):
            ev = env.timeout(1.0)
            ev.callbacks.append(tick)
            yield ev

    env.process(source())
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


def main() -> None:
    scenario = sim.load_scenario(ROOT / "scenarios" / "academic_centre.yaml", [f"days={DAYS}"])
    start = time.perf_counter()
    result = sim.run(scenario)
    simulate = time.perf_counter() - start
    start = time.perf_counter()
    summarise(result)
    metrics = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    exams = len(result.exams)
    # Each exam costs about six scheduled events (arrival, scan end, read end, dispatches).
    reference = bare_simpy(6 * exams)
    print(f"academic centre, {DAYS} days: {exams:,} exams")
    print(f"  simulate        {simulate:7.2f} s   ({exams / simulate:,.0f} exams/s)")
    print(f"  metrics         {metrics:7.2f} s")
    print(f"  peak memory     {peak_mb:7.0f} MB (whole process)")
    print(f"  reference: bare simpy, {6 * exams:,} events  {reference:7.2f} s")
    print(f"  model / reference  {simulate / reference:5.2f}x")
    print(f"  targets: simulate <= 20 s -> {'met' if simulate <= 20 else 'MISSED'}; "
          f"memory <= 500 MB -> {'met' if peak_mb <= 500 else 'MISSED'}")


if __name__ == "__main__":
    main()
