#!/usr/bin/env python3
"""The animated department for a busy day: frames and the page, against the simulation they are drawn from.

Runs 28 days of the academic centre, then builds the animation of day 14, 07:00-19:00 (721 frames, every scanner
and person, one exam followed), prints the time to build the frames and write the page and the page's size, and,
as a same-run reference, the simulation's time. Target (docs/performance.md): a day's animation in under a
quarter of the time of simulating those 28 days, and a page under 5 MB.
"""
from __future__ import annotations

import time

from common import timed_run  # first: it puts this checkout's radsim on the import path

from sim.animation import animation_page, default_highlight, frames  # noqa: E402


def main() -> None:
    result, simulate = timed_run("academic_centre", "days=28")
    lo, hi = 14 * 1440 + 7 * 60, 14 * 1440 + 19 * 60
    start = time.perf_counter()
    data = frames(result, lo, hi, highlight=default_highlight(result, lo, hi))
    built = time.perf_counter() - start
    page = animation_page(data)
    total = time.perf_counter() - start
    print(f"academic centre, 28 days: {len(result.exams):,} exams; animation of day 14 07:00-19:00, "
          f"{len(data['times'])} frames, {len(result.staff)} people, {len(result.scanners)} rooms")
    print(f"  simulate (reference)        {simulate:6.2f} s")
    print(f"  frames                      {built:6.2f} s")
    print(f"  frames + page               {total:6.2f} s  ({total / simulate:.2f}x the simulation; target <= 0.25x)")
    print(f"  page size                   {len(page.encode()) / 1e6:6.2f} MB (target <= 5 MB)")


if __name__ == "__main__":
    main()
