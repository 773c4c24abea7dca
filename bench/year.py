#!/usr/bin/env python3
"""A year of the academic centre (about 1,000 exams a day), measured against the minimal simpy model.

Prints, for DAYS (default 365) of the academic centre:
- the simulation alone, in this process: seconds, exams per second and simpy events per exam;
- the command line (`run_sim.py ... --quiet`), with every figure and report.html and with `--no-plots`,
  each in a fresh process: wall seconds and peak memory;
- beside them the reference, measured in the same run on the same machine, first and again last (the ratios
  are against the mean of the two): the minimal one-process-per-exam simpy model of the same orders
  (bench/reference.py), and its own simpy events per exam;
- for information, the same minimal model with the radiologists' calls radsim draws (about two per exam), and
  radsim's times as multiples of that.

Compare the ratios across machines; absolute seconds move with the hardware. Targets (docs/performance.md):
command line <= 2.0x the reference with figures and <= 1.5x without, <= 300 MB peak in both, <= 6 simpy
events per exam.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import OWN_PEAK, ROOT  # first: it puts this checkout's radsim on the import path

import sim  # noqa: E402
from sim.model import Department  # noqa: E402
from sim.arrivals import generate_orders  # noqa: E402
from sim.streams import Streams  # noqa: E402

from reference import minimal_model_seconds  # noqa: E402

DAYS = int(sys.argv[1]) if len(sys.argv) > 1 else 365
SCENARIO = ROOT / "scenarios" / "academic_centre.yaml"
# runs the command line in a fresh interpreter and reports its own peak memory, then that of the process that wrote
# tables beside it (on Linux; it shares the result's pages with the command, so the two are not to be added; a
# forked writer's peak starts from what it shares, not from this benchmark's)
CHILD = OWN_PEAK + """
from sim.cli import main
code = main(sys.argv[1:])
print(own_peak_kb() // 1024, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr)
sys.exit(code)
"""


def simulate() -> tuple[float, int, int]:
    """Seconds, exams and simpy events of one run of the model, in this process."""
    scenario = sim.load_scenario(SCENARIO, [f"days={DAYS}"])
    start = time.perf_counter()
    streams = Streams(scenario.seed, 0)
    department = Department(scenario, generate_orders(scenario, streams), streams)
    department.env.run(until=department.horizon)
    department.result(scenario.seed, 0)
    seconds = time.perf_counter() - start
    return seconds, len(department.exams), next(department.env._eid)  # simpy numbers every event it schedules


def command_line(*options: str) -> tuple[float, int, int]:
    """Wall seconds, peak MB and the table writer's peak MB of `run_sim.py SCENARIO --days DAYS --quiet OPTIONS` in
    a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        argv = ["run", str(SCENARIO), "--days", str(DAYS), "--quiet", "--out", str(Path(folder) / "out"), *options]
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, *argv], cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    own, writer = done.stderr.strip().splitlines()[-1].split()
    return seconds, int(own), int(writer)


def main() -> None:
    scenario = sim.load_scenario(SCENARIO, [f"days={DAYS}"])
    before, reference_exams, reference_events = minimal_model_seconds(scenario)
    with_calls, with_calls_exams, with_calls_events = minimal_model_seconds(scenario, with_calls=True)
    seconds, exams, events = simulate()
    plain, plain_mb, plain_writer = command_line("--no-plots")
    full, full_mb, full_writer = command_line()
    # the reference again at the end: a shared machine's speed can move by a fifth within minutes, and the
    # ratios are taken against the mean of the two
    after = minimal_model_seconds(scenario)[0]
    reference = (before + after) / 2
    print(f"academic centre, {DAYS} days: {exams:,} exams")
    print(f"  reference: minimal simpy model  {reference:7.2f} s  "
          f"({reference_events / reference_exams:.1f} simpy events per exam; {before:.2f} s first, {after:.2f} s last)")
    print(f"  simulation alone                {seconds:7.2f} s  {seconds / reference:5.2f}x  "
          f"({exams / seconds:,.0f} exams/s, {events / exams:.1f} simpy events per exam)")
    print(f"  command line, --no-plots        {plain:7.2f} s  {plain / reference:5.2f}x  peak {plain_mb:4d} MB "
          f"(table writer {plain_writer} MB, shared with it)")
    print(f"  command line, figures + report  {full:7.2f} s  {full / reference:5.2f}x  peak {full_mb:4d} MB "
          f"(table writer {full_writer} MB, shared with it)")
    print(f"  for information: the minimal model with the same calls {with_calls:.2f} s; against it the simulation "
          f"{seconds / with_calls:.2f}x, the command line {plain / with_calls:.2f}x without figures and "
          f"{full / with_calls:.2f}x with them ({with_calls_events / with_calls_exams:.1f} simpy events per exam)")
    verdict = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    print(f"  targets: without figures <= 1.5x {verdict(plain <= 1.5 * reference)}, <= 300 MB "
          f"{verdict(plain_mb <= 300)}; with figures <= 2.0x {verdict(full <= 2.0 * reference)}, <= 300 MB "
          f"{verdict(full_mb <= 300)}; <= 6 events per exam {verdict(events <= 6 * exams)}")


if __name__ == "__main__":
    main()
