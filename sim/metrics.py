"""Turnaround times, target attainment, utilisation and queues, from records.

Pure functions of a `Result`: nothing here knows about simpy, files or plots.

The four turnaround times (DESIGN names, used everywhere):
    wait_to_scan     order -> acquisition start
    acquisition      acquisition start -> images complete
    report_tat       images complete -> report signed
    order_to_report  order -> report signed

Statistics cover exams ordered after the warm-up. Exams not finished by the
end of the horizon have no value and are left out of means and percentiles,
but they are not left out of the share within target: an unreported study
whose images have already waited longer than its target counts as a miss,
and one that still has time left is not counted either way.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .clock import MINUTES_PER_DAY, describe as describe_time
from .records import (BREAK, CALL, DUTY, INTERRUPTION, NON_INTERPRETIVE, PROCEDURE, PROTOCOL, READ, ROLES, ROOM_WORK,
                      TRANSPORT, Result, one_of)
from .capacity import offered_load_warnings
from .cost import staff_cost
from .coverage import coverage_warnings
from .memory import return_free_pages
from .targets import attainment, judge, missed_target_warnings, share_met

TURNAROUNDS = ("wait_to_scan", "acquisition", "report_tat", "order_to_report")
STATISTICS = ("mean", "median", "p90", "p95", "max")
# Hours with less time than this on offer show no share: summed prefix sums leave rounding crumbs of ~1e-12.
MINUTE_TOLERANCE = 1e-6


def exam_columns(result: Result) -> "ExamColumns":
    """Every per-exam column, raw milestones plus the turnaround times worked out from them."""
    e, o = result.exams, result.exams.orders
    return ExamColumns({
        "ordered_at": e.ordered_at, "source": o.source, "exam_type": o.exam_type, "ordered_as": o.ordered_as,
        "priority": o.priority, "scan_start": e.scan_start, "scan_end": e.scan_end, "read_start": e.read_start,
        "report_at": e.report_at, "technologist": e.technologist, "scanner": e.scanner, "radiologist": e.radiologist,
        "interrupted": e.interrupted, "read_priority": e.read_priority, "ai_flagged": o.flagged,
        "finding": o.finding, "critical": o.critical, "critical_at": e.critical_at, "protocol_at": e.protocol_at,
        "cancelled_at": e.cancelled_at, "dose": o.dose, "prelim_at": e.prelim_at,
        "prelim_radiologist": e.prelim_radiologist, "imaging_start": e.imaging_start, "broken_off": e.broken_off,
        "procedure_radiologist": e.procedure_radiologist, "door_lead": o.door_lead, "readiness": o.readiness})


# columns worked out from the milestones, each when it is asked for
DERIVED_COLUMNS = {
    "critical_tat": lambda c: c["critical_at"] - c["scan_end"],
    "prelim_tat": lambda c: c["prelim_at"] - c["scan_end"],
    "door_at": lambda c: c["ordered_at"] - c["door_lead"],
    "door_to_scan": lambda c: c["imaging_start"] - (c["ordered_at"] - c["door_lead"]),
    "ready_at": lambda c: c["ordered_at"] + c["readiness"],
    "ready_to_scan": lambda c: c["scan_start"] - (c["ordered_at"] + c["readiness"]),
    "wait_to_scan": lambda c: c["scan_start"] - c["ordered_at"],
    "acquisition": lambda c: c["scan_end"] - c["scan_start"],
    "report_tat": lambda c: c["report_at"] - c["scan_end"],
    "order_to_report": lambda c: c["report_at"] - c["ordered_at"],
}


class ExamColumns(Mapping):
    """The per-exam columns by name: the records' own arrays, and turnaround times worked out each time they are
    asked for rather than all held at once (a year's ten derived columns would be 30 MB beside the records)."""

    def __init__(self, raw: dict[str, np.ndarray]):
        self._raw = raw

    def __getitem__(self, name: str) -> np.ndarray:
        return self._raw[name] if name in self._raw else DERIVED_COLUMNS[name](self._raw)

    def __iter__(self):
        yield from self._raw
        yield from DERIVED_COLUMNS

    def __len__(self) -> int:
        return len(self._raw) + len(DERIVED_COLUMNS)

    def take(self, rows) -> dict[str, np.ndarray]:
        """Every column for these rows only (the derived ones worked out from the rows' milestones)."""
        part = {name: values[rows] for name, values in self._raw.items()}
        return {**part, **{name: derive(part) for name, derive in DERIVED_COLUMNS.items()}}


def in_statistics(result: Result) -> np.ndarray:
    """Exams ordered after the warm-up and not cancelled (cancellations are counted on their own)."""
    return (result.exams.ordered_at >= result.warmup) & np.isnan(result.exams.cancelled_at)


def describe(values: np.ndarray) -> dict[str, float | None]:
    """Mean, median, p90, p95 and max of the finished values (NaN = unfinished)."""
    done = values[~np.isnan(values)]
    if not len(done):
        return dict.fromkeys(STATISTICS)
    p50, p90, p95 = np.percentile(done, [50, 90, 95])
    return {"mean": float(done.mean()), "median": float(p50), "p90": float(p90), "p95": float(p95),
            "max": float(done.max())}


MEASURE_START = {"wait_to_scan": "ordered_at", "acquisition": "scan_start", "report_tat": "scan_end",
                 "order_to_report": "ordered_at"}


def describe_censored(values: np.ndarray, starts: np.ndarray, horizon: float) -> dict:
    """Statistics of a turnaround over the exams it has started for, finished or not.

    An exam still waiting at the horizon is counted at the time it had waited by then: less than its true
    turnaround, so with any such exam every statistic is a lower bound of the true one (`lower_bound` true,
    and `unfinished` says how many). Exams the measure has not started for are left out."""
    unfinished = np.isnan(values) & ~np.isnan(starts)
    stats = describe(np.where(unfinished, horizon - starts, values))
    return {**stats, "unfinished": int(unfinished.sum()), "lower_bound": bool(unfinished.any())}


def target_minutes(result: Result) -> np.ndarray:
    """Each exam's report-turnaround target, from its priority."""
    targets = np.array([p.target_minutes for p in result.scenario.priorities.values()])
    return targets[result.exams.orders.priority]


def within_target(result: Result, rows: np.ndarray) -> tuple[float | None, int]:
    """Share of studies (`rows`: row numbers or a mask) reported within their priority's target, and how many were
    judged.

    Judged: reported studies, and unreported ones already past their target.
    """
    e = result.exams
    met, missed = judge(e.scan_end[rows], e.report_at[rows], target_minutes(result)[rows], result.horizon)
    return share_met(met, missed), met + missed


def turnaround_table(result: Result, by: str) -> dict[str, dict]:
    """Turnaround statistics per value of `by` ("priority", "modality" or "source")."""
    columns = exam_columns(result)
    window = in_statistics(result)
    keys, names = _grouping(result, by)
    table = {}
    for code, name in enumerate(names):
        rows = np.flatnonzero(window & (keys == code))  # row numbers: a dozen columns are taken at these rows
        count = len(rows)
        if not count and by != "priority":
            continue
        share, judged = within_target(result, rows)
        row = {"count": count, "reported": int(np.sum(~np.isnan(columns["report_at"][rows])))}
        for measure in TURNAROUNDS:
            row[measure] = describe_censored(columns[measure][rows], columns[MEASURE_START[measure]][rows],
                                             result.horizon)
        # the department's own queue: from the patient being ready (where readiness delays them) to the scan
        ready = columns["ready_at"][rows]
        row["ready_to_scan"] = describe_censored(columns["ready_to_scan"][rows],
                                                 np.where(ready < result.horizon, ready, np.nan), result.horizon)
        row["within_target"] = share
        row["judged_against_target"] = judged
        if by == "priority":
            row["target_minutes"] = result.scenario.priorities[name].target_minutes
        table[name] = row
    return table


def _grouping(result: Result, by: str) -> tuple[np.ndarray, list[str]]:
    o, s = result.exams.orders, result.scenario
    if by == "priority":
        return o.priority, s.priority_names
    if by == "source":
        return o.source, s.source_names
    if by == "modality":
        modalities = list(s.modalities)
        of_type = np.array([modalities.index(e.modality) for e in s.exam_types.values()])
        return of_type[o.exam_type], modalities
    raise ValueError(f"cannot group turnaround by {by!r}")


# ------------------------------------------------------------- utilisation


def clipped_minutes(start: np.ndarray, end: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Minutes of each [start, end) inside [lo, hi); an open end (NaN) runs to hi.

    Busy time straddling the end of the warm-up is split, not dropped or counted whole.
    """
    minutes = np.empty(len(end))
    for first in range(0, len(end), CUT_ROWS):  # a chunk at a time: a year's staff log is millions of rows
        rows = slice(first, first + CUT_ROWS)
        part = np.where(np.isnan(end[rows]), hi, end[rows])
        np.minimum(part, hi, out=part)
        part -= np.maximum(start[rows], lo)
        np.clip(part, 0.0, None, out=minutes[rows])
    return minutes


def utilisation(result: Result) -> dict[str, dict[str, float | None]]:
    """Busy share of scheduled duty per staff group (work in overtime is overtime, see `overtime_hours`), and of
    opening time per scanner group (scanning past closing is after-hours work, see `scanner_after_hours`)."""
    lo, hi = result.warmup, result.horizon
    out: dict[str, dict[str, float | None]] = {"technologists": {}, "scanners": {}, "radiologists": {},
                                               **{role.section: {} for role in staffed_roles(result.scenario)}}
    for section, group, (duty_starts, duty_ends, busy_starts, busy_ends) in duty_and_work(result):
        on_duty = clipped_minutes(duty_starts, duty_ends, lo, hi).sum()
        busy = clipped_minutes(busy_starts, busy_ends, lo, hi).sum()
        out[section][group] = float(busy / on_duty) if on_duty > 0 else None
    for label, modality, ids in scanner_groups(result):
        opening = result.opening[modality]
        open_minutes = sum(clipped_minutes(np.array([a]), np.array([b]), lo, hi)[0] for a, b in opening)
        starts, ends = room_work_within(result, ids, opening)
        busy = clipped_minutes(starts, ends, lo, hi).sum()
        capacity = open_minutes * len(ids)
        out["scanners"][label] = float(busy / capacity) if capacity > 0 else None
    return out


def _room_work(result: Result, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the work of these rooms; an open end runs to the horizon."""
    rooms = result.room_log.columns()
    chosen = one_of(rooms["kind"], ROOM_WORK) & one_of(rooms["room"], ids)
    return rooms["start"][chosen], np.where(np.isnan(rooms["end"][chosen]), result.horizon, rooms["end"][chosen])


def members(result: Result, role: str, group: str) -> list[int]:
    """Staff indexes of a group's people."""
    return [i for i, m in enumerate(result.staff) if m.role == role and m.group == group]


def duty_and_work(result: Result):
    """(section, group, (duty starts, duty ends, busy starts, busy ends)) for every staff group: scheduled duty,
    and work cut to it (work in overtime is overtime, counted in `overtime_hours`, not as busy duty)."""
    for section, group, people in duty_and_work_by_person(result):
        parts: list[list[np.ndarray]] = [[np.zeros(0)] for _ in range(4)]
        for person in people:
            for part, values in zip(parts, person):
                part.append(values)
        yield section, group, [np.concatenate(part) for part in parts]


def duty_and_work_by_person(result: Result):
    """(section, group, people) for every staff group, where people yields each member's (duty starts, duty ends,
    busy starts, busy ends) in turn: what adds up over people needs only one person's rows at a time."""
    log = result.staff_log.columns()
    rows_of = rows_by_person(log["person"], len(result.staff))
    for role in ROLES:
        for group in role.groups(result.scenario):
            yield role.section, group, _members_duty_and_work(result, log, rows_of, role, group)


def _members_duty_and_work(result: Result, log: dict, rows_of: list[np.ndarray], role, group: str):
    for person in members(result, role.name, group):
        plan = np.array(result.duty_plan[person], dtype=float).reshape(-1, 2)
        rows = rows_of[person][one_of(log["kind"][rows_of[person]], role.work)]
        ends = log["end"][rows]
        busy = cut_to(log["start"][rows], np.where(np.isnan(ends), result.horizon, ends), result.duty_plan[person])
        yield plan[:, 0], plan[:, 1], *busy


def rows_by_person(person: np.ndarray, people: int) -> list[np.ndarray]:
    """Each person's row numbers, in log order: a stable sort by person done a chunk of rows at a time, so that a
    year's log (millions of rows) needs no eight-byte index of every row beside it."""
    counts = np.bincount(person, minlength=people)
    order = np.empty(len(person), dtype=np.int32)
    next_slot = np.cumsum(counts) - counts  # where each person's next row goes in `order`
    for first in range(0, len(person), CUT_ROWS):
        chunk = person[first:first + CUT_ROWS]
        ranked = np.argsort(chunk, kind="stable")
        in_chunk = np.bincount(chunk, minlength=people)
        who = chunk[ranked]
        # a row's slot: its person's next free one, plus how many of that person's rows come before it in the chunk
        order[next_slot[who] + np.arange(len(chunk)) - (np.cumsum(in_chunk) - in_chunk)[who]] = ranked + first
        next_slot += in_chunk
    return np.split(order, np.cumsum(counts)[:-1])


def room_work_within(result: Result, ids: list[int], opening: list[tuple[float, float]]):
    """(starts, ends) of these rooms' work cut to the opening hours: the busy share of opening time never
    counts a scan that runs past closing (that is after-hours work, reported on its own)."""
    return cut_to(*_room_work(result, ids), opening)


def cut_to(starts: np.ndarray, ends: np.ndarray, opening: list[tuple[float, float]]):
    """The parts of the intervals [starts, ends) that lie within the sorted, disjoint `opening` spans: those of
    intervals within one span (or none) in their order, then those of the rare intervals across a closed stretch."""
    simple, rare = _cut_pieces(starts, ends, opening)
    cut_s, cut_e = (np.concatenate([pieces[k] for pieces in simple + rare]) for k in (0, 1))
    return cut_s, cut_e


def cut_minutes(starts: np.ndarray, ends: np.ndarray, opening: list[tuple[float, float]], rows=None,
                open_until: float | None = None) -> np.ndarray:
    """The lengths of `cut_to`'s parts, in its order (their sum is the same to the last digit), without holding
    its starts and ends: a year's staff log is millions of rows. `rows` (a mask) picks the intervals and
    `open_until` ends those still under way (NaN), a chunk at a time rather than in copies of whole columns."""
    simple, rare = _cut_pieces(starts, ends, opening, lengths=True, rows=rows, open_until=open_until)
    return np.concatenate(simple + rare)


CUT_ROWS = 200_000  # intervals cut at once: the working arrays stay a few megabytes whatever the horizon


def _cut_pieces(starts, ends, opening, lengths: bool = False, rows=None, open_until: float | None = None):
    """([(starts, ends) of the parts of intervals within one span, chunk by chunk], [the same for the others]), or
    with `lengths` only the parts' lengths, so that a chunk's starts and ends are not kept. Parts come in the order
    of their intervals whatever the chunks, so choosing rows chunk by chunk gives what a copy of them would."""
    spans = np.array(opening, dtype=float).reshape(-1, 2)
    simple, rare = [np.zeros(0) if lengths else (np.zeros(0), np.zeros(0))], []
    if not len(spans):
        return simple, rare
    for lo in range(0, len(starts), CUT_ROWS):
        chunk_s, chunk_e = starts[lo:lo + CUT_ROWS], ends[lo:lo + CUT_ROWS]
        if rows is not None:
            chunk_s, chunk_e = chunk_s[rows[lo:lo + CUT_ROWS]], chunk_e[rows[lo:lo + CUT_ROWS]]
        if open_until is not None:
            chunk_e = np.where(np.isnan(chunk_e), open_until, chunk_e)
        first = np.searchsorted(spans[:, 0], chunk_s, side="right") - 1
        within = first == np.searchsorted(spans[:, 0], chunk_e, side="left") - 1  # within one opening, or in none
        index = np.clip(first[within], 0, None)
        cut_s = np.maximum(chunk_s[within], spans[index, 0])
        cut_e = np.where(first[within] >= 0, np.minimum(chunk_e[within], spans[index, 1]), cut_s)
        keep = cut_e > cut_s
        simple.append(cut_e[keep] - cut_s[keep] if lengths else (cut_s[keep], cut_e[keep]))
        for a, b in zip(chunk_s[~within].tolist(), chunk_e[~within].tolist()):  # rare: work across a closed stretch
            for s, e in spans[(spans[:, 1] > a) & (spans[:, 0] < b)]:
                if min(b, e) > max(a, s):
                    part = (np.array([max(a, s)]), np.array([min(b, e)]))
                    rare.append(part[1] - part[0] if lengths else part)
    return simple, rare


def overtime_hours(result: Result) -> dict[str, dict[str, float]]:
    """Hours worked past scheduled shift ends, per staff group (stretches of duty ending after the warm-up)."""
    duty = result.staff_log.duty_rows(result.warmup, result.horizon)
    on_duty = result.staff_log.columns()["person"][duty]
    out: dict[str, dict[str, float]] = {role.section: {} for role in staffed_roles(result.scenario)}
    for role in staffed_roles(result.scenario):
        for group in role.groups(result.scenario):
            people = members(result, role.name, group)
            rows = duty[one_of(on_duty, people)]
            out[role.section][group] = round(float(result.staff_log.overtime(rows).sum()) / 60, 6)
    return out


def staffed_roles(scenario) -> list:
    """The roles the scenario has groups of (technologists and radiologists always; porters where given)."""
    return [role for role in ROLES if role.groups(scenario)]


def scanner_after_hours(result: Result) -> dict[str, float]:
    """Hours of scanner (suite, portable unit) work after closing, per scanner group, after the warm-up."""
    out = {}
    lo, hi = result.warmup, result.horizon
    for label, modality, ids in scanner_groups(result):
        starts, ends = _room_work(result, ids)
        inside_s, inside_e = room_work_within(result, ids, result.opening[modality])
        total = clipped_minutes(starts, ends, lo, hi).sum() - clipped_minutes(inside_s, inside_e, lo, hi).sum()
        out[label] = round(float(total) / 60, 6)
    return out


def scanner_groups(result: Result) -> list[tuple[str, str, list[int]]]:
    """(label, modality, scanner indexes): each modality's scanners, then its portable units if any."""
    groups = []
    for modality in result.opening:
        for portable, label in ((False, modality), (True, f"{modality} portable")):
            ids = [i for i, sc in enumerate(result.scanners) if sc.modality == modality and sc.portable == portable]
            if ids:
                groups.append((label, modality, ids))
    return groups


# ------------------------------------------------------------------ queues


def queue_length_at(result: Result, times: np.ndarray, column: str = "worklist") -> np.ndarray:
    """Length of a queue just after each of `times` (step function of the queue trace)."""
    trace = result.queues.columns()
    index = np.searchsorted(trace["time"], times, side="right") - 1
    lengths = trace[column]
    return np.where(index >= 0, lengths[np.clip(index, 0, None)] if len(lengths) else 0, 0)


def worklist_summary(result: Result) -> dict:
    trace = result.queues.columns()
    in_window = trace["time"] >= result.warmup
    peak, peak_at = 0, None
    if in_window.any():
        i = int(np.argmax(np.where(in_window, trace["worklist"], -1)))
        peak, peak_at = int(trace["worklist"][i]), float(trace["time"][i])
    first_day = int(np.ceil(result.warmup / MINUTES_PER_DAY - 1e-9))
    mornings = np.array([d * MINUTES_PER_DAY + result.scenario.morning
                         for d in range(first_day, result.scenario.days)])
    mornings = mornings[(mornings >= result.warmup) & (mornings < result.horizon)]
    backlog = queue_length_at(result, mornings)
    return {
        "peak": peak,
        "peak_at": peak_at,
        "peak_at_clock": describe_time(peak_at) if peak_at is not None else None,
        "morning_backlog": [{"day": int(t // MINUTES_PER_DAY), "at": describe_time(t), "studies": int(n)}
                            for t, n in zip(mornings, backlog)],
        "waiting_at_end": {"worklist": int(trace["worklist"][-1]) if len(trace["time"]) else 0,
                           "scan_queue": int(trace["scan_queue"][-1]) if len(trace["time"]) else 0},
    }


# ----------------------------------------------------------------- summary


def accounting(result: Result) -> dict[str, int]:
    """Every order placed is reported, being read, waiting to be read, being scanned, waiting to be scanned,
    waiting for (or being given) its protocol, or, protocolled or needing none, waiting for the patient to be
    ready, for a porter to bring them (where porters do), or cancelled. Follow-ups whose report never came are not orders yet."""
    e = result.exams
    placed = ~np.isnan(e.ordered_at)
    reported = ~np.isnan(e.report_at)
    scanned = ~np.isnan(e.scan_end)
    scanning = ~np.isnan(e.scan_start) & ~scanned
    being_read = scanned & ~reported & _being_read(result)
    protocolling = (e.orders.protocol > 0) & np.isnan(e.protocol_at) & placed
    cancelled = ~np.isnan(e.cancelled_at)
    getting_ready = (e.ready_at() >= result.horizon) & ~cancelled  # simpy stops before it
    log = result.staff_log.columns()
    being_protocolled = np.zeros(len(e), dtype=bool)
    being_protocolled[log["exam"][(log["kind"] == PROTOCOL) & np.isnan(log["end"])]] = True
    ready = placed & np.isnan(e.scan_start) & ~protocolling & ~getting_ready & ~cancelled
    with_porter = ready & _not_yet_brought(result)
    counts = {
        "ordered": int(placed.sum()),
        "reported": int(reported.sum()),
        "being_read": int(being_read.sum()),
        "awaiting_read": int((scanned & ~reported & ~being_read).sum()),
        "being_scanned": int(scanning.sum()),
        "awaiting_scan": int((ready & ~with_porter).sum()),
        "getting_ready": int((placed & np.isnan(e.scan_start) & ~protocolling & getting_ready).sum()),
        "cancelled": int((cancelled & ~protocolling).sum()),
        "awaiting_protocol": int((protocolling & ~being_protocolled).sum()),
        "being_protocolled": int(being_protocolled.sum()),
    }
    if np.any(e.orders.transport > 0):  # ready, waiting for a porter or on the way with one
        counts["awaiting_porter"] = int(with_porter.sum())
    return counts


def _not_yet_brought(result: Result) -> np.ndarray:
    """Patients porters should bring who have not arrived: no fetch finished for them."""
    e, log = result.exams, result.staff_log.columns()
    brought = np.zeros(len(e), dtype=bool)
    brought[log["exam"][(log["kind"] == TRANSPORT) & ~np.isnan(log["end"])]] = True
    return (e.orders.transport > 0) & ~brought


def _being_read(result: Result) -> np.ndarray:
    log = result.staff_log.columns()
    open_reads = one_of(log["kind"], (READ, CALL, INTERRUPTION)) & np.isnan(log["end"]) & (log["exam"] >= 0)
    flags = np.zeros(len(result.exams), dtype=bool)
    flags[log["exam"][open_reads]] = True
    return flags


def summarise(result: Result) -> dict:
    """The figures of the terminal summary, as plain data (written to summary.json)."""
    s = result.scenario
    window = in_statistics(result)
    unfinished = window & np.isnan(result.exams.report_at)
    # warnings about the scenario itself (overload, coverage gaps), then about what the run did
    warnings = offered_load_warnings(s) + coverage_warnings(s)
    if window.any() and unfinished.sum() > 0.05 * window.sum():
        warnings.append(f"backlog: {int(unfinished.sum())} of {int(window.sum())} exams ordered after the "
                        "warm-up had no signed report by the end of the horizon")
    summary = {
        "scenario": s.name,
        "seed": result.seed,
        "replication": result.replication,
        "days": s.days,
        "warmup_days": s.warmup_days,
        "exams": {**accounting(result), "in_statistics": int(window.sum())},
        "turnaround": {by: turnaround_table(result, by) for by in ("priority", "modality", "source")},
        "utilisation": utilisation(result),
        "scanner_after_hours": scanner_after_hours(result),
        "overtime_hours": overtime_hours(result),
        "cost": staff_cost(result),
        "worklist": worklist_summary(result),
        "warnings": warnings,
    }
    ai = ai_summary(result)
    if ai is not None:
        summary["ai"] = ai
    summary["targets"] = attainment(result)
    summary["warnings"] += missed_target_warnings(summary["targets"])
    summary["reader_time"] = reader_time(result)
    from .acquisition_metrics import technologist_side  # it builds on this module's helpers

    summary.update(technologist_side(result))
    prelim = window & ~np.isnan(result.exams.prelim_at)
    if prelim.any():
        e = result.exams
        summary["preliminary_reports"] = {
            "count": int(prelim.sum()), "finalised": int(np.sum(prelim & ~np.isnan(e.report_at))),
            "prelim_tat": describe((e.prelim_at - e.scan_end)[prelim]),
            "final_tat": describe((e.report_at - e.scan_end)[prelim]),
            "prelim_to_final": describe((e.report_at - e.prelim_at)[prelim])}
    critical = window & result.exams.orders.critical
    if critical.any():
        tat = result.exams.critical_at - result.exams.scan_end
        summary["critical_results"] = {"count": int(critical.sum()),
                                       "communicated": int(np.sum(critical & ~np.isnan(tat))),
                                       "images_to_communicated": describe(tat[critical])}
    from .published import compare  # it reads this summary

    summary["published"] = compare(result, summary)
    return_free_pages()  # what the working arrays of a long run took, before output and figures build on it
    return summary


def reader_time(result: Result) -> dict[str, dict[str, float | None]]:
    """Each radiologist group's on-duty time split into reading, protocoling, critical calls, interruptions,
    IR procedures, non-interpretive work at set times, breaks and idle, with interruptions per reader-hour (after the warm-up)."""
    log = result.staff_log.columns()
    minutes = clipped_minutes(log["start"], log["end"], result.warmup, result.horizon)
    in_window = log["start"] >= result.warmup
    out = {}
    for group in result.scenario.radiologists:
        people = members(result, "radiologist", group)
        mine = one_of(log["person"], people)
        duty = minutes[mine & (log["kind"] == DUTY)].sum()
        if duty <= 0:
            out[group] = {"on_duty_hours": 0.0}
            continue
        split = {name: float(minutes[mine & (log["kind"] == kind)].sum() / duty)
                 for name, kind in (("reading", READ), ("protocoling", PROTOCOL), ("critical_calls", CALL),
                                    ("interruptions", INTERRUPTION), ("procedures", PROCEDURE),
                                    ("non_interpretive", NON_INTERPRETIVE), ("breaks", BREAK))}
        split["idle"] = max(0.0, 1.0 - sum(split.values()))
        split["on_duty_hours"] = float(duty / 60)
        split["interruptions_per_hour"] = float(np.sum(mine & (log["kind"] == INTERRUPTION) & in_window) / (duty / 60))
        out[group] = split
    return out


def ai_summary(result: Result) -> dict | None:
    """Who gains and who waits with AI triage: report turnaround of screened studies by truth and flag."""
    o = result.exams.orders
    screened = in_statistics(result) & (o.flagged >= 0)
    if not screened.any():
        return None
    tat = result.exams.report_at - result.exams.scan_end
    groups = {
        "with_finding": screened & (o.finding == 1),
        "flagged": screened & (o.flagged == 1),
        "unflagged": screened & (o.flagged == 0),
        "not_screened": in_statistics(result) & (o.flagged < 0),
    }
    out = {"mode": result.scenario.ai_triage.mode, "raise_to": result.scenario.ai_triage.raise_to,
           "screened": int(screened.sum()),
           "true_positives": int(np.sum(groups["with_finding"] & (o.flagged == 1))),
           "false_positives": int(np.sum(screened & (o.finding == 0) & (o.flagged == 1))),
           "false_negatives": int(np.sum(groups["with_finding"] & (o.flagged == 0)))}
    for name, mask in groups.items():
        out[name] = {"count": int(mask.sum()), "report_tat": describe(tat[mask])}
    out["max_report_tat"] = describe(tat[in_statistics(result)])["max"]
    return out


# -------------------------------------------------------- time-of-day views


def covered_until(starts: np.ndarray, ends: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Total minutes of the intervals [starts, ends) that lie before each of `times`.

    F(t) = sum over intervals of (t - start)+ - (t - end)+, evaluated for all t at
    once with sorted prefix sums: O((intervals + times) log intervals).
    """
    s, e = np.sort(starts), np.sort(ends)
    cs, ce = np.concatenate([[0.0], np.cumsum(s)]), np.concatenate([[0.0], np.cumsum(e)])
    k = np.searchsorted(s, times, side="left")
    m = np.searchsorted(e, times, side="left")
    return (k * times - cs[k]) - (m * times - ce[m])


def _by_hour_of_day(starts, ends, lo: float, hi: float) -> np.ndarray:
    """Minutes of the intervals in each hour of day (0-23), summed over the days of [lo, hi)."""
    starts, ends = np.clip(starts, lo, hi), np.clip(ends, lo, hi)
    edges = np.arange(np.floor(lo / 60) * 60, hi + 60, 60.0)
    per_hour = np.diff(covered_until(starts, ends, edges))
    hours = ((edges[:-1] // 60) % 24).astype(int)
    return np.bincount(hours, weights=per_hour, minlength=24)


ROWS_AT_ONCE = 50_000


def utilisation_by_hour(result: Result) -> tuple[list[str], np.ndarray]:
    """Rows (technologist groups, scanners per modality, radiologist groups) x 24 hours: busy / available."""
    lo, hi = result.warmup, result.horizon
    labels, rows = [], []
    for section, group, people in duty_and_work_by_person(result):
        busy, duty = np.zeros(24), np.zeros(24)
        for duty_starts, duty_ends, busy_starts, busy_ends in people:  # minutes add up over people
            busy += _by_hour_of_day(busy_starts, busy_ends, lo, hi)
            duty += _by_hour_of_day(duty_starts, duty_ends, lo, hi)
        labels.append(f"{section}: {group}")
        rows.append(np.divide(busy, duty, out=np.full(24, np.nan), where=duty > MINUTE_TOLERANCE))
    for label, modality, ids in scanner_groups(result):
        starts, ends = _room_work(result, ids)
        # the minutes add up over rows: a year's scanner log in slices never makes whole-log temporaries
        busy = sum((_by_hour_of_day(*cut_to(starts[i:i + ROWS_AT_ONCE], ends[i:i + ROWS_AT_ONCE],
                                            result.opening[modality]), lo, hi)
                    for i in range(0, len(starts), ROWS_AT_ONCE)), np.zeros(24))
        spans = np.array(result.opening[modality], dtype=float).reshape(-1, 2)
        available = _by_hour_of_day(spans[:, 0], spans[:, 1], lo, hi) * len(ids)
        labels.append(f"scanners: {label}")
        rows.append(np.divide(busy, available, out=np.full(24, np.nan), where=available > MINUTE_TOLERANCE))
    return labels, np.vstack(rows) if rows else np.zeros((0, 24))


def on_duty_over_time(result: Result, role: str) -> tuple[np.ndarray, np.ndarray]:
    """Step function (times, counts) of how many people of `role` are on duty."""
    log = result.staff_log.columns()
    duty = np.flatnonzero(log["kind"] == DUTY)  # a few rows a day: select them before anything else
    mine = duty[np.array([m.role == role for m in result.staff] or [False])[log["person"][duty]]]
    end = log["end"][mine]
    times = np.concatenate([log["start"][mine], np.where(np.isnan(end), result.horizon, end)])
    steps = np.concatenate([np.ones(len(mine)), -np.ones(len(mine))])
    order = np.lexsort((steps, times))  # at equal times, leaving (-1) before arriving (+1)
    return times[order], np.cumsum(steps[order])


def hourly_flow(result: Result) -> tuple[np.ndarray, np.ndarray]:
    """Orders placed and reports signed per hour of day, averaged over the days after the warm-up."""
    lo, hi = result.warmup, result.horizon
    days = (hi - lo) / MINUTES_PER_DAY
    counts = []
    for times in (result.exams.ordered_at, result.exams.report_at):
        chosen = times[(times >= lo) & (times < hi)]
        counts.append(np.bincount(((chosen // 60) % 24).astype(int), minlength=24) / days)
    return counts[0], counts[1]


def queue_by_hour(result: Result, column: str) -> np.ndarray:
    """Time-averaged length of a queue ("worklist" or "scan_queue") in each hour of day, after the warm-up."""
    trace = result.queues.columns()
    lo, hi = result.warmup, result.horizon
    edges = np.arange(np.ceil(lo / 60) * 60, hi + 1e-9, 60.0)
    if len(edges) < 2 or not len(trace["time"]):
        return np.full(24, np.nan)
    times, values = trace["time"], trace[column].astype(float)
    area = np.concatenate([[0.0], np.cumsum(values[:-1] * np.diff(times))])  # integral up to each change

    def integral(t):
        i = np.searchsorted(times, t, side="right") - 1
        return np.where(i >= 0, area[np.clip(i, 0, None)] + values[np.clip(i, 0, None)] * (t - times[np.clip(i, 0, None)]), 0.0)

    per_hour = np.diff(integral(edges)) / 60.0
    hours = ((edges[:-1] // 60) % 24).astype(int)
    counts = np.bincount(hours, minlength=24)
    return np.divide(np.bincount(hours, weights=per_hour, minlength=24), counts,
                     out=np.full(24, np.nan), where=counts > 0)
