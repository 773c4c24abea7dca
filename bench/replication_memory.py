#!/usr/bin/env python3
"""Peak memory of the parent process during --reps: it must not grow with the number of replications.

Runs `run_sim.py SCENARIO --reps N --workers 2 --no-plots` for a small and a large N, each in a fresh
process whose own peak resident memory (not its workers') it prints. Target (docs/performance.md): the
large run's parent peak within 1.25 x the small one's.

    python bench/replication_memory.py [SMALL LARGE]      # default 20 200
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL, LARGE = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (20, 200)

CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
from sim.cli import main
code = main({args!r})
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def parent_peak_mb(reps: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        args = [str(ROOT / "scenarios" / "community_hospital.yaml"), "--set", "days=7", "--reps", str(reps),
                "--workers", "2", "--no-plots", "--quiet", "--out", str(Path(folder) / "exp")]
        proc = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), args=args)],
                              capture_output=True, text=True, check=True)
        return int(proc.stdout.strip().splitlines()[-1]) / 1024


if __name__ == "__main__":
    small, large = parent_peak_mb(SMALL), parent_peak_mb(LARGE)
    print(f"parent peak with {SMALL} replications: {small:.0f} MB")
    print(f"parent peak with {LARGE} replications: {large:.0f} MB ({large / small:.2f}x; target <= 1.25x)")
