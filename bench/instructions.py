#!/usr/bin/env python3
"""Instructions per exam of the event loop, radsim against the minimal simpy model: a figure that does not move
with a shared machine's speed.

Counts the processor instructions of the simulation of DAYS (default 7) of the academic centre under valgrind's
cachegrind (Debian: `apt-get install valgrind`), for radsim and for the minimal model of the same orders
(bench/reference.py, with and without the radiologists' calls). Each is run twice in a fresh interpreter, once
stopping just before the clock starts; the difference is the event loop alone. Python's hash seed is fixed and
numpy's linear-algebra library runs no threads, so the counts repeat to within about 0.01 %: two versions of
radsim can be compared where timings on a noisy machine cannot, a change of 0.1 % included. Instructions are not
seconds (memory stalls differ), but the two move together.

    .venv/bin/python bench/instructions.py [DAYS]
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from common import ROOT  # first: it puts this checkout's radsim on the import path

DAYS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
SCENARIO = ROOT / "scenarios" / "academic_centre.yaml"

# builds one model (and runs it if asked) in a fresh interpreter: argv = model, days, run or build
CHILD = f"""
import sys
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "bench")!r}]
import sim
from sim.arrivals import generate_orders
from sim.model import Department
from sim.streams import Streams
from reference import minimal_model

model, days, mode = sys.argv[1:]
scenario = sim.load_scenario({str(SCENARIO)!r}, ["days=" + days])
if model == "radsim":
    streams = Streams(scenario.seed, 0)
    department = Department(scenario, generate_orders(scenario, streams), streams)
    env, horizon = department.env, department.horizon
else:
    env, horizon, _ = minimal_model(scenario, with_calls=model == "reference with calls")
if mode == "run":
    env.run(until=horizon)
"""


# Python's hash seed fixed; numpy's linear-algebra library without threads of its own: an idle library thread spins
# while it waits for work, and under valgrind its spinning moved the count by up to 1 % from one run to the next
QUIET = {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def instructions(model: str, mode: str) -> int:
    """Instructions of the whole child process for one model, built only or built and run."""
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", CHILD, model, str(DAYS), mode],
        capture_output=True, text=True, env={**os.environ, **QUIET})
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{model} ({mode}) failed under valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    if shutil.which("valgrind") is None:  # an optional tool: the other benchmarks still run
        print("instructions per order: skipped, valgrind is not installed (Debian: apt-get install valgrind)")
        return
    import sim
    from sim.arrivals import generate_orders
    from sim.streams import Streams

    scenario = sim.load_scenario(SCENARIO, [f"days={DAYS}"])
    exams = int((generate_orders(scenario, Streams(scenario.seed, 0)).ordered_at <= DAYS * 1440.0).sum())
    models = ("reference", "reference with calls", "radsim")
    jobs = [(model, mode) for model in models for mode in ("build", "run")]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # each job is a process of its own
        counts = dict(zip(jobs, pool.map(lambda job: instructions(*job), jobs)))
    per_exam = {model: (counts[model, "run"] - counts[model, "build"]) / exams for model in models}
    print(f"academic centre, {DAYS} days: {exams:,} orders; instructions per order of the event loop (cachegrind)")
    print(f"  reference: minimal simpy model          {per_exam['reference']:12,.0f}")
    print(f"  the same with the radiologists' calls   {per_exam['reference with calls']:12,.0f}")
    print(f"  radsim                                  {per_exam['radsim']:12,.0f}  "
          f"{per_exam['radsim'] / per_exam['reference']:.2f}x the reference, "
          f"{per_exam['radsim'] / per_exam['reference with calls']:.2f}x the one with calls")


if __name__ == "__main__":
    main()
