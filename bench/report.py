#!/usr/bin/env python3
"""Figures and report.html for a 28-day run of the academic centre.

Prints the time to draw every figure (PNG and SVG) and write the report, and,
as a same-run reference, the time of the simulation itself, with the figures'
time as a multiple of it: seconds move with the machine (a shared one can run
twice as slow on another day), the multiple far less.
Target (docs/performance.md): figures + report <= 10 s.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import timed_run  # first: it puts this checkout's radsim on the import path

import sim
from sim.plots import write_plots  # noqa: E402
from sim.report import write_report  # noqa: E402


def main() -> None:
    result, simulate = timed_run("academic_centre", "days=28")
    summary = sim.summarise(result)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        figures = write_plots(result, Path(folder))
        drawn = time.perf_counter() - start
        write_report(result, summary, figures, Path(folder) / "report.html")
        total = time.perf_counter() - start
    print(f"academic centre, 28 days: {len(result.exams):,} exams")
    print(f"  simulate (reference)        {simulate:6.2f} s")
    print(f"  figures, PNG + SVG          {drawn:6.2f} s")
    print(f"  figures + report.html       {total:6.2f} s  {total / simulate:4.2f}x the simulation  "
          f"(target <= 10 s: {'met' if total <= 10 else 'MISSED'})")


if __name__ == "__main__":
    main()
