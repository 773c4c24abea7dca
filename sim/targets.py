"""Targets on any turnaround measure, and how often each is met, counting every exam ordered.

A target names a measure, a priority, a number of minutes and, optionally, a
modality or a source, and the share of exams that should meet it. Each
priority's `target_minutes` is a report-turnaround target and its
`scan_target_minutes` a door-to-scan target; the scenario's `targets` list
adds any others.

Attainment counts every exam ordered in the statistics window that the target
covers, not only the finished ones:
- met: the measure ended within the target;
- missed: it ended later, or it had not ended at the horizon although the
  target had already passed (an exam waiting 30 hours for its scan has missed
  a 24-hour order-to-report target whatever happens next);
- unknown: it had not ended at the horizon and its target had not yet passed
  (or the measure had not started: images->report of an exam not yet scanned).
The share within target is met / (met + missed); the unknown count is shown
beside it so that nothing is hidden.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .records import Result

# measure -> (start milestone, end milestone), as columns of the exam log (door_at: the order less its door lead)
MEASURES = {
    "order_to_images": ("ordered_at", "scan_end"),
    "door_to_scan": ("door_at", "imaging_start"),
    "report_tat": ("scan_end", "report_at"),
    "order_to_report": ("ordered_at", "report_at"),
}
MEASURE_NAMES = {"order_to_images": "order to images", "door_to_scan": "door to scan",
                 "report_tat": "images to report", "order_to_report": "order to report"}
DEFAULT_REQUIRED_SHARE = 0.9


@dataclass(frozen=True)
class Target:
    """A target: a turnaround measure, a priority (optionally a modality and source), minutes and the required share."""

    measure: str
    priority: str
    minutes: float
    required_share: float = DEFAULT_REQUIRED_SHARE
    modality: str | None = None
    source: str | None = None

    @property
    def label(self) -> str:
        scope = "".join(f" {x}" for x in (self.modality, self.source) if x)
        return f"{self.priority}{scope} {MEASURE_NAMES[self.measure]} within {self.minutes:g} min"


def targets_of(scenario) -> list[Target]:
    """Every target: each priority's report and door-to-scan targets, then the scenario's own list."""
    out = []
    for name, priority in scenario.priorities.items():
        out.append(Target("report_tat", name, priority.target_minutes, priority.required_share))
        if priority.scan_target_minutes is not None:
            out.append(Target("door_to_scan", name, priority.scan_target_minutes, priority.required_share))
    out += [Target(t.measure, t.priority, t.minutes, t.required_share, t.modality, t.source) for t in scenario.targets]
    return out


def judge(start: np.ndarray, end: np.ndarray, minutes, horizon: float) -> tuple[int, int]:
    """(met, missed) of exams timed from `start` to `end` (NaN: not reached) against a target in minutes (a
    number or one per exam): an exam not ended is missed once the target has passed at the horizon, and not
    judged before (nor if the measure has not started)."""
    value = end - start
    ended = ~np.isnan(value)
    overdue = ~ended & ~np.isnan(start) & (horizon - start > minutes)
    return int(np.sum(ended & (value <= minutes))), int(np.sum(ended & (value > minutes)) + overdue.sum())


def share_met(met: int, missed: int) -> float | None:
    return met / (met + missed) if met + missed else None


def _milestone(result: Result, name: str) -> np.ndarray:
    if name == "door_at":  # the patient's arrival, before the order
        return result.exams.ordered_at - result.exams.orders.door_lead
    return getattr(result.exams, name)


def attainment(result: Result) -> list[dict]:
    """For every target: exams covered, met, missed, unknown and the share within target."""
    s, e, o = result.scenario, result.exams, result.exams.orders
    window = (e.ordered_at >= result.warmup) & np.isnan(e.cancelled_at)  # a cancelled order is not due
    modality_of_type = np.array([list(s.modalities).index(t.modality) for t in s.exam_types.values()])
    rows = []
    for target in targets_of(s):
        covered = window & (o.priority == s.priority_names.index(target.priority))
        if target.modality is not None:
            covered &= modality_of_type[o.exam_type] == list(s.modalities).index(target.modality)
        if target.source is not None:
            covered &= o.source == s.source_names.index(target.source)
        start_name, end_name = MEASURES[target.measure]
        met, missed = judge(_milestone(result, start_name)[covered], _milestone(result, end_name)[covered],
                            target.minutes, result.horizon)
        judged, share = met + missed, share_met(met, missed)
        rows.append({"measure": target.measure, "priority": target.priority, "modality": target.modality,
                     "source": target.source, "target_minutes": target.minutes,
                     "required_share": target.required_share, "label": target.label,
                     "exams": int(covered.sum()), "met": met, "missed": missed,
                     "unknown": int(covered.sum()) - judged, "within_target": share,
                     "meets_requirement": None if share is None else share >= target.required_share})
    return rows


def missed_target_warnings(rows: list[dict]) -> list[str]:
    """A warning, worded for a manager, for every target met by fewer exams than required."""
    return [f"target missed: {row['label']} for {row['within_target']:.0%} of exams "
            f"({row['met']} of {row['met'] + row['missed']}; {row['required_share']:.0%} required"
            + (f"; {row['unknown']} not yet known at the end of the run" if row["unknown"] else "") + ")"
            for row in rows if row["meets_requirement"] is False]
