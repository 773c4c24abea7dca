"""The animated department: a window of a run, frame by frame, as a page that plays in any browser.

Told from the records alone, like the narrative: at every frame, what each scanner is doing (and the priority
of the patient on it, or that it is closed or down), how many patients wait for each modality's scanners and
how many studies wait on the worklist, by priority, and what each person is doing. One exam can be followed
through the department (a stroke by default): where it is at every frame. The narrative's lines are the
captions. `animation_page` writes all of it, with a small player (play, pause, speed, a time slider), as one
self-contained HTML file; the web app shows the same page.
"""
from __future__ import annotations

import json
from html import escape

import numpy as np

from .clock import describe, weekday_of
from .metrics import exam_columns
from .narrative import narrate
from .records import (DOWN_COLOUR, DUTY, INTERRUPTION, KIND_NAMES, PREP, PROTOCOL, READ, ROLES, ROOM_DOWN,
                      ROOM_KIND_NAMES, ROOM_WORK, SCAN, TASK_COLOURS, TRANSPORT, Result, one_of, priority_colour)

MAX_FRAMES = 721  # a day at two-minute steps: enough to see the queues move, small enough to play smoothly
OFF, IDLE = -2, -1  # a person off duty, or on duty with nothing in hand (tasks are their kind's code)
CLOSED, FREE = -2, -1  # a room outside its opening hours, or open and free (else its room-log kind)


def default_highlight(result: Result, start: float, end: float) -> int | None:
    """The exam to follow: the first of the most urgent priority ordered within the window."""
    e, o = result.exams, result.exams.orders
    inside = np.flatnonzero((e.ordered_at >= start) & (e.ordered_at < end))
    if not len(inside):
        return None
    return int(inside[np.lexsort((e.ordered_at[inside], o.priority[inside]))][0])


def frames(result: Result, start: float, end: float, step: float | None = None,
           highlight: int | None = None) -> dict:
    """Everything the player shows, as plain lists (JSON-ready): frame times and clock labels, per room and per
    person a state code per frame (with the priority of the exam in hand), waiting counts per modality and
    priority, the worklist per priority, the followed exam's whereabouts, and the narrative's lines."""
    step = step or max(1.0, (end - start) / (MAX_FRAMES - 1))
    times = start + step * np.arange(int(np.floor((end - start) / step + 1e-9)) + 1)
    s = result.scenario
    rooms, room_priority = _rooms(result, times)
    people, person_priority, person_exam = _people(result, times)
    reading = np.where(one_of(people, (READ, INTERRUPTION)), person_exam, -1)  # a read in hand, or paused for a call
    return {
        "name": s.name, "step": step, "times": times.round(3).tolist(),
        "clock": [f"{describe(t)} ({weekday_of(int(t // 1440), s.start_weekday)})" for t in times],
        "priorities": s.priority_names, "priority_colours": [priority_colour(r) for r in range(len(s.priorities))],
        "modalities": list(s.modalities),
        "rooms": [{"name": sc.name, "modality": list(s.modalities).index(sc.modality)} for sc in result.scanners],
        "room_state": rooms.tolist(), "room_priority": room_priority.tolist(),
        "room_kinds": {str(k): v.replace("_", " ") for k, v in ROOM_KIND_NAMES.items()},
        "people": [{"name": m.name, "role": m.role, "group": m.group} for m in result.staff],
        "person_state": people.tolist(), "person_priority": person_priority.tolist(),
        "kinds": {str(k): v.replace("_", " ") for k, v in KIND_NAMES.items() if k != DUTY},
        "kinds_seen": sorted({int(k) for k in np.unique(people) if k >= 0}),
        "kind_colours": {str(k): c for k, c in TASK_COLOURS.items()}, "down_colour": DOWN_COLOUR,
        "waiting": _waiting_for_scan(result, times).tolist(), "worklist": _worklist(result, times, reading),
        "highlight": _followed(result, times, highlight, person_exam, reading),
        "captions": [[line.time, describe(line.time), line.text] for line in narrate(result, start, end)],
    }


def _frame_range(times: np.ndarray, start: float, end: float) -> tuple[int, int]:
    """Frames whose time falls in [start, end) (an unfinished end, NaN, runs to the last frame)."""
    first = int(np.searchsorted(times, start, side="left"))
    last = len(times) if end != end else int(np.searchsorted(times, end, side="left"))
    return first, last


def _rooms(result: Result, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    log = result.room_log.columns()
    state = np.full((len(result.scanners), len(times)), CLOSED, dtype=np.int16)
    priority = np.full(state.shape, -1, dtype=np.int16)
    for r, scanner in enumerate(result.scanners):
        for a, b in result.opening.get(scanner.modality, [(0.0, result.horizon)]) if not scanner.portable else \
                [(0.0, result.horizon)]:
            i, j = _frame_range(times, a, b)
            state[r, i:j] = FREE
    overlapping = np.flatnonzero((log["start"] <= times[-1]) & ~(log["end"] < times[0]))
    exam_priority = result.exams.orders.priority
    for row in overlapping.tolist():
        i, j = _frame_range(times, log["start"][row], log["end"][row])
        room, kind, exam = int(log["room"][row]), int(log["kind"][row]), int(log["exam"][row])
        state[room, i:j] = kind
        if kind in ROOM_WORK and exam >= 0:
            priority[room, i:j] = exam_priority[exam]
    return state, priority


def _people(result: Result, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    log = result.staff_log.columns()
    n = len(result.staff)
    state = np.full((n, len(times)), OFF, dtype=np.int16)
    priority = np.full(state.shape, -1, dtype=np.int16)
    exam_in_hand = np.full(state.shape, -1, dtype=np.int32)
    overlapping = np.flatnonzero((log["start"] <= times[-1]) & ~(log["end"] < times[0]))
    duty_first = overlapping[np.argsort(log["kind"][overlapping] != DUTY, kind="stable")]  # duty, then tasks on it
    exam_priority = result.exams.read_priority
    for row in duty_first.tolist():
        i, j = _frame_range(times, log["start"][row], log["end"][row])
        person, kind, exam = int(log["person"][row]), int(log["kind"][row]), int(log["exam"][row])
        state[person, i:j] = IDLE if kind == DUTY else kind
        if kind != DUTY and exam >= 0:
            priority[person, i:j] = exam_priority[exam]
            exam_in_hand[person, i:j] = exam
    return state, priority, exam_in_hand


def _waiting_for_scan(result: Result, times: np.ndarray) -> np.ndarray:
    """[modality][priority][frame]: patients waiting for a scanner (`scan_queue_spells`)."""
    s, c = result.scenario, exam_columns(result)
    modality_of_type = np.array([list(s.modalities).index(e.modality) for e in s.exam_types.values()])
    counts = np.zeros((len(s.modalities), len(s.priorities), len(times) + 1), dtype=np.int32)
    for exam, joins, leaves_at in scan_queue_spells(result, times[0], times[-1]):
        i, j = _frame_range(times, joins, leaves_at if leaves_at < np.inf else np.nan)
        counts[modality_of_type[c["exam_type"][exam]], c["priority"][exam], i] += 1
        counts[modality_of_type[c["exam_type"][exam]], c["priority"][exam], j] -= 1
    return np.cumsum(counts, axis=2)[:, :, :-1]


def scan_queue_spells(result: Result, start: float, end: float) -> list[tuple[int, float, float]]:
    """(exam, joins, leaves) of every stay in a scanner queue overlapping [start, end], from the records: a patient
    joins once ready (and protocolled, and brought where a porter fetches them) and leaves at the first technologist
    task (or a cancellation); prepared in a prep room, or injected with the tracer taken up (nuclear medicine), they
    wait again for the scanner; and a scan a breakdown broke off puts them back until the next start."""
    c, log, rooms = exam_columns(result), result.staff_log.columns(), result.room_log.columns()
    n = len(result.exams)
    protocol_at = np.where(result.exams.orders.protocol > 0, np.nan_to_num(c["protocol_at"], nan=np.inf), -np.inf)
    ready = np.fmax(np.nan_to_num(c["ready_at"], nan=np.inf), protocol_at)  # NaN: a follow-up never ordered
    ready[result.exams.orders.transport > 0] = np.inf  # a patient porters bring joins once brought, if ever:
    fetched = np.flatnonzero(log["kind"] == TRANSPORT)[::-1]  # the first trip of each exam (the fetch) wins
    ready[log["exam"][fetched]] = np.nan_to_num(log["end"][fetched], nan=np.inf)
    tasks = np.flatnonzero(one_of(log["kind"], (SCAN, PREP)) & (log["exam"] >= 0))
    first_task = np.full(n, np.inf)
    np.minimum.at(first_task, log["exam"][tasks], log["start"][tasks])
    leaves = np.fmin(first_task, np.nan_to_num(c["cancelled_at"], nan=np.inf))
    spells = [(x, ready[x], leaves[x]) for x in np.flatnonzero((ready <= end) & (leaves > start)).tolist()]
    on_room = rooms["exam"] >= 0
    by_exam = np.flatnonzero(on_room)[np.lexsort((rooms["start"][on_room], rooms["exam"][on_room]))]
    x, a, b = rooms["exam"][by_exam], rooms["end"][by_exam], rooms["start"][by_exam]
    gap = (x[1:] == x[:-1]) & (b[1:] > a[:-1])  # room rows of one exam apart: broken off, then started again
    spells += list(zip(x[1:][gap].tolist(), a[:-1][gap].tolist(), b[1:][gap].tolist()))
    last = np.r_[x[1:] != x[:-1], True] if len(x) else np.zeros(0, bool)  # each exam's last room row
    cut = last & (result.exams.broken_off[x] > 0) & ~(result.exams.scan_end[x] <= a)  # broken off, not started again
    spells += [(exam, t, np.inf) for exam, t in zip(x[cut].tolist(), a[cut].tolist()) if t == t]
    prepared = np.flatnonzero((log["kind"] == PREP) & (log["exam"] >= 0))
    if len(prepared):  # then waiting again: until the next task of theirs (a prep room after an injection, a scan)
        uptake = result.exams.orders.steps.uptake
        starts: dict[int, list[float]] = {}
        for exam, t in [*zip(x.tolist(), b.tolist()), *zip(log["exam"][tasks].tolist(), log["start"][tasks].tolist())]:
            starts.setdefault(exam, []).append(t)
        injected = set()  # an exam with an uptake is injected at its first preparation (later ones: prep rooms)
        for exam, began, done in sorted(zip(log["exam"][prepared].tolist(), log["start"][prepared].tolist(),
                                            log["end"][prepared].tolist()), key=lambda row: row[1]):
            joins = done + (uptake[exam] if exam not in injected else 0.0)
            injected.add(exam)
            spells.append((exam, joins, min((t for t in starts.get(exam, ()) if t >= joins), default=np.inf)))
    # b <= a: never in it; nobody joins at the horizon, as the run stops before that moment's events (a scan due to
    # end there leaves a last room row that looks broken off, an uptake due to end there a patient ready to scan)
    return [(exam, a, b) for exam, a, b in spells if a <= end and b > start and b > a and a < result.horizon]


def _worklist(result: Result, times: np.ndarray, reading: np.ndarray) -> list[list[int]]:
    """[priority][frame]: studies with images complete, not yet reported and not in a radiologist's hands, and
    orders waiting for their protocol."""
    e, log = result.exams, result.staff_log.columns()
    spells = [(exam, e.scan_end[exam], e.report_at[exam]) for exam in
              np.flatnonzero((e.scan_end <= times[-1]) & ~(e.report_at < times[0])).tolist()]
    protocolled = np.full(len(e), np.inf)  # an order needing a protocol waits from its order to the protocol
    rows = np.flatnonzero(log["kind"] == PROTOCOL)
    np.minimum.at(protocolled, log["exam"][rows], log["start"][rows])
    spells += [(x, e.ordered_at[x], protocolled[x]) for x in
               np.flatnonzero((e.orders.protocol > 0) & (e.ordered_at <= times[-1])
                              & (protocolled > times[0])).tolist()]
    waiting = np.zeros((len(result.scenario.priorities), len(times) + 1), dtype=np.int32)
    for exam, joins, leaves in spells:
        if leaves <= joins:  # never waiting (left the instant it came)
            continue
        i, j = _frame_range(times, joins, leaves)
        waiting[e.read_priority[exam], i] += 1
        waiting[e.read_priority[exam], j] -= 1
    waiting = np.cumsum(waiting, axis=1)[:, :-1]
    for person_row in reading:  # a study in a radiologist's hands (read, or paused for a call) is not waiting
        for frame in np.flatnonzero(person_row >= 0).tolist():
            exam = person_row[frame]
            if e.scan_end[exam] <= times[frame] and not e.report_at[exam] <= times[frame]:
                waiting[e.read_priority[exam], frame] -= 1
    return waiting.tolist()


def _followed(result: Result, times: np.ndarray, exam: int | None, exam_in_hand: np.ndarray,
              reading: np.ndarray) -> dict | None:
    """Where the followed exam is at each frame: a stage, and the room or person it is with (-1: none)."""
    if exam is None:
        return None
    c, s = exam_columns(result), result.scenario
    ready = max(c["ready_at"][exam], c["protocol_at"][exam] if c["protocol_at"][exam] == c["protocol_at"][exam]
                else -np.inf)
    stages, rooms, people = [], [], []
    held, read = exam_in_hand == exam, reading == exam
    for f, t in enumerate(times.tolist()):
        room = int(c["scanner"][exam]) if c["scan_start"][exam] <= t < c["scan_end"][exam] else -1
        # on the scanner: with whoever does it; after the images: with the radiologist reading it (not the
        # technologist turning the room over, nor an IR radiologist finishing in the suite)
        with_person = np.flatnonzero(read[:, f] if c["scan_end"][exam] <= t else held[:, f])
        if t < c["ordered_at"][exam]:
            stage = "not yet ordered"
        elif c["cancelled_at"][exam] <= t:
            stage = "cancelled"
        elif c["report_at"][exam] <= t:
            stage = "reported"
        elif room >= 0:
            stage = f"on {result.scanners[room].name}"
        elif c["scan_end"][exam] <= t:
            stage = f"being read by {result.staff[with_person[0]].name}" if len(with_person) else "on the worklist"
        elif t < ready:
            stage = "ordered, the patient getting ready"
        else:
            stage = "waiting for a scanner"
        stages.append(stage)
        rooms.append(room)
        people.append(int(with_person[0]) if len(with_person) else -1)
    return {"exam": exam, "label": f"#{exam} {s.priority_names[c['priority'][exam]]} "
                                    f"{list(s.exam_types)[c['exam_type'][exam]]}",
            "stage": stages, "room": rooms, "person": people}


ROLE_ORDER = [role.name for role in ROLES]


def animation_page(data: dict) -> str:
    """The frames as one self-contained HTML page with its player."""
    return (_PAGE.replace("__TITLE__", escape(f"radsim: {data['name']}"))
            .replace("__DATA__", json.dumps(data, separators=(",", ":")).replace("</", "<\\/"))
            .replace("__ROLES__", json.dumps(ROLE_ORDER)).replace("__SCAN__", str(SCAN)).replace("__READ__", str(READ))
            .replace("__DOWN__", json.dumps(list(ROOM_DOWN))))


_PAGE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body{font-family:system-ui,sans-serif;margin:12px 18px;color:#222}
h1{font-size:1.2em;margin:0 0 6px}
#controls{display:flex;gap:10px;align-items:center;margin:6px 0 10px;flex-wrap:wrap}
#clock{font-size:1.5em;font-weight:600;min-width:16em}
#slider{flex:1;min-width:240px}
button{font-size:1em;padding:4px 14px}
.section{margin:8px 0 12px}
.section h2{font-size:1em;margin:0 0 4px;color:#444}
.row{display:flex;gap:6px;flex-wrap:wrap;align-items:flex-start}
.modality{border:1px solid #ccc;border-radius:6px;padding:6px;min-width:160px}
.room{border:2px solid #999;border-radius:5px;padding:3px 6px;margin:3px 0;font-size:.85em;min-width:140px}
.person{border:2px solid #bbb;border-radius:12px;padding:2px 8px;font-size:.8em;margin:2px}
.followed{outline:4px solid #f1c40f;outline-offset:1px}
.dots span{display:inline-block;width:10px;height:10px;border-radius:5px;margin:1px}
.bar{height:16px;display:inline-block;vertical-align:middle}
#banner{background:#fff7d6;border:1px solid #f1c40f;padding:4px 8px;border-radius:4px;margin:4px 0}
#captions{font-family:ui-monospace,monospace;font-size:.8em;white-space:pre-wrap;background:#f7f7f7;padding:6px;
 min-height:5.5em;border-radius:4px}
.legend span{display:inline-block;margin-right:10px;font-size:.8em}
.legend i{display:inline-block;width:12px;height:12px;margin-right:3px;vertical-align:middle;border-radius:2px}
</style></head><body>
<h1>__TITLE__</h1>
<div id="controls"><button id="play">Play</button>
<label>speed <select id="speed"><option value="2">slow</option><option value="6" selected>normal</option>
<option value="15">fast</option><option value="40">fastest</option></select></label>
<span id="clock"></span><input id="slider" type="range" min="0" value="0" aria-label="time"></div>
<div class="legend" id="legend"></div>
<div id="banner" hidden></div>
<div class="section"><h2>Scanners, and patients waiting for them (one dot each, by priority)</h2>
<div class="row" id="scanners"></div></div>
<div class="section"><h2>Worklist: studies waiting to be read</h2><div id="worklist"></div></div>
<div class="section"><h2>People</h2><div id="people"></div></div>
<div class="section"><h2>What happened</h2><div id="captions"></div></div>
<script>
const D = __DATA__, ROLES = __ROLES__, SCAN = __SCAN__, READ = __READ__, DOWN = __DOWN__;
const n = D.times.length, root = document.body;
let frame = 0, timer = null;
const $ = id => document.getElementById(id);
$("slider").max = n - 1;
$("legend").innerHTML = D.priorities.map((p, r) => `<span><i style="background:${D.priority_colours[r]}"></i>${p}</span>`)
  .join("") + Object.entries(D.kinds).filter(([k]) => D.kind_colours[k] && D.kinds_seen.includes(Number(k)))
  .map(([k, v]) => `<span><i style="background:${D.kind_colours[k]}"></i>${v}</span>`).join("")
  + `<span><i style="background:${D.down_colour}"></i>scanner down</span><span><i style="background:#eee"></i>free</span>`;
const scanners = $("scanners");
D.modalities.forEach((m, mi) => {
  const box = document.createElement("div"); box.className = "modality";
  box.innerHTML = `<b>${m}</b><div class="dots" id="wait${mi}"></div>` +
    D.rooms.map((r, ri) => r.modality === mi ? `<div class="room" id="room${ri}"></div>` : "").join("");
  scanners.appendChild(box);
});
const people = $("people");
ROLES.forEach(role => {
  const members = D.people.map((p, i) => [p, i]).filter(([p]) => p.role === role);
  if (!members.length) return;
  const line = document.createElement("div"); line.className = "row";
  line.innerHTML = `<b style="min-width:8em">${role}s</b>` + members.map(([p, i]) => `<span class="person" id="p${i}"></span>`).join("");
  people.appendChild(line);
});
function colourOf(kind, priority) {  // a call, break, meeting... in its own colour; a read or scan in its priority's
  if (D.kind_colours[kind]) return D.kind_colours[kind];
  return priority >= 0 ? D.priority_colours[priority] : "#eee";
}
function show(f) {
  frame = f; root.dataset.frame = f; $("slider").value = f; $("clock").textContent = D.clock[f];
  const hl = D.highlight;
  D.rooms.forEach((r, ri) => {
    const s = D.room_state[ri][f], p = D.room_priority[ri][f], el = $("room" + ri);
    const label = s === -2 ? "closed" : s === -1 ? "free" : D.room_kinds[s];
    el.textContent = `${r.name}: ${label}` + (p >= 0 ? ` (${D.priorities[p]})` : "");
    el.style.background = s === -2 ? "#ddd" : DOWN.includes(s) ? D.down_colour : p >= 0 ? D.priority_colours[p] + "66" : "#f4f4f4";
    el.style.borderColor = p >= 0 ? D.priority_colours[p] : "#999";
    el.classList.toggle("followed", !!hl && hl.room[f] === ri);
  });
  D.modalities.forEach((m, mi) => {
    $("wait" + mi).innerHTML = D.waiting[mi].map((counts, p) =>
      `<span style="background:${D.priority_colours[p]}"></span>`.repeat(counts[f])).join("") || "<small>nobody waiting</small>";
  });
  $("worklist").innerHTML = D.worklist.map((counts, p) => `<div><span style="display:inline-block;width:7em">${D.priorities[p]}</span>` +
    `<span class="bar" style="width:${Math.min(600, 6 * counts[f])}px;background:${D.priority_colours[p]}"></span> ${counts[f]}</div>`).join("");
  D.people.forEach((person, i) => {
    const s = D.person_state[i][f], p = D.person_priority[i][f], el = $("p" + i);
    if (!el) return;
    const label = s === -2 ? "off duty" : s === -1 ? "free" : D.kinds[s];
    el.textContent = `${person.name}: ${label}`;
    el.style.opacity = s === -2 ? 0.35 : 1;
    el.style.background = s < 0 ? "#fff" : colourOf(s, p) + "66";
    el.style.borderColor = p >= 0 ? D.priority_colours[p] : "#bbb";
    el.classList.toggle("followed", !!hl && hl.person[f] === i);
  });
  if (hl) { $("banner").hidden = false; $("banner").textContent = `Following ${hl.label}: ${hl.stage[f]}`; }
  const t = D.times[f];
  $("captions").textContent = D.captions.filter(c => c[0] <= t).slice(-6).map(c => `${c[1].padStart(13)}  ${c[2]}`).join("\n");
}
function tick() { if (frame >= n - 1) { pause(); return; } show(frame + 1); }
function play() { if (frame >= n - 1) show(0); timer = setInterval(tick, 1000 / Number($("speed").value)); $("play").textContent = "Pause"; }
function pause() { clearInterval(timer); timer = null; $("play").textContent = "Play"; }
$("play").onclick = () => timer ? pause() : play();
$("speed").onchange = () => { if (timer) { pause(); play(); } };
$("slider").oninput = e => show(Number(e.target.value));
show(Math.min(n - 1, Number((location.hash.match(/frame=(\d+)/) || [0, 0])[1])));
</script></body></html>
"""
