"""The rules every run keeps, checked on its records: `violations(result)` lists the broken ones.

Each rule has a short name (used to count violations by rule in the fuzz
report) and is stated as the department would state it:

- milestones: every exam's milestones come in order (order <= acquisition
  start <= imaging start <= images complete <= read start <= report), a
  later milestone never exists without the earlier ones, and nothing is
  recorded after the horizon;
- conservation: every ordered exam is in exactly one end-of-run state, and
  the summary's accounting counts each state as the records do;
- one_thing_at_a_time: nobody does two things at once;
- off_duty: nobody starts work off duty (overtime only finishes the task in
  hand), and every task lies within a recorded stretch of duty;
- credentials: every scan, protocol, read and procedure is within the
  person's credentials (modality, priority, subspecialty, final reports);
- rooms: no room serves two patients at once, nor while down, warming up
  or in maintenance; scans start only while the modality is open; every
  maintenance window and warm-up is in the room log;
- set_work: set non-interpretive work keeps its times, and no call breaks
  into a read its group spares;
- transport: a patient porters bring is fetched once ready and scanned only
  after arriving, and taken back at most once;
- sedation: a sedated patient's acquisition is attended by an anaesthetist
  throughout;
- busy_share: no busy share exceeds 100 %;
- animation: the animated department shows the model's own queues (patients waiting for a scanner, studies
  waiting to be read or protocolled) at every frame of the first day;
- summary: the summary and the exam table can be computed;
- tables: the CSV text of every table is what formatting each of its rows in Python writes (times to the
  thousandth, blanks for a time not reached and for no exam, names quoted where they need it).
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from sim.metrics import accounting, exam_columns, summarise, utilisation, utilisation_by_hour
from sim.records import (BREAK, CALL, DUTY, INTERRUPTION, KIND_NAMES, NON_INTERPRETIVE, PREP, PROCEDURE, PROTOCOL, READ,
                         ROLES, ROOM_DOWN, ROOM_MAINTENANCE, ROOM_WARM_UP, ROOM_WORK, SCAN, SEDATION, TRANSPORT)
from sim.clock import weekday_of
from sim.roster import intervals, merge
from sim.staff import ROUNDING
from sim.scenario import can_read

EPS = 1e-6


def violations(result) -> list[tuple[str, str]]:
    """(rule, what broke it) for every broken rule, at most a few per rule."""
    found: list[tuple[str, str]] = []
    for check in (_milestones, _conservation, _one_thing_at_a_time, _off_duty, _credentials, _rooms,
                  _busy_share, _set_work, _transport, _sedation, _animation, _summary, _tables):
        problems = list(check(result))
        found.extend((check.__name__.lstrip("_"), p) for p in problems[:3])
    return found


def _nan(x) -> bool:
    return x != x


def _staff_rows(result):
    log = result.staff_log.columns()
    return list(zip(log["person"].tolist(), log["kind"].tolist(), log["start"].tolist(), log["end"].tolist(),
                    log["exam"].tolist()))


def _milestones(result):
    e, horizon = result.exams, result.horizon
    chain = ("ordered_at", "scan_start", "imaging_start", "scan_end", "read_start", "report_at")
    values = [e.ordered_at, e.scan_start, e.imaging_start, e.scan_end, e.read_start, e.report_at]
    for exam in range(len(e)):
        seen = [v[exam] for v in values]
        last = -math.inf
        for name, t, later in zip(chain, seen, [any(not _nan(x) for x in seen[i + 1:]) for i in range(len(seen))]):
            if _nan(t):
                if later and name != "read_start":
                    yield f"exam {exam}: {name} missing though a later milestone exists"
                continue
            if t < last - EPS:
                yield f"exam {exam}: {name} {t:.3f} before an earlier milestone ({last:.3f})"
            if t > horizon + EPS:
                yield f"exam {exam}: {name} {t:.3f} after the horizon {horizon:.0f}"
            last = max(last, t)
        for name, t in (("prelim_at", e.prelim_at[exam]), ("critical_at", e.critical_at[exam]),
                        ("protocol_at", e.protocol_at[exam])):
            if _nan(t):
                continue
            if t > horizon + EPS:
                yield f"exam {exam}: {name} after the horizon"
            if not _nan(e.ordered_at[exam]) and t < e.ordered_at[exam] - EPS:
                yield f"exam {exam}: {name} before the order"
        if not _nan(e.cancelled_at[exam]):
            if not _nan(e.scan_start[exam]):
                yield f"exam {exam}: cancelled, yet its acquisition began"
            by_patience = abs(e.cancelled_at[exam] - e.ordered_at[exam] - e.orders.patience[exam]) <= EPS
            at_protocol = e.orders.cancelled_at_protocol[exam] and e.cancelled_at[exam] == e.protocol_at[exam]
            if not (by_patience or at_protocol):
                yield f"exam {exam}: cancelled at another time than its patience or its protocol"
        ready = e.ordered_at[exam] + e.orders.readiness[exam]
        if not _nan(e.scan_start[exam]) and e.scan_start[exam] < ready - EPS:
            yield f"exam {exam}: scanned before the patient was ready"
        if not _nan(e.protocol_at[exam]) and not _nan(e.scan_start[exam]) and e.protocol_at[exam] > e.scan_start[exam] + EPS:
            yield f"exam {exam}: scanned before it was protocolled"
        if not _nan(e.prelim_at[exam]):
            if _nan(e.scan_end[exam]) or e.prelim_at[exam] < e.scan_end[exam] - EPS:
                yield f"exam {exam}: preliminary report before the images"
            if not _nan(e.report_at[exam]) and e.report_at[exam] < e.prelim_at[exam] - EPS:
                yield f"exam {exam}: final report before the preliminary one"
        if not _nan(e.critical_at[exam]):
            first = e.prelim_at[exam] if not _nan(e.prelim_at[exam]) else e.report_at[exam]
            if _nan(first) or e.critical_at[exam] < first - EPS:
                yield f"exam {exam}: critical result phoned before any report"
        if e.orders.protocol[exam] > 0 and not _nan(e.scan_start[exam]) and _nan(e.protocol_at[exam]):
            yield f"exam {exam}: scanned without its protocol"


def _conservation(result):
    """Each placed exam is in exactly one state, derived here from the staff log, not from the model."""
    e = result.exams
    placed = ~np.isnan(e.ordered_at)
    open_task = defaultdict(set)
    for person, kind, start, end, exam in _staff_rows(result):
        if _nan(end) and exam >= 0:
            open_task[kind].add(exam)
    brought = {exam for person, kind, start, end, exam in _staff_rows(result) if kind == TRANSPORT and not _nan(end)}
    states = defaultdict(int)
    for exam in np.flatnonzero(placed).tolist():
        if not _nan(e.report_at[exam]):
            state = "reported"
        elif not _nan(e.scan_end[exam]):
            open_reading = open_task[READ] | open_task[CALL] | open_task[INTERRUPTION]
            state = "being_read" if exam in open_reading else "awaiting_read"
        elif not _nan(e.scan_start[exam]):
            state = "being_scanned"
        elif e.orders.protocol[exam] > 0 and _nan(e.protocol_at[exam]):
            state = "being_protocolled" if exam in open_task[PROTOCOL] else "awaiting_protocol"
        elif not _nan(e.cancelled_at[exam]):
            state = "cancelled"
        elif e.ordered_at[exam] + e.orders.readiness[exam] >= result.horizon:
            state = "getting_ready"
        elif e.orders.transport[exam] > 0 and exam not in brought:
            state = "awaiting_porter"
        else:
            state = "awaiting_scan"
        states[state] += 1
    counted = accounting(result)
    if counted["ordered"] != int(placed.sum()):
        yield f"accounting says {counted['ordered']} ordered, the records {int(placed.sum())}"
    for state in ("reported", "being_read", "awaiting_read", "being_scanned", "awaiting_scan",
                  "awaiting_protocol", "being_protocolled", "getting_ready", "cancelled", "awaiting_porter"):
        if counted.get(state, 0) != states[state]:
            yield f"accounting says {counted[state]} {state}, the records {states[state]}"
    if sum(v for k, v in counted.items() if k != "ordered") != counted["ordered"]:
        yield f"the end-of-run states add up to {sum(v for k, v in counted.items() if k != 'ordered')}, " \
              f"not the {counted['ordered']} ordered"


def _set_work(result):
    """Non-interpretive work is joined at or after its set time and ends exactly at its set end; no interruption
    breaks into the read of a priority the reader's group spares."""
    s = result.scenario
    for person, kind, start, end, exam in _staff_rows(result):
        if kind == INTERRUPTION and exam >= 0:
            calls = s.radiologists[result.staff[person].group].interruptions
            if s.priority_names[result.exams.read_priority[exam]] in calls.spared:
                yield f"{result.staff[person].name}: interrupted a spared read of exam {exam} at {start:.1f}"
        if kind != NON_INTERPRETIVE:
            continue
        group = s.radiologists[result.staff[person].group]
        day = math.floor(start / 1440)
        slots = [(d * 1440.0 + w.start, d * 1440.0 + w.start + w.minutes) for w in group.non_interpretive
                 for d in (day - 1, day) if d >= 0 and weekday_of(d, s.start_weekday) in w.days]
        if not any(a - EPS <= start and (_nan(end) or abs(end - b) <= EPS) for a, b in slots):
            yield f"{result.staff[person].name}: non-interpretive work {start:.1f}-{end:.1f} matches no set time"


def _transport(result):
    """A patient porters bring is fetched after being ready and scanned only once the fetch has ended; nobody else
    is fetched; no patient is fetched or taken back twice."""
    e = result.exams
    o = e.orders
    log = result.staff_log.columns()
    rows = np.flatnonzero(log["kind"] == TRANSPORT)
    trips = defaultdict(list)
    for k in rows.tolist():
        trips[int(log["exam"][k])].append((log["start"][k], log["end"][k]))
    for exam, legs in trips.items():
        legs.sort()
        if o.transport[exam] <= 0 or len(legs) > 2:
            yield f"exam {exam}: {len(legs)} porter trips, transport minutes {o.transport[exam]:g}"
            continue
        if legs[0][0] < e.ordered_at[exam] + o.readiness[exam] - EPS:
            yield f"exam {exam}: fetched at {legs[0][0]:.1f} before the patient was ready"
        if not _nan(e.scan_start[exam]) and (_nan(legs[0][1]) or e.scan_start[exam] < legs[0][1] - EPS):
            yield f"exam {exam}: scanned at {e.scan_start[exam]:.1f} before the porter brought the patient"
    for exam in np.flatnonzero((o.transport > 0) & ~np.isnan(e.scan_start)).tolist():
        if exam not in trips:
            yield f"exam {exam}: scanned without the porter who should have brought the patient"


def _sedation(result):
    """Every stretch of a sedated patient's acquisition has an anaesthetist with them, and nobody else is sedated."""
    o = result.exams.orders
    log = result.staff_log.columns()
    attended = defaultdict(list)
    for k in np.flatnonzero(log["kind"] == SEDATION).tolist():
        attended[int(log["exam"][k])].append((log["start"][k], log["end"][k]))
    for k in np.flatnonzero(log["kind"] == SCAN).tolist():
        exam, start, end = int(log["exam"][k]), log["start"][k], log["end"][k]
        if o.steps.sedated[exam] and not any(a <= start + EPS and (_nan(b) or (not _nan(end) and end <= b + EPS))
                                             for a, b in attended[exam]):
            yield f"exam {exam}: sedated, scanned {start:.1f}-{end:.1f} with no anaesthetist"
    for exam in attended:
        if not o.steps.sedated[exam]:
            yield f"exam {exam}: an anaesthetist attended a patient who was not to be sedated"


def _one_thing_at_a_time(result):
    spans = defaultdict(list)
    for person, kind, start, end, exam in _staff_rows(result):
        if kind != DUTY:
            spans[person].append((start, result.horizon if _nan(end) else end, kind, exam))
    for person, tasks in spans.items():
        tasks.sort()
        for a, b in zip(tasks, tasks[1:]):
            if b[0] < a[1] - EPS:
                yield f"{result.staff[person].name} does {a} and {b} at once"


def _off_duty(result):
    rows = _staff_rows(result)
    duty = defaultdict(list)
    for person, kind, start, end, exam in rows:
        if kind == DUTY:
            duty[person].append((start, result.horizon if _nan(end) else end))
    duty = {person: merge(spans) for person, spans in duty.items()}  # back-to-back stretches are one
    plans = result.duty_plan
    previous_end: dict[int, float] = {}
    e = result.exams
    for person, kind, start, end, exam in sorted((r for r in rows if r[1] != DUTY), key=lambda r: (r[0], r[2])):
        name = result.staff[person].name
        end_ = result.horizon if _nan(end) else end
        if start > result.horizon + EPS:
            yield f"{name} starts a task after the horizon"
        if not any(a - EPS <= start and end_ <= b + EPS for a, b in duty[person]):
            yield f"{name}: task {kind} on exam {exam} at {start:.2f}-{end_:.2f} outside recorded duty"
        # on duty from (a rounding step before) the start up to the end: a clock a rounding step short of the end has
        # reached it (back-to-back fixed durations drift by that much), and nobody starts work then
        on_plan = any(a - EPS <= start < b - ROUNDING for a, b in plans[person])
        # continuing the task in hand (a read after an interruption, a call after a report) is not starting one
        continuing = abs(previous_end.get(person, -1.0) - start) < EPS and kind in (READ, CALL, INTERRUPTION)
        if kind == CALL:
            first = e.prelim_at[exam] if not _nan(e.prelim_at[exam]) else e.report_at[exam]
            continuing = continuing or abs(first - start) < EPS
        if not on_plan and not continuing:
            yield f"{name} starts task {kind} on exam {exam} at {start:.2f}, off duty"
        previous_end[person] = end_


def _credentials(result):
    s, e = result.scenario, result.exams
    types = list(s.exam_types.values())
    priorities = s.priority_names
    groups = {(role.name, n): g for role in ROLES for n, g in role.groups(s).items()}
    from sim.triage import reading_priority

    read_rank = reading_priority(s, e.orders)
    fallback = s.reading.subspecialty_fallback_minutes
    for person, kind, start, end, exam in _staff_rows(result):
        if exam < 0 or kind in (DUTY, BREAK, INTERRUPTION):
            continue
        member = result.staff[person]
        group = groups[member.role, member.group]
        support = {TRANSPORT: "porter", SEDATION: "anaesthetist"}
        if support.get(kind, member.role) != member.role or (member.role in support.values() and kind not in support):
            yield f"{member.name}, a {member.role}, does a {KIND_NAMES[kind]} task"
            continue
        if kind in support:
            continue
        exam_type = types[e.orders.exam_type[exam]]
        if kind in (SCAN, PREP):
            if member.role != "technologist" or exam_type.modality not in group.modalities:
                yield f"{member.name} scans a {exam_type.modality} exam"
        elif kind == PROCEDURE:
            if exam_type.modality not in group.modalities:
                yield f"{member.name} performs a {exam_type.modality} procedure"
        elif kind == PROTOCOL:  # by a reader of the type ordered, which the protocol may change
            exam_type = types[e.orders.ordered_as[exam]]
            own = priorities[e.orders.priority[exam]]
            if not can_read(group, exam_type.modality, exam_type.subspecialty, own, any_subspecialty=None) and not (
                    fallback is not None and can_read(group, exam_type.modality, exam_type.subspecialty, own,
                                                      any_subspecialty=exam_type.subspecialty)):
                yield f"{member.name} protocols a {own} {exam_type.modality} {exam_type.subspecialty} order"
        elif kind == READ:
            rank = priorities[read_rank[exam]]
            waited = start - e.scan_end[exam]
            may_fall_back = fallback is not None and waited >= fallback - EPS
            allowed = can_read(group, exam_type.modality, exam_type.subspecialty, rank,
                               any_subspecialty=exam_type.subspecialty if may_fall_back else None)
            if not allowed:
                yield f"{member.name} reads a {rank} {exam_type.modality} {exam_type.subspecialty} study"
            # a read after the preliminary report, or one beginning at its very moment and going on past it; not a
            # preliminary read so short (a near-zero draw) that it ends within the tolerance of its start
            prelim_at = e.prelim_at[exam]
            final_read = not _nan(prelim_at) and (start > prelim_at or (start == prelim_at and end > prelim_at))
            if final_read and group.reports == "preliminary":
                yield f"{member.name}, a preliminary reader, finalises exam {exam}"
    for exam in np.flatnonzero(e.scanner >= 0).tolist():
        if result.scanners[e.scanner[exam]].modality != types[e.orders.exam_type[exam]].modality:
            yield f"exam {exam} scanned on {result.scanners[e.scanner[exam]].name}"


def _rooms(result):
    rooms = result.room_log.columns()
    rows = sorted(zip(rooms["room"].tolist(), rooms["start"].tolist(), rooms["end"].tolist(),
                      rooms["kind"].tolist(), rooms["exam"].tolist()))
    by_room = defaultdict(list)
    for room, start, end, kind, exam in rows:
        if start > result.horizon + EPS or (not _nan(end) and end > result.horizon + EPS):
            yield f"{result.scanners[room].name}: a stretch recorded past the horizon"
        by_room[room].append((start, result.horizon if _nan(end) else end, kind, exam))
    for room, spans in by_room.items():
        for a, b in zip(spans, spans[1:]):
            if b[0] < a[1] - EPS:
                what = "while down" if (a[2] in ROOM_DOWN) != (b[2] in ROOM_DOWN) else "twice over"
                yield f"{result.scanners[room].name} serves {what}: {a} and {b}"
    e = result.exams
    for exam in np.flatnonzero(~np.isnan(e.imaging_start) & (e.scanner >= 0)).tolist():
        scanner = result.scanners[e.scanner[exam]]
        if scanner.portable:
            continue
        start = e.scan_start[exam]
        if not any(a - EPS <= start < b for a, b in result.opening[scanner.modality]):
            yield f"exam {exam} started on {scanner.name} at {start:.2f}, while closed"
    yield from _downtime_logged(result, by_room)


def _downtime_logged(result, by_room):
    """Each maintenance window and each warm-up at an opening leaves a row, unless the room was busy or down."""
    s = result.scenario
    index = {sc.name: i for i, sc in enumerate(result.scanners) if not sc.portable}
    for modality, spec in s.modalities.items():
        names = spec.scanner_names(modality)
        for window in spec.maintenance:
            for start, end in intervals([window], s.days, s.start_weekday):
                for name in window.scanners or names:
                    spans = by_room.get(index[name], [])
                    covered = any(k == ROOM_MAINTENANCE and a >= start - EPS for a, b, k, _ in spans) or \
                        _occupied_from(spans, start, result.horizon)
                    if not covered:
                        yield f"{name}: maintenance due at {start:.0f} left no row"
        if spec.warm_up_minutes > 0:
            for start, _ in intervals(spec.hours, s.days, s.start_weekday):
                if start <= 0:
                    continue
                for name in names:  # warm-up at the opening, or as soon as a room that was down there is up
                    spans = by_room.get(index[name], [])
                    warm_ups = [a for a, b, k, _ in spans if k == ROOM_WARM_UP and a >= start - EPS]
                    warmed = warm_ups and _occupied_from(spans, start, min(warm_ups))
                    scanning = any(k in ROOM_WORK and a <= start + EPS and b >= start - EPS for a, b, k, _ in spans)
                    if not warmed and not scanning and not _occupied_from(spans, start, result.horizon):
                        yield f"{name}: no warm-up at the opening at {start:.0f}"


def _occupied_from(spans, start: float, horizon: float) -> bool:
    """Whether the room was never free from `start` to `horizon` (busy or down throughout)."""
    t = start
    for a, b, _, _ in sorted(spans):
        if t >= horizon - EPS:
            return True
        if b <= t + EPS:
            continue
        if a > t + EPS:
            return False
        t = b
    return t >= horizon - EPS


def _busy_share(result):
    for section, shares in utilisation(result).items():
        for group, share in shares.items():
            if share is not None and share > 1 + EPS:
                yield f"{section} {group} busy {share:.1%}"
    labels, rows = utilisation_by_hour(result)
    for label, row in zip(labels, rows):
        if np.nanmax(row, initial=0) > 1 + EPS:
            yield f"{label} busy {np.nanmax(row):.1%} in hour {int(np.nanargmax(row))}"


def _animation(result):
    from sim.animation import frames

    data = frames(result, 0.0, min(result.horizon, 1440.0))
    times = np.array(data["times"])
    q = result.queues.columns()
    at = np.searchsorted(q["time"], times, side="right") - 1
    for name, shown in (("scan_queue", np.array(data["waiting"]).sum(axis=(0, 1))),
                        ("worklist", np.array(data["worklist"]).sum(axis=0))):
        model = np.where(at >= 0, q[name][np.maximum(at, 0)], 0) if len(q["time"]) else np.zeros(len(times), int)
        for f in np.flatnonzero(model != shown)[:1].tolist():
            yield f"{name} at {times[f]:.1f}: the animation shows {shown[f]}, the model had {model[f]}"


def _summary(result):
    try:
        summary = summarise(result)
        list(exam_columns(result).values())  # every column, the derived ones worked out
    except Exception as exc:  # a crash is the finding
        yield f"{type(exc).__name__}: {exc}"
        return
    for row in summary["targets"]:  # every exam a target covers is met, missed or not yet known
        if row["met"] + row["missed"] + row["unknown"] != row["exams"] or min(row["met"], row["missed"], row["unknown"]) < 0:
            yield f"target {row['label']}: {row['met']} met + {row['missed']} missed + {row['unknown']} unknown " \
                  f"is not the {row['exams']} exams it covers"


def python_csv_row(cells) -> str:
    """A row, given as (column name, value) pairs, as Python's formatting writes it: the rule radsim's CSV
    writer keeps byte for byte."""
    fields = []
    for name, value in cells:
        if isinstance(value, float):
            fields.append("" if value != value else "{:.3f}".format(value))
        elif isinstance(value, int) and not isinstance(value, bool) and name == "exam_id" and value < 0:
            fields.append("")
        elif isinstance(value, str) and any(c in value for c in ',"\r\n'):
            fields.append('"' + value.replace('"', '""') + '"')
        else:
            fields.append("{}".format(value))
    return ",".join(fields) + "\n"


def _tables(result):
    from sim.csv_text import csv_rows
    from sim.output import exam_table, room_table, staff_table

    for name, table in (("exams", exam_table), ("staff", staff_table), ("rooms", room_table)):
        written = csv_rows(table(result, coded=True)).decode("utf-8")
        columns = [(column, values.tolist()) for column, values in table(result).items()]
        at = 0
        for row in range(len(columns[0][1])):
            expected = python_csv_row([(column, values[row]) for column, values in columns])
            if not written.startswith(expected, at):
                yield f"{name}.csv row {row}: {written[at:at + len(expected)]!r}, in Python {expected!r}"
                break
            at += len(expected)
        else:
            if at != len(written):
                yield f"{name}.csv has text after its {len(columns[0][1])} rows"
