"""Figures of the technologist side, from records: door-to-scan, the scanner time split, IR procedures,
appointments and breaks.

Pure functions of a `Result`, like `sim.metrics` (which puts them in the summary). Statistics cover
exams ordered after the warm-up, and time after it.
"""
from __future__ import annotations

import numpy as np

from .arrivals import above_reference
from .metrics import clipped_minutes, describe, describe_censored, in_statistics, scanner_groups
from .records import BREAK, DUTY, PROCEDURE, ROLES, ROOM_DOWN, ROOM_KIND_NAMES, TRANSPORT, Result, one_of
from .streams import FOLLOW_UP
from .targets import judge, share_met


def technologist_side(result: Result) -> dict:
    """The summary's sections for this side, those that apply to the scenario."""
    sections = {"readiness": readiness(result), "cancellations": cancellations(result),
                "protocol_changes": protocol_changes(result), "transport": transport(result),
                "sedation": sedation(result), "dose": dose(result),
                "door_to_scan": door_to_scan(result),
                "scanner_time": scanner_time(result),
                "procedures": procedures(result), "appointments": appointments(result),
                "waiting_list": waiting_list(result), "breaks": breaks(result)}
    return {name: value for name, value in sections.items() if value}


def door_to_scan(result: Result) -> dict[str, dict]:
    """Door (the patient's arrival, or the order where none is given) -> the scan itself starts, for each priority
    with a scan target (stroke: 25 min, AHA/ASA).

    Judged like report targets: scanned exams, and unscanned ones already past their target."""
    e, s = result.exams, result.scenario
    window = in_statistics(result)
    door = e.ordered_at - e.orders.door_lead  # the patient's arrival
    waits = e.imaging_start - door
    out = {}
    for rank, (name, priority) in enumerate(s.priorities.items()):
        if priority.scan_target_minutes is None:
            continue
        mine = window & (e.orders.priority == rank)
        target = priority.scan_target_minutes
        met, missed = judge(door[mine], e.imaging_start[mine], target, result.horizon)
        out[name] = {"count": int(mine.sum()), "target_minutes": target, **describe(waits[mine]),
                     "within_target": share_met(met, missed)}
    return out


def readiness(result: Result) -> dict[str, dict[str, dict]]:
    """Per source and priority with a readiness delay: order -> patient ready, and ready -> acquisition start
    (the department's own queue). An exam ready but not yet begun at the end counts at its wait so far, which
    makes the second a lower bound (`unfinished` says how many)."""
    e, s = result.exams, result.scenario
    o = e.orders
    window = in_statistics(result)
    ready_at = e.ready_at()
    ready_by_end = np.where(ready_at < result.horizon, ready_at, np.nan)  # simpy stops before the horizon
    out = {}
    delayed = window & (o.readiness > 0)
    for code, source in enumerate(s.source_names):
        for rank, priority in enumerate(s.priority_names):
            mine = delayed & (o.source == code) & (o.priority == rank)
            if mine.any():
                out.setdefault(source, {})[priority] = {
                    "count": int(mine.sum()), "order_to_ready": describe(o.readiness[mine]),
                    "ready_to_scan": describe_censored((e.scan_start - ready_at)[mine], ready_by_end[mine],
                                                       result.horizon)}
    return out


def cancellations(result: Result) -> dict[str, dict[str, dict]]:
    """Per source and priority whose orders may be cancelled, or were: orders placed after the warm-up, how many
    were cancelled (while waiting for the scanner, or by the radiologist at the protocol), the share, and how long
    they had waited."""
    e, s = result.exams, result.scenario
    o = e.orders
    placed = e.ordered_at >= result.warmup
    gone = placed & ~np.isnan(e.cancelled_at)
    at_protocol = gone & (e.cancelled_at == e.protocol_at)
    out = {}
    for code, source in enumerate(s.source_names):
        spec = s.demand.get(source)
        for rank, priority in enumerate(s.priority_names):
            mine = placed & (o.source == code) & (o.priority == rank)
            configured = spec is not None and priority in spec.cancellation
            if mine.any() and (configured or (gone & mine).any()):
                lost = gone & mine
                out.setdefault(source, {})[priority] = {
                    "ordered": int(mine.sum()), "cancelled": int(lost.sum()), "share": float(lost.sum() / mine.sum()),
                    "at_protocol": int((at_protocol & mine).sum()),
                    "waited": describe((e.cancelled_at - e.ordered_at)[lost])}
    return out


def transport(result: Result) -> dict[str, dict]:
    """Per source whose patients porters fetch: patients ordered after the warm-up and fetched, how long the ready
    patient waited for a porter to set off (one still waiting at the end counts at its wait so far), and the
    porter's round trip."""
    e, s = result.exams, result.scenario
    o = e.orders
    if not np.any(o.transport > 0):
        return {}
    log = result.staff_log.columns()
    rows = log["kind"] == TRANSPORT
    set_off = np.full(len(e), np.nan)
    np.fmin.at(set_off, log["exam"][rows], log["start"][rows])  # the first trip is the fetch
    ready_at = e.ready_at()
    ready_by_end = np.where(ready_at < result.horizon, ready_at, np.nan)
    waiting = in_statistics(result) & (o.transport > 0) & ~np.isnan(ready_by_end)
    out = {}
    for code, source in enumerate(s.source_names):
        mine = waiting & (o.source == code)
        if mine.any():
            out[source] = {"patients": int(mine.sum()), "fetched": int((mine & ~np.isnan(set_off)).sum()),
                           "wait_for_porter": describe_censored((set_off - ready_at)[mine], ready_by_end[mine],
                                                                result.horizon),
                           "round_trip": describe(2 * o.transport[mine])}
    return out


def sedation(result: Result) -> dict[str, dict]:
    """Per exam type with sedation: exams ordered after the warm-up done under sedation, those begun, and how long
    the ready patient waited for a scanner, a technologist and an anaesthetist together (one still waiting at the
    end counts at its wait so far)."""
    e, s = result.exams, result.scenario
    o = e.orders
    if not np.any(o.steps.sedated):
        return {}
    ready_at = e.ready_at()
    ready_by_end = np.where(ready_at < result.horizon, ready_at, np.nan)
    sedated = in_statistics(result) & o.steps.sedated & ~np.isnan(ready_by_end)
    out = {}
    for code, (name, exam) in enumerate(s.exam_types.items()):
        mine = sedated & (o.exam_type == code)
        if exam.sedation is not None and mine.any():
            out[name] = {"sedated": int(mine.sum()), "begun": int((mine & ~np.isnan(e.scan_start)).sum()),
                         "ready_to_scan": describe_censored((e.scan_start - ready_at)[mine], ready_by_end[mine],
                                                            result.horizon)}
    return out


def protocol_changes(result: Result) -> dict[str, dict]:
    """Per exam type that the protocoling radiologist may change: orders of it placed after the warm-up and
    protocolled, and how many were changed into each other type."""
    e, s = result.exams, result.scenario
    o = e.orders
    names = list(s.exam_types)
    protocolled = (e.ordered_at >= result.warmup) & ~np.isnan(e.protocol_at)
    out = {}
    for code, (name, exam) in enumerate(s.exam_types.items()):
        if not exam.protocol_changes:
            continue
        mine = protocolled & (o.ordered_as == code)
        changed = {t: int((mine & (o.exam_type == names.index(t))).sum()) for t in exam.protocol_changes}
        out[name] = {"protocolled": int(mine.sum()), "changed": changed,
                     "share": float(sum(changed.values()) / mine.sum()) if mine.any() else None}
    return out


def dose(result: Result) -> dict[str, dict]:
    """Radiation dose of the exams acquired after the warm-up, per unit: by exam type, source and scanner, each with
    the exams, mean, median, p90, total, and how many were above their type's reference level."""
    e, s = result.exams, result.scenario
    o = e.orders
    done = in_statistics(result) & ~np.isnan(e.scan_end) & ~np.isnan(o.dose)
    if not done.any():
        return {}
    above = above_reference(s, o.exam_type, o.dose) == 1
    # grouped by codes, named at the end: a year's exams as strings would be tens of megabytes
    units = sorted({t.dose.unit for t in s.exam_types.values() if t.dose is not None})
    unit_of_exam = np.array([units.index(t.dose.unit) if t.dose is not None else -1
                             for t in s.exam_types.values()])[o.exam_type]
    out = {}
    for code, unit in enumerate(units):
        mine = done & (unit_of_exam == code)
        if not mine.any():
            continue
        out[unit] = {by: {name: _dose_row(o.dose, above, mine & (keys == key)) for name, key in
                          sorted((names[key], key) for key in np.unique(keys[mine]).tolist())}
                     for by, keys, names in (("exam_type", o.exam_type, list(s.exam_types)),
                                             ("source", o.source, s.source_names),
                                             ("scanner", e.scanner, [sc.name for sc in result.scanners] + [""]))}
        out[unit]["all"] = _dose_row(o.dose, above, mine)
    return out


def _dose_row(values: np.ndarray, above: np.ndarray, mask: np.ndarray) -> dict:
    stats = describe(values[mask])
    return {"exams": int(mask.sum()), "mean": stats["mean"], "median": stats["median"], "p90": stats["p90"],
            "total": float(values[mask].sum()), "above_reference": int((above & mask).sum()),
            "above_reference_share": float((above & mask).sum() / mask.sum())}


def _open_minutes_before(spans: list[tuple[float, float]]):
    """F(t): minutes of `spans` before t, vectorised (spans sorted and disjoint)."""
    if not spans:
        return lambda t: np.zeros_like(t)
    bounds = np.array(spans, dtype=float)
    after_each = np.cumsum(bounds[:, 1] - bounds[:, 0])
    at_starts = np.concatenate([[0.0], after_each[:-1]])
    knots = bounds.ravel()  # s0, e0, s1, e1...: F rises within a span and is flat between spans
    values = np.column_stack([at_starts, after_each]).ravel()
    return lambda t: np.interp(t, knots, values)


def scanner_time(result: Result) -> dict[str, dict[str, float]]:
    """Each scanner group's opening time split into scanning, prep, turnover, travel, warm-up, maintenance,
    broken (the last three also summed as down) and idle; time outside opening hours is left out."""
    log = result.room_log.columns()
    lo, hi = result.warmup, result.horizon
    out = {}
    for label, modality, ids in scanner_groups(result):
        before = _open_minutes_before(result.opening[modality])
        open_minutes = float(before(np.array([hi]))[0] - before(np.array([lo]))[0]) * len(ids)
        if open_minutes <= 0:
            continue
        mine = np.flatnonzero(one_of(log["room"], ids))  # the group's rows first: a year's log is most of a million
        start = np.clip(log["start"][mine], lo, hi)
        end = np.clip(np.where(np.isnan(log["end"][mine]), hi, log["end"][mine]), lo, hi)
        inside, kinds = before(end) - before(start), log["kind"][mine]
        split = {name: float(inside[kinds == kind].sum() / open_minutes) for kind, name in ROOM_KIND_NAMES.items()}
        split["down"] = sum(split[ROOM_KIND_NAMES[k]] for k in ROOM_DOWN)
        split["idle"] = max(0.0, 1.0 - sum(v for k, v in split.items() if k != "down"))
        split["open_hours"] = open_minutes / 60
        out[label] = split
    return out


def procedures(result: Result) -> dict | None:
    """IR procedures: how many of each type, and the radiologist time they took from the worklist."""
    s = result.scenario
    procedure_modalities = [m for m, spec in s.modalities.items() if spec.procedures]
    if not procedure_modalities:
        return None
    o, e = result.exams.orders, result.exams
    window = in_statistics(result)
    counts = {}
    for code, (name, exam) in enumerate(s.exam_types.items()):
        if exam.modality in procedure_modalities:
            mine = window & (o.exam_type == code)
            counts[name] = {"ordered": int(mine.sum()), "done": int(np.sum(mine & ~np.isnan(e.scan_end))),
                            "from_follow_up": int(np.sum(mine & (o.origin == FOLLOW_UP)))}
    log = result.staff_log.columns()
    minutes = clipped_minutes(log["start"], log["end"], result.warmup, result.horizon)
    radiologists = np.array([m.role == "radiologist" for m in result.staff] or [False])[log["person"]]
    procedure = float(minutes[radiologists & (log["kind"] == PROCEDURE)].sum())
    duty = float(minutes[radiologists & (log["kind"] == DUTY)].sum())
    return {"by_type": counts, "radiologist_hours": procedure / 60,
            "share_of_radiologist_time": procedure / duty if duty else None}


def appointments(result: Result) -> dict | None:
    """Per appointment book: slots, booked, attended, no-shows and idle slots (unbooked or no-show), after the
    warm-up; and how long attended patients waited past their slot."""
    s = result.scenario
    if not s.appointments:
        return None
    slots, e = result.exams.orders.slots, result.exams
    out = {}
    for code, name in enumerate(s.appointments):
        mine = (slots.book == code) & (slots.time >= result.warmup)
        came = slots.exam[mine & (slots.exam >= 0)]
        late_start = e.scan_start[came] - slots.time[mine & (slots.exam >= 0)]
        tolerance = s.appointments[name].start_tolerance_minutes
        begun = ~np.isnan(late_start)
        booked, no_show = int(slots.booked[mine].sum()), int(slots.no_show[mine].sum())
        total = int(mine.sum())
        out[name] = {"slots": total, "booked": booked, "attended": len(came), "no_shows": no_show,
                     "idle_slots": total - booked + no_show,
                     "no_show_share": no_show / booked if booked else None,
                     "start_after_slot_minutes": _mean(late_start),
                     "start_after_slot": describe(late_start),
                     "start_tolerance_minutes": tolerance,
                     "started_within_tolerance": float(np.mean(late_start[begun] <= tolerance)) if begun.any() else None}
    return out


def waiting_list(result: Result) -> dict | None:
    """Per book with referrals, per urgency category (referrals after the warm-up): referrals, booked, the wait in
    days from referral to appointment (those still without a slot at the end count at their wait so far: a lower
    bound), the share within the category's target (met, missed, and not yet known at the end), and the list's size
    at the start of each day after the warm-up (mean, largest, at the end)."""
    s, slots = result.scenario, result.exams.orders.slots
    waiting, lo, hi = slots.waiting, result.warmup, result.horizon
    out = {}
    for code, (name, book) in enumerate(s.appointments.items()):
        if not book.referrals:
            continue
        mine = (slots.book == code) & ~np.isnan(slots.referred_at)
        left = waiting.book == code
        table = {}
        for rank, (category, referral) in enumerate(book.referrals.items()):
            got = mine & (slots.category == rank) & (slots.referred_at >= lo)
            still = left & (waiting.category == rank) & (waiting.referred_at >= lo)
            days = (slots.time[got] - slots.referred_at[got]) / 1440.0
            so_far = (hi - waiting.referred_at[still]) / 1440.0
            row = {"referrals": int(got.sum() + still.sum()), "booked": int(got.sum()),
                   "no_slot_yet": int(still.sum()), "wait_days": describe_censored(
                       np.concatenate([days, np.full(len(so_far), np.nan)]),
                       np.concatenate([slots.referred_at[got], waiting.referred_at[still]]) / 1440.0, hi / 1440.0)}
            if referral.target_days is not None:
                target = referral.target_days
                met, missed = int((days <= target).sum()), int((days > target).sum() + (so_far > target).sum())
                row.update(target_days=target, met=met, missed=missed, not_yet_known=int((so_far <= target).sum()),
                           within_target=met / (met + missed) if met + missed else None)
            table[category] = row
        mornings, by_category = list_sizes(result, code, lo)
        size = sum(by_category.values())
        referred = np.concatenate([slots.referred_at[mine], waiting.referred_at[left]])
        seen = np.concatenate([slots.time[mine], np.full(int(left.sum()), np.inf)])
        out[name] = {"categories": table, "list_size": {
            "mean": float(size.mean()) if len(size) else None, "max": int(size.max()) if len(size) else None,
            "at_end": int(np.sum((referred <= hi) & (seen > hi)))}}
    return out or None


def list_sizes(result: Result, book: int, since: float = 0.0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The start of each day from `since`, and how many referrals of each category of one book were on its list
    then (referred, and their appointment not yet come)."""
    s, slots = result.scenario, result.exams.orders.slots
    waiting = slots.waiting
    mornings = np.arange(np.ceil(since / 1440.0 - 1e-9), np.ceil(result.horizon / 1440.0 - 1e-9)) * 1440.0
    sizes = {}
    for rank, category in enumerate(list(s.appointments.values())[book].referrals):
        mine = (slots.book == book) & (slots.category == rank)
        left = (waiting.book == book) & (waiting.category == rank)
        referred = np.concatenate([slots.referred_at[mine], waiting.referred_at[left]])
        seen = np.concatenate([slots.time[mine], np.full(int(left.sum()), np.inf)])
        sizes[category] = ((referred[None, :] <= mornings[:, None]) & (seen[None, :] > mornings[:, None])).sum(axis=1)
    return mornings, sizes


def breaks(result: Result) -> dict | None:
    """Break minutes taken per staff group, and how long breaks were deferred past their time."""
    groups = {(role.name, n): g for role in ROLES for n, g in role.groups(result.scenario).items()}
    if not any(g.breaks for g in groups.values()):
        return None
    log = result.staff_log.columns()
    minutes = clipped_minutes(log["start"], log["end"], result.warmup, result.horizon)
    member_group = [(m.role, m.group) for m in result.staff]
    out = {}
    for (role, name), group in groups.items():
        if not group.breaks:
            continue
        people = [i for i, key in enumerate(member_group) if key == (role, name)]
        taken = one_of(log["person"], people) & (log["kind"] == BREAK)
        duty = minutes[one_of(log["person"], people) & (log["kind"] == DUTY)].sum()
        out[f"{role}s: {name}"] = {"breaks": int(np.sum(taken & (log["start"] >= result.warmup))),
                                   "share_of_duty": float(minutes[taken].sum() / duty) if duty else None,
                                   "mean_deferral_minutes": _mean(result.staff_log.overtime(np.flatnonzero(taken)))}
    return out


def _mean(values: np.ndarray) -> float | None:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else None
