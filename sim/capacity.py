"""Offered load: can the department keep up, on average, with the demand?

Before a run, demand (exams per day x mean duration) is compared with the
staff and scanner time on offer over the horizon, modality by modality:
technologists credentialed for it, its scanners' opening hours, and the
radiologists who read it. A ratio at or above 1 means queues grow without
bound; the run still goes ahead, with a warning naming the group and load.
Staff shared between modalities are counted in full for each, so these
checks are optimistic: passing them does not prove the department copes.
"""
from __future__ import annotations

import numpy as np

from .appointments import slot_times
from .arrivals import hourly_rates
from .roster import covered_minutes, intervals
from .schema import Scenario, acquisition_mean


def expected_orders(scenario: Scenario) -> dict[str, float]:
    """Expected orders of each exam type over the horizon: random demand and attended appointments."""
    totals = dict.fromkeys(scenario.exam_types, 0.0)
    for source_name, source in scenario.demand.items():
        orders = float(np.sum(hourly_rates(scenario, source_name)))
        weights = {name: share.share for name, share in source.exam_mix.items()}
        for name, weight in weights.items():
            totals[name] += orders * weight / sum(weights.values())
    for book_name, book in scenario.appointments.items():
        attended = len(slot_times(scenario, book_name)) * book.booked_share * (1 - book.no_show)
        for name, weight in book.exam_mix.items():
            totals[name] += attended * weight / sum(book.exam_mix.values())
    return totals


def demand_minutes(scenario: Scenario, role: str) -> dict[str, float]:
    """Expected minutes per modality over the horizon of "technologist", "scanner" or "radiologist" work.

    Bedside exams need no scanner; an IR procedure needs a radiologist for its length besides its report."""
    totals = dict.fromkeys(scenario.modalities, 0.0)
    for name, orders in expected_orders(scenario).items():
        exam = scenario.exam_types[name]
        if role == "radiologist":
            minutes = exam.read.mean() + (acquisition_mean(exam) if scenario.modalities[exam.modality].procedures else 0)
        elif role == "scanner" and exam.portable is not None:
            minutes = 0.0
        else:
            minutes = acquisition_mean(exam)
        totals[exam.modality] += orders * minutes
    return totals


def _staff_minutes(scenario: Scenario, groups) -> dict[str, float]:
    horizon_minutes = {}
    for modality in scenario.modalities:
        total = 0.0
        for group in groups.values():
            if modality in group.modalities and group.count:
                plan = intervals(group.shifts, scenario.days, scenario.start_weekday)
                total += group.count * covered_minutes(plan, 0.0, scenario.days * 1440.0)
        horizon_minutes[modality] = total
    return horizon_minutes


def offered_loads(scenario: Scenario) -> list[tuple[str, float, float, float]]:
    """(group description, load, demand minutes, capacity minutes) for every group with demand."""
    rows = []
    technologist = demand_minutes(scenario, "technologist")
    scanner = demand_minutes(scenario, "scanner")
    reading = demand_minutes(scenario, "radiologist")
    techs = _staff_minutes(scenario, scenario.technologists)
    readers = _staff_minutes(scenario, scenario.radiologists)
    for modality, spec in scenario.modalities.items():
        opening = covered_minutes(intervals(spec.hours, scenario.days, scenario.start_weekday), 0.0,
                                  scenario.days * 1440.0)
        for label, demand, capacity in (
            (f"{modality} technologists", technologist[modality], techs[modality]),
            (f"{modality} scanners", scanner[modality], opening * spec.scanner_count),
            (f"{modality} radiologists", reading[modality], readers[modality]),
        ):
            if demand > 0:
                load = demand / capacity if capacity > 0 else float("inf")
                rows.append((label, load, demand, capacity))
    return rows


def offered_load_warnings(scenario: Scenario, threshold: float = 1.0) -> list[str]:
    days = scenario.days
    return [
        f"overload: {label} are offered {load:.2f} of their capacity "
        f"({demand / days:,.0f} min/day of work for {capacity / days:,.0f} min/day available); "
        "their queue will grow without bound"
        for label, load, demand, capacity in offered_loads(scenario)
        if load >= threshold
    ]
