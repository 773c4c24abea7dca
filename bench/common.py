"""What the benchmarks share: the project on the import path, its ready-made scenarios, and a timed run."""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
sys.path.insert(0, str(ROOT))  # the checkout's radsim, whether or not it is installed


def timed_run(name: str, *overrides: str):
    """(result, seconds) of one run of a ready-made scenario (`name` without .yaml) with `--set` overrides."""
    import sim

    scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml", list(overrides))
    start = time.perf_counter()
    result = sim.run(scenario)
    return result, time.perf_counter() - start


# Python for a measured child process: `own_peak_kb()` is its own peak resident memory. On Linux that is VmHWM, the
# high-water mark of its own address space: `ru_maxrss` would not do, because exec keeps the peak of the process
# that started it (a benchmark that has just simulated a year in process would lend the child its own peak).
OWN_PEAK = """
import resource, sys
def own_peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
