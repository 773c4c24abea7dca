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
