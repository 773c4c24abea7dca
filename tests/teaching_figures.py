"""The figures docs/teaching.md quotes, computed from runs of the teaching scenarios.

Shared by the tests that keep the guide true (tests/test_teaching.py).
"""
from __future__ import annotations

import numpy as np

import sim
from conftest import SCENARIOS
from sim.metrics import queue_length_at

TEACHING = SCENARIOS / "teaching"


def run(name: str, *overrides):
    return sim.run(sim.load_scenario(TEACHING / f"{name}.yaml", list(overrides)))


def chain(result) -> dict[str, float]:
    e = result.exams
    done = ~np.isnan(e.report_at)
    return {
        "wait_to_scan": float(np.mean(e.scan_start[done] - e.ordered_at[done])),
        "acquisition": float(np.mean(e.scan_end[done] - e.scan_start[done])),
        "worklist_wait": float(np.mean(e.read_start[done] - e.scan_end[done])),
        "reading": float(np.mean(e.report_at[done] - e.read_start[done])),
        "order_to_report": float(np.mean(e.report_at[done] - e.ordered_at[done])),
    }


def stroke_story(result) -> dict[str, float]:
    e, o = result.exams, result.exams.orders
    stroke = int(np.flatnonzero(o.priority == result.scenario.priority_names.index("stroke"))[0])
    at_scanner = np.sum((e.ordered_at < e.ordered_at[stroke]) & (e.scan_start > e.scan_start[stroke]))
    on_worklist = np.sum((e.scan_end < e.scan_end[stroke]) & (e.read_start > e.read_start[stroke]))
    return {"exam": stroke, "overtaken_at_scanner": int(at_scanner), "overtaken_on_worklist": int(on_worklist),
            "interrupted": int(e.interrupted.sum()),
            "report_tat": float(e.report_at[stroke] - e.scan_end[stroke]),
            "door_to_scan": float(e.scan_start[stroke] - e.ordered_at[stroke])}


def night_backlog(result) -> dict:
    trace = result.queues.columns()
    mornings, cleared = [], []
    for day in range(1, result.scenario.days):
        t8 = day * 1440.0 + 480
        mornings.append(int(queue_length_at(result, np.array([t8]))[0]))
        after = np.flatnonzero((trace["time"] >= t8) & (trace["worklist"] == 0))
        cleared.append(float(trace["time"][after[0]] - t8) if len(after) else float("nan"))
    summary = sim.summarise(result)["turnaround"]["priority"]["stat"]
    return {"mornings": mornings, "minutes_to_clear": cleared, "within_target": summary["within_target"]}


def where_orders_wait(result) -> dict[str, float]:
    figures = chain(result)
    return {"wait_to_scan": figures["wait_to_scan"], "worklist_wait": figures["worklist_wait"]}


def within_target(result, priority: str = "stat") -> float:
    return sim.summarise(result)["turnaround"]["priority"][priority]["within_target"]
