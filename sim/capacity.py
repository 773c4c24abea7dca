"""Offered load: can the department keep up, on average, with the demand?

Before a run, demand (exams per day x mean duration) is compared with the
staff and scanner time on offer over the horizon, modality by modality:
technologists credentialed for it, its scanners' opening hours, and the
radiologists who read it. A ratio at or above 1 means queues grow without
bound; the run still goes ahead, with a warning naming the group and load.

A radiologist's work per order is the read, the comparison with priors (for
the source's share of patients with priors), the critical-result call (for
the exam's share), the dose review (for the share above the reference
level), the protocol (where the exam needs one and its priority has no
standing protocol) and, in an IR suite, the procedure; their time on
offer is duty time less breaks, non-interpretive work at set times and
interruptions, at the group's speed.
Staff shared between modalities are counted in full for each modality (and
once, against all the work of their role, in an "all modalities" row), and neither
the resumption penalty of interrupted reads nor final reads after a
preliminary report are counted, so these checks are optimistic: passing
them does not prove the department copes.
"""
from __future__ import annotations

import numpy as np

from .appointments import slot_times
from .clock import hour_pieces, weekday_of
from .arrivals import hourly_rates
from .roster import covered_minutes, intervals
from .schema import Scenario, acquisition_mean, book_priorities


def expected_order_groups(scenario: Scenario) -> list[tuple[str, str, dict[str, float], float]]:
    """(source, exam type, priority mix, expected orders over the horizon) of random demand and attended
    appointments."""
    groups = []
    for source_name, source in scenario.demand.items():
        orders = float(np.sum(hourly_rates(scenario, source_name)))
        weights = {name: share.share for name, share in source.exam_mix.items()}
        for name, weight in weights.items():
            groups.append((source_name, name, source.priority_mix_for(name), orders * weight / sum(weights.values())))
    for book_name, book in scenario.appointments.items():
        slots = len(slot_times(scenario, book_name))
        booked = min(slots, sum(r.per_week for r in book.referrals.values()) / 7 * scenario.days) \
            if book.referrals else slots * book.booked_share
        attended = booked * (1 - book.no_show)
        for name, weight in book.exam_mix.items():
            groups.append((book.source, name, book_priorities(book), attended * weight / sum(book.exam_mix.values())))
    return [part for group in groups for part in _after_protocol(scenario, *group)]


def _after_protocol(scenario: Scenario, source: str, name: str, mix: dict[str, float], orders: float):
    """A group of orders as done: the share the protocoling radiologist changes moves to its new exam type (at
    the priorities that get a protocol). The protocol's own minutes are counted as the new type's, if any."""
    exam = scenario.exam_types[name]
    protocolled = {p: w for p, w in mix.items() if not scenario.priorities[p].standing_protocol}
    if not exam.protocol_changes or exam.protocol is None or not sum(protocolled.values()):
        return [(source, name, mix, orders)]
    reach = orders * sum(protocolled.values()) / sum(mix.values())
    moved = [(source, target, protocolled, reach * share) for target, share in exam.protocol_changes.items()]
    return [(source, name, mix, orders - sum(m[3] for m in moved)), *moved]


def expected_orders(scenario: Scenario) -> dict[str, float]:
    """Expected orders of each exam type over the horizon: random demand and attended appointments."""
    totals = dict.fromkeys(scenario.exam_types, 0.0)
    for _, name, _, orders in expected_order_groups(scenario):
        totals[name] += orders
    return totals


def radiologist_minutes_per_order(scenario: Scenario, source: str, exam_name: str, mix: dict[str, float]) -> float:
    """Expected radiologist minutes of one order: read, priors, critical call, protocol and IR procedure."""
    exam = scenario.exam_types[exam_name]
    total = sum(mix.values()) or 1.0
    minutes = sum(w * (exam.read_by_priority[p] if p in exam.read_by_priority else exam.read).mean()
                  for p, w in mix.items()) / total
    demand = scenario.demand.get(source)
    if exam.priors is not None and demand is not None:
        minutes += demand.priors_share * exam.priors.extra.mean()
    minutes += exam.critical_share * scenario.reading.critical_call.mean()
    if exam.dose is not None and exam.dose.reference_level is not None:
        minutes += exam.dose.review_minutes.mean() * share_above(exam.dose.value, exam.dose.reference_level)
    if exam.protocol is not None:
        needing = sum(w for p, w in mix.items() if not scenario.priorities[p].standing_protocol) / total
        minutes += needing * exam.protocol.mean()
    if scenario.modalities[exam.modality].procedures:
        minutes += acquisition_mean(exam)
    return minutes


def porter_minutes(scenario: Scenario) -> float:
    """Expected porter minutes over the horizon: each carried patient is fetched and taken back, two legs each."""
    total = 0.0
    for name, source in scenario.demand.items():
        if source.transport is None:
            continue
        orders = float(np.sum(hourly_rates(scenario, name)))
        weights = {n: share.share for n, share in source.exam_mix.items()}
        carried = source.transport.priorities
        for exam_name, weight in weights.items():
            if scenario.exam_types[exam_name].portable is not None:
                continue
            mix = source.priority_mix_for(exam_name)
            share = sum(w for p, w in mix.items() if carried is None or p in carried) / sum(mix.values())
            total += orders * weight / sum(weights.values()) * share * 4 * source.transport.minutes.mean()
    return total


def anaesthetist_minutes(scenario: Scenario) -> float:
    """Expected anaesthetist minutes over the horizon: the whole room time of each sedated acquisition."""
    total = 0.0
    for name, orders in expected_orders(scenario).items():
        exam = scenario.exam_types[name]
        if exam.sedation is not None:
            sedation = exam.sedation
            room_time = acquisition_mean(exam) + (1 - sedation.share) * sedation.induction.mean()
            total += orders * sedation.share * room_time
    return total


def share_above(distribution, level: float, draws: int = 20_000) -> float:
    """The share of a distribution's values above `level`, from a fixed sample (the same answer every time)."""
    return float(np.mean(distribution.sample(np.random.default_rng(0), draws) > level))


def demand_minutes(scenario: Scenario, role: str) -> dict[str, float]:
    """Expected minutes per modality over the horizon of "technologist", "scanner" or "radiologist" work.

    Bedside exams need no scanner; an IR procedure needs a radiologist for its length besides its report."""
    totals = dict.fromkeys(scenario.modalities, 0.0)
    if role == "radiologist":
        for source, name, mix, orders in expected_order_groups(scenario):
            exam = scenario.exam_types[name]
            totals[exam.modality] += orders * radiologist_minutes_per_order(scenario, source, name, mix)
        return totals
    for name, orders in expected_orders(scenario).items():
        exam = scenario.exam_types[name]
        if role == "scanner" and exam.portable is not None:
            minutes = 0.0
        else:
            minutes = acquisition_mean(exam)
        totals[exam.modality] += orders * minutes
    return totals


def _staff_minutes(scenario: Scenario, groups, minutes: dict[str, float]) -> dict[str, float]:
    """Per modality, the working minutes (`minutes`, by group) of the groups that can work it."""
    return {modality: sum(minutes[name] for name, group in groups.items()
                          if modality in group.modalities and name in minutes)
            for modality in scenario.modalities}


def _working_minutes_by_group(scenario: Scenario, groups) -> dict[str, float]:
    """Each staffed group's working minutes, worked out once for every modality and total that uses them."""
    return {name: working_minutes(scenario, group) for name, group in groups.items() if group.count}


def working_minutes(scenario: Scenario, group) -> float:
    """A group's minutes on offer over the horizon: duty less breaks and (radiologists) set non-interpretive work
    and interruptions, in
    standard minutes of work (a reader at speed 1.5 does two-thirds of the work in the same time)."""
    plan = intervals(group.shifts, scenario.days, scenario.start_weekday)
    minutes = group.count * covered_minutes(plan, 0.0, scenario.days * 1440.0)
    spans = np.asarray(plan, dtype=float).reshape(-1, 2)
    for b in group.breaks:  # each member's wave, on the days they are on duty at its time
        for wave in range(b.waves):
            members = len(range(wave, group.count, b.waves))
            times = np.arange(scenario.days) * 1440.0 + b.start + wave * b.minutes
            minutes -= members * b.minutes * int(np.count_nonzero(_on_duty_at(spans, times)))
    for work in getattr(group, "non_interpretive", ()):  # set work: its members, on its days, if on duty then
        times = np.array([d * 1440.0 + work.start for d in range(scenario.days)
                          if weekday_of(d, scenario.start_weekday) in work.days])
        minutes -= min(work.members, group.count) * work.minutes * int(np.count_nonzero(_on_duty_at(spans, times)))
    interruptions = getattr(group, "interruptions", None)
    if interruptions is not None:
        # one arriving during another is absorbed by it: the share of time taken is that of a loss system,
        # offered / (1 + offered), whatever the distribution of their length
        offered = np.asarray(interruptions.per_hour) / 60.0 * interruptions.duration.mean()
        minutes -= group.count * float(np.dot(_minutes_by_hour_of_day(plan), offered / (1.0 + offered)))
    return max(minutes, 0.0) / getattr(group, "speed", 1.0)


def _on_duty_at(spans: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Whether each time falls within one of the sorted, disjoint duty spans (rows of start, end)."""
    if not len(spans) or not len(times):
        return np.zeros(len(times), dtype=bool)
    shift = np.searchsorted(spans[:, 0], times, side="right") - 1
    return (shift >= 0) & (times < spans[np.maximum(shift, 0), 1])


def _minutes_by_hour_of_day(plan: list[tuple[float, float]]) -> np.ndarray:
    """Minutes of the intervals in each hour of day (0-23), summed over the days."""
    _, minutes, hours, _ = hour_pieces(plan)
    return np.bincount(hours, weights=minutes, minlength=24).astype(float)  # float also when there are none


def offered_loads(scenario: Scenario) -> list[tuple[str, float, float, float]]:
    """(group description, load, demand minutes, capacity minutes) for every group with demand."""
    rows = []
    technologist = demand_minutes(scenario, "technologist")
    scanner = demand_minutes(scenario, "scanner")
    reading = demand_minutes(scenario, "radiologist")
    tech_minutes = _working_minutes_by_group(scenario, scenario.technologists)
    reader_minutes = _working_minutes_by_group(scenario, scenario.radiologists)
    techs = _staff_minutes(scenario, scenario.technologists, tech_minutes)
    readers = _staff_minutes(scenario, scenario.radiologists, reader_minutes)
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
    for label, demand, groups in (("porters", porter_minutes(scenario), scenario.porters),
                                  ("anaesthetists", anaesthetist_minutes(scenario), scenario.anaesthesia)):
        if demand > 0:
            capacity = sum(working_minutes(scenario, g) for g in groups.values() if g.count)
            rows.append((label, demand / capacity if capacity > 0 else float("inf"), demand, capacity))
    # each person once: staff who cover several modalities cannot give each of them all their time
    for label, demand, groups in (("technologists, all modalities", sum(technologist.values()), scenario.technologists),
                                  ("radiologists, all modalities", sum(reading.values()), scenario.radiologists)):
        capacity = sum(working_minutes(scenario, g) for g in groups.values() if g.count)
        if demand > 0 and len(scenario.modalities) > 1:
            rows.append((label, demand / capacity if capacity > 0 else float("inf"), demand, capacity))
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
