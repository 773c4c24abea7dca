"""Step-by-step view for teaching: one event at a time, with the state of the department.

For each event of a window (from `sim.narrative`) it shows the clock, the
event, who is doing what, the scanner queue and the worklist, each study with
its priority and how long it has waited. Everything is reconstructed from the
records, so stepping never re-runs the model. Enter advances; q quits.
"""
from __future__ import annotations

from typing import TextIO

import numpy as np

from .clock import describe
from .narrative import FINISH, OFF_DUTY, ON_DUTY, ORDER, START, narrate
from .records import DOING, DOING_ALONE, DUTY, READ, Result

SHOWN = 8  # studies listed per queue before "... and N more"


def _happened(times, ranks, exams, t: float, after) -> np.ndarray:
    """Whether each event (at `times`, of narrative `ranks`, about `exams`) has happened by the event `after`
    = (rank, exam) at time t, in the narrative's order of events at one instant; every event at t if None."""
    times = np.nan_to_num(np.asarray(times, dtype=float), nan=np.inf)
    if after is None:
        return times <= t
    rank, exam = after
    same = times == t
    return (times < t) | (same & ((ranks < rank) | ((ranks == rank) & (exams <= exam))))


def snapshot(result: Result, t: float, after=None) -> dict:
    """Who is doing what, and what waits where, just after time t: after the event `after` = (rank, exam) of
    that instant (the one a step describes, not the later ones of the same minute), or after all of them."""
    log = result.staff_log.columns()
    duty = log["kind"] == DUTY
    row_exam = log["exam"]
    started = _happened(log["start"], np.where(duty, ON_DUTY, START), row_exam, t, after)
    ended = _happened(log["end"], np.where(duty, OFF_DUTY, FINISH), row_exam, t, after)
    covering = started & ~ended
    people = []
    for index, member in enumerate(result.staff):
        mine = covering & (log["person"] == index)
        on_duty = bool(np.any(mine & (log["kind"] == DUTY)))
        tasks = np.flatnonzero(mine & (log["kind"] != DUTY))
        task = None
        if len(tasks):
            k = tasks[-1]
            task = (int(log["kind"][k]), int(log["exam"][k]), float(log["start"][k]))
        people.append((member, on_duty, task))
    e, o = result.exams, result.exams.orders
    being_read = np.zeros(len(e), dtype=bool)
    being_read[log["exam"][covering & (log["kind"] == READ)]] = True
    ids = np.arange(len(e))
    ordered, scanning = _happened(e.ordered_at, ORDER, ids, t, after), _happened(e.scan_start, START, ids, t, after)
    imaged, reported = _happened(e.scan_end, FINISH, ids, t, after), _happened(e.report_at, FINISH, ids, t, after)
    # the scanner queue holds patients who are ready (readiness delays them) and not cancelled, by priority then
    # their place in the queue (when ready, or a booked patient's slot)
    ready = _happened(e.ready_at(), ORDER, ids, t, after)
    cancelled = _happened(e.cancelled_at, FINISH, ids, t, after)
    scan_queue = np.flatnonzero(ordered & ready & ~scanning & ~cancelled)
    worklist = np.flatnonzero(imaged & ~reported & ~being_read)
    scan_queue = scan_queue[np.lexsort((e.queue_time()[scan_queue], o.priority[scan_queue]))]
    worklist = worklist[np.lexsort((e.scan_end[worklist], e.read_priority[worklist]))]  # AI triage may raise it
    return {"people": people, "scan_queue": scan_queue, "worklist": worklist}


def render(result: Result, t: float, event: str, step: int, steps: int, after=None) -> str:
    state = snapshot(result, t, after)
    e, o = result.exams, result.exams.orders
    priorities = result.scenario.priority_names
    lines = [f"── {describe(t)} ── event {step} of {steps} " + "─" * 20, event, "", "Who is doing what:"]
    for member, on_duty, task in state["people"]:
        if task is not None and task[1] < 0:
            doing = f"{DOING_ALONE.get(task[0], DOING[task[0]])} for {t - task[2]:.0f} min"
        elif task is not None:
            kind, exam, since = task
            doing = f"{DOING[kind]} #{exam} ({priorities[o.priority[exam]]}) for {t - since:.0f} min"
        else:
            doing = "free" if on_duty else "off duty"
        lines.append(f"  {member.name:<18} {member.role:<13} {doing}")
    for title, exams, since in (("Scanner queue", state["scan_queue"], e.ordered_at),
                                ("Worklist", state["worklist"], e.scan_end)):
        lines.append(f"{title} ({len(exams)} waiting):")
        for exam in exams[:SHOWN]:
            priority = priorities[o.priority[exam]]
            if title == "Worklist" and e.read_priority[exam] != o.priority[exam]:  # why it sits where it does
                priority += f" (AI: read as {priorities[e.read_priority[exam]]})"
            lines.append(f"  #{exam:<6} {priority:<12} waited {t - since[exam]:.0f} min")
        if len(exams) > SHOWN:
            lines.append(f"  ... and {len(exams) - SHOWN} more")
    return "\n".join(lines)


def step_through(result: Result, start: float, end: float, keys: TextIO, screen: TextIO) -> int:
    """Show events one at a time; Enter for the next, q to quit. Returns how many were shown."""
    events = narrate(result, start, end)
    for i, line in enumerate(events, 1):
        screen.write(render(result, line.time, line.text, i, len(events), (line.rank, line.exam)) + "\n")
        if i == len(events):
            screen.write("(end of the window)\n")
            return i
        screen.write("[Enter] next event, q then Enter to quit: ")
        screen.flush()
        answer = keys.readline()
        if not answer or answer.strip().lower() == "q":
            screen.write("\n")
            return i
    if not events:
        screen.write("Nothing happens in this window.\n")
    return len(events)
