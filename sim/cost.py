"""Staff cost of a run: what the roster pays, from the scenario's `costs` (see `sim.schema.Costs`).

Paid time is the scheduled duty after the warm-up, at each group's hourly
rate, plus the night premium for hours inside the night window and the
weekend premium for Saturday and Sunday hours, plus overtime (hours worked
past the shift's end) at the rate with its premium, plus a fee per report
for groups paid per study. With no `costs` section every rate is 1 and
premiums are 0: the cost is the number of paid staff-hours.
"""
from __future__ import annotations

import numpy as np

from .records import Result
from .roster import clip, intervals, merge, overlap_minutes
from .schema import Window

WEEKEND = Window(start="00:00", end="00:00", days=["sat", "sun"])


def staff_cost(result: Result) -> dict:
    s, costs = result.scenario, result.scenario.costs
    lo, hi = result.warmup, result.horizon
    night = clip(intervals([costs.night], s.days, s.start_weekday), lo, hi)
    weekend = clip(intervals([WEEKEND], s.days, s.start_weekday), lo, hi)
    duty_rows = result.staff_log.duty_rows(lo, hi)
    on_duty = result.staff_log.columns()["person"][duty_rows]
    reports = _reports_by_person(result)
    by_group: dict[str, float] = {}
    for index, member in enumerate(result.staff):
        rate = costs.hourly.get(member.group, getattr(costs, f"{member.role}_hourly"))
        plan = merge(clip(result.duty_plan[index], lo, hi))
        minutes = sum(e - st for st, e in plan)
        premium = costs.night_premium * overlap_minutes(plan, night) + \
            costs.weekend_premium * overlap_minutes(plan, weekend)
        overtime = float(result.staff_log.overtime(duty_rows[on_duty == index]).sum())
        paid = rate * (minutes + premium + overtime * (1 + costs.overtime_premium)) / 60
        paid += costs.per_report.get(member.group, 0.0) * reports.get(index, 0) if member.role == "radiologist" else 0
        key = f"{member.role}s.{member.group}"
        by_group[key] = by_group.get(key, 0.0) + paid
    total = sum(by_group.values())
    weeks = (hi - lo) / (7 * 1440)
    return {"currency": costs.currency, "total": total, "per_week": total / weeks if weeks > 0 else None,
            "by_group": by_group}


def _reports_by_person(result: Result) -> dict[int, int]:
    """Reports (prelim or final) signed after the warm-up, per radiologist."""
    e = result.exams
    counts: dict[int, int] = {}
    for who, when in ((e.radiologist, e.report_at), (e.prelim_radiologist, e.prelim_at)):
        signed = (who >= 0) & ~np.isnan(when) & (when >= result.warmup)
        for person, n in zip(*np.unique(who[signed], return_counts=True)):
            counts[int(person)] = counts.get(int(person), 0) + int(n)
    return counts
