#!/usr/bin/env python3
"""Does a long worklist slow the reading down? Cost per exam with 10 vs 10,000 studies waiting.

Two measurements, each comparing a short worklist with a long one in the same run:

1. The whole model: a week of the community hospital, with 10 or 10,000
   extra studies put on the worklist at midnight of day 0 for an off-site
   reader who does not come on duty until Sunday, so they stay waiting; the
   clock runs over days 1-6 only, after the backlog is in place.
2. The worklist alone, in steady state: add one study and take the best one,
   with 10 or 10,000 studies of the same class already waiting.

Target (docs/performance.md): long / short <= 1.3.
"""
from __future__ import annotations

import copy
import time

from common import ROOT  # first: it puts this checkout's radsim on the import path

import yaml  # noqa: E402

import numpy as np  # noqa: E402

import sim  # noqa: E402
from sim.arrivals import generate_orders  # noqa: E402
from sim.model import Department  # noqa: E402
from sim.streams import Streams  # noqa: E402
from sim.worklist import Worklist  # noqa: E402

BASE = yaml.safe_load((ROOT / "scenarios" / "community_hospital.yaml").read_text())


def with_backlog(studies: int) -> sim.Scenario:
    data = copy.deepcopy(BASE)
    data["days"], data["warmup_days"] = 7, 0
    data["exam_types"]["xr_outside"] = {"modality": "XR", "subspecialty": "outside",
                                       "acquisition": 0.001, "read": 3}
    for group in data["radiologists"].values():
        group["subspecialties"] = ["chest", "msk", "neuro", "body"]
    data["radiologists"]["outside_reader"] = {
        "count": 1, "modalities": ["XR"], "subspecialties": ["outside"],
        "shifts": [{"start": "08:00", "end": "09:00", "days": ["sun"]}], "priorities": ["outpatient"]}
    data["technologists"]["outside"] = {"count": 20, "modalities": ["XR"], "shifts": ["00:00-00:30"]}
    data["modalities"]["XR"]["scanners"] = [f"XR-{i}" for i in range(1, 24)]
    # scanned within the first minutes of day 0, so the backlog is on the worklist from then on
    data["orders"] = [{"day": 0, "time": "00:00", "source": "outside", "exam_type": "xr_outside",
                       "priority": "outpatient"}] * studies
    data["start_weekday"] = "mon"
    return sim.scenario_from_dict(data)


def time_model(studies: int, repeats: int = 5) -> tuple[float, int]:
    """Seconds to simulate days 1-6, once the backlog is on the worklist, and the exams ordered then."""
    scenario = with_backlog(studies)
    orders = generate_orders(scenario, Streams(scenario.seed))
    flow = int(np.sum(orders.ordered_at >= 1440))
    best = float("inf")
    for _ in range(repeats):
        department = Department(scenario, orders)
        department.env.run(until=1440)
        assert len(department.worklist) >= studies, "backlog not in place"
        start = time.perf_counter()
        department.env.run(until=department.horizon)
        best = min(best, time.perf_counter() - start)
    return best, flow


def time_worklist(studies: int, operations: int = 200_000) -> float:
    worklist = Worklist([0, 1, 2, 3, 4])
    for i in range(studies):
        worklist.push(4, float(i), i)
    classes = worklist.view([[k] for k in range(5)])  # as the model passes them
    start = time.perf_counter()
    t = float(studies)
    for i in range(operations):
        t += 1.0
        worklist.push(4, t, studies + i)
        worklist.pop(worklist.best_class(classes))
    return (time.perf_counter() - start) / operations


def main() -> None:
    (short_s, short_n), (long_s, long_n) = time_model(10), time_model(10_000)
    print("whole model, one week of the community hospital")
    print(f"  10 studies waiting      {1e6 * short_s / short_n:7.1f} us per exam")
    print(f"  10,000 studies waiting  {1e6 * long_s / long_n:7.1f} us per exam")
    print(f"  ratio                   {(long_s / long_n) / (short_s / short_n):7.2f}x (target <= 1.3)")
    short_op, long_op = time_worklist(10), time_worklist(10_000)
    print("worklist alone, add one + take the best, same class")
    print(f"  10 studies waiting      {1e6 * short_op:7.2f} us per exam")
    print(f"  10,000 studies waiting  {1e6 * long_op:7.2f} us per exam")
    print(f"  ratio                   {long_op / short_op:7.2f}x (target <= 1.3)")


if __name__ == "__main__":
    main()
