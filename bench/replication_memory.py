#!/usr/bin/env python3
"""Peak memory of the parent process during --reps: it must not grow with the number of replications.

Runs `run_sim.py SCENARIO --reps N --workers 2 --no-plots` for a small and a large N, each in a fresh
process whose own peak resident memory it prints, and its largest worker's. Target (docs/performance.md): the
large run's parent peak within 1.25 x the small one's. The workers' figure is printed beside it: a worker's
Python objects are the same size after each replication (tracemalloc), and its resident size settles after a
few dozen replications at the allocator's high-water mark.

    python bench/replication_memory.py [SMALL LARGE]      # default 20 200
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from common import OWN_PEAK, ROOT

SMALL, LARGE = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (20, 200)

CHILD = OWN_PEAK + """
sys.path.insert(0, {root!r})
from sim.cli import main
code = main({args!r})
# this process, then the largest of its workers (they have exited by now: the pool is closed)
print(own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


def peaks_mb(reps: int) -> tuple[float, float]:
    """Peak memory of the parent process and of its largest worker, in MB."""
    with tempfile.TemporaryDirectory() as folder:
        args = [str(ROOT / "scenarios" / "community_hospital.yaml"), "--set", "days=7", "--reps", str(reps),
                "--workers", "2", "--no-plots", "--quiet", "--out", str(Path(folder) / "exp")]
        proc = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), args=args)],
                              capture_output=True, text=True, check=True)
        parent, worker = proc.stdout.strip().splitlines()[-1].split()
        return int(parent) / 1024, int(worker) / 1024


if __name__ == "__main__":
    (small, small_worker), (large, large_worker) = peaks_mb(SMALL), peaks_mb(LARGE)
    print(f"with {SMALL} replications: parent peak {small:.0f} MB, largest worker {small_worker:.0f} MB")
    print(f"with {LARGE} replications: parent peak {large:.0f} MB ({large / small:.2f}x; target <= 1.25x), "
          f"largest worker {large_worker:.0f} MB ({large_worker / small_worker:.2f}x)")
