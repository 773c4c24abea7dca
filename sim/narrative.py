"""The teaching narrative: what happened in a window of time, in plain language.

Told from the records alone (never from simpy): orders arriving, who scans
what, studies joining the worklist, a stroke going ahead of work that waited
longer, reads interrupted and resumed, reports signed, staff coming on and
going off duty. Numbers come with their meaning ("waited 14 min behind 6
studies").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clock import describe
from .records import CALL, DUTY, INTERRUPTION, PROTOCOL, READ, Result

# At one instant: work ends, people leave, people arrive, orders come in, reads are interrupted, work starts.
FINISH, OFF_DUTY, ON_DUTY, ORDER, INTERRUPT, START = range(6)


@dataclass(frozen=True, order=True)
class Line:
    """One line of the narrative: when, what kind of happening, and the words."""

    time: float
    rank: int
    exam: int
    text: str


def narrate(result: Result, start: float, end: float) -> list[Line]:
    teller = _Teller(result, start, end)
    return sorted(teller.duty() + teller.orders() + teller.scans() + teller.reads() + teller.calls()
                  + teller.protocols())


def format_narrative(lines: list[Line]) -> str:
    return "\n".join(f"{describe(line.time):>13}  {line.text}" for line in lines)


class _Teller:
    """Tells a window of a run's records as time-ordered lines."""

    def __init__(self, result: Result, start: float, end: float):
        self.r, self.start, self.end = result, start, end
        self.e, self.o = result.exams, result.exams.orders
        s = result.scenario
        self.priorities = s.priority_names
        self.targets = [p.target_minutes for p in s.priorities.values()]
        self.exam_types = list(s.exam_types)
        self.sources = s.source_names
        self.modality = np.array([list(s.modalities).index(e.modality) for e in s.exam_types.values()])[self.o.exam_type]
        self.log = result.staff_log.columns()

    def _in(self, t) -> np.ndarray:
        return (t >= self.start) & (t < self.end)

    def label(self, exam: int) -> str:
        return (f"#{exam} ({self.priorities[self.o.priority[exam]]} {self.exam_types[self.o.exam_type[exam]]} "
                f"from {self.sources[self.o.source[exam]]})")

    def name(self, person: int) -> str:
        return self.r.staff[person].name

    # ------------------------------------------------------------ staff

    def duty(self) -> list[Line]:
        lines = []
        end = np.where(np.isnan(self.log["end"]), np.inf, self.log["end"])
        duty = np.flatnonzero(self.log["kind"] == DUTY)
        overtime = dict(zip(duty.tolist(), self.r.staff_log.overtime(duty).tolist()))
        for k in duty:
            person = self.r.staff[self.log["person"][k]]
            if self._in(self.log["start"][k]):
                lines.append(Line(self.log["start"][k], ON_DUTY, -1,
                                  f"{person.name} ({person.role}, {person.group}) comes on duty."))
            if self._in(end[k]) and end[k] < self.r.horizon:
                extra = f", after {overtime[k]:.0f} min of overtime finishing a task" if overtime[k] >= 0.5 else ""
                lines.append(Line(end[k], OFF_DUTY, -1, f"{person.name} goes off duty{extra}."))
        return lines

    # ------------------------------------------------------------ orders and scans

    def orders(self) -> list[Line]:
        from .metrics import queue_length_at

        lines = []
        for exam in np.flatnonzero(self._in(self.e.ordered_at)):
            t = self.e.ordered_at[exam]
            waiting = int(queue_length_at(self.r, np.array([t]), "scan_queue")[0])
            lines.append(Line(t, ORDER, exam, f"Order {self.label(exam)}. "
                                              f"{waiting} order{'s' if waiting != 1 else ''} now waiting to be scanned."))
        return lines

    def scans(self) -> list[Line]:
        lines = []
        e, o = self.e, self.o
        ready_at, queue_time = e.ready_at(), e.queue_time()
        for exam in np.flatnonzero(self._in(e.scan_start)):
            t = e.scan_start[exam]
            waiting = (ready_at <= t) & ~(e.scan_start <= t) & ~(e.cancelled_at <= t)
            passed = np.sum((self.modality == self.modality[exam]) & (queue_time < queue_time[exam]) & waiting
                            & (o.priority > o.priority[exam]))
            jump = (f" It goes ahead of {passed} earlier order{'s' if passed != 1 else ''} of lower priority."
                    if passed else "")
            lines.append(Line(t, START, exam,
                              f"{self.name(e.technologist[exam])} starts scanning {self.label(exam)} on "
                              f"{self.r.scanners[e.scanner[exam]].name}, {t - e.ordered_at[exam]:.0f} min after "
                              f"the order.{jump}"))
        for exam in np.flatnonzero(self._in(e.scan_end)):
            t = e.scan_end[exam]
            ahead = self._ahead_on_worklist(exam, t)
            waiting = int(np.sum(self._waiting_on_worklist(t))) + 1
            lines.append(Line(t, FINISH, exam,
                              f"Images of #{exam} are complete; it joins the worklist behind {ahead} "
                              f"stud{'ies' if ahead != 1 else 'y'} of its priority or higher "
                              f"({waiting} waiting in all)."))
        return lines

    def _waiting_on_worklist(self, t: float) -> np.ndarray:
        e = self.e
        return (e.scan_end < t) & ~(e.read_start < t)

    def _ahead_on_worklist(self, exam: int, t: float) -> int:
        return int(np.sum(self._waiting_on_worklist(t) & (self.o.priority <= self.o.priority[exam])))

    # ------------------------------------------------------------ reads

    def reads(self) -> list[Line]:
        lines = []
        log, e = self.log, self.e
        reads = np.flatnonzero(log["kind"] == READ)
        starting = reads[self._in(log["start"][reads])]
        touching = np.union1d(starting, reads[self._in(np.nan_to_num(log["end"][reads], nan=np.inf))])
        # every read row of the studies read in the window (earlier rows give how much was read before), no more
        reads = reads[np.isin(log["exam"][reads], log["exam"][touching])]
        order = reads[np.lexsort((log["start"][reads], log["exam"][reads]))]
        done_before: dict[int, float] = {}
        starts_by_reader = {(int(log["person"][k]), float(log["start"][k])): int(log["exam"][k]) for k in starting}
        calls = np.flatnonzero((log["kind"] == INTERRUPTION) & self._in(log["start"]))
        pauses = {(int(log["person"][k]), float(log["start"][k])) for k in calls}
        for k in order:
            exam, person = int(log["exam"][k]), int(log["person"][k])
            start, end = float(log["start"][k]), float(log["end"][k])
            previous = done_before.get(exam, 0.0)
            done_before[exam] = previous + ((end if not np.isnan(end) else self.r.horizon) - start)
            if self._in(start):
                lines.append(Line(start, START, exam, self._start_text(exam, person, start, previous)))
            if not np.isnan(end) and self._in(end):
                if end == e.prelim_at[exam]:
                    lines.append(Line(end, FINISH, exam,
                                      f"{self.name(person)} signs a preliminary report of {self.label(exam)}, "
                                      f"{end - e.scan_end[exam]:.0f} min after the images; it goes back on the "
                                      "worklist for a final read."))
                elif np.isnan(e.report_at[exam]) or end < e.report_at[exam]:
                    by = starts_by_reader.get((person, end))
                    if by is not None:
                        cause = f": interrupted by {self.label(by)}"
                    elif (person, end) in pauses:
                        cause = " to take a phone call or question"
                    else:
                        cause = ""
                    lines.append(Line(end, INTERRUPT, exam, f"{self.name(person)} stops reading #{exam}{cause}."))
                else:
                    lines.append(Line(end, FINISH, exam, self._signed_text(exam, person)))
        return lines

    def protocols(self) -> list[Line]:
        lines = []
        log = self.log
        for k in np.flatnonzero(log["kind"] == PROTOCOL):
            exam, person = int(log["exam"][k]), int(log["person"][k])
            if self._in(log["start"][k]):
                waited = log["start"][k] - self.e.ordered_at[exam]
                lines.append(Line(float(log["start"][k]), START, exam,
                                  f"{self.name(person)} protocols order {self.label(exam)}, {waited:.0f} min after "
                                  "it was placed."))
            if not np.isnan(log["end"][k]) and self._in(log["end"][k]):
                lines.append(Line(float(log["end"][k]), FINISH, exam,
                                  f"Order #{exam} is protocolled and can be scanned."))
        return lines

    def calls(self) -> list[Line]:
        lines = []
        log = self.log
        for k in np.flatnonzero((log["kind"] == CALL) & self._in(log["start"])):
            exam = int(log["exam"][k])
            lines.append(Line(float(log["start"][k]), START, exam,
                              f"{self.name(int(log['person'][k]))} phones the critical result of #{exam} "
                              "to the referring clinician before taking another study."))
        for k in np.flatnonzero((log["kind"] == CALL) & self._in(np.nan_to_num(log["end"], nan=np.inf))):
            exam = int(log["exam"][k])
            lines.append(Line(float(log["end"][k]), FINISH, exam,
                              f"Critical result of #{exam} communicated, "
                              f"{log['end'][k] - self.e.scan_end[exam]:.0f} min after its images."))
        return lines

    def _start_text(self, exam: int, person: int, t: float, previous: float) -> str:
        e, o = self.e, self.o
        if previous > 0 and t >= e.prelim_at[exam]:
            return (f"{self.name(person)} starts the final read of {self.label(exam)} "
                    f"(preliminary report by {self.name(e.prelim_radiologist[exam])}).")
        if previous > 0:
            return f"{self.name(person)} resumes reading {self.label(exam)}."
        waited = t - e.scan_end[exam]
        behind = self._ahead_on_worklist(exam, e.scan_end[exam])
        text = (f"{self.name(person)} starts reading {self.label(exam)}, which waited {waited:.0f} min on the "
                f"worklist behind {behind} stud{'ies' if behind != 1 else 'y'}.")
        jumped = int(np.sum(self._waiting_on_worklist(t) & (e.scan_end < e.scan_end[exam])
                            & (o.priority > o.priority[exam])))
        if jumped:
            text += (f" It goes ahead of {jumped} lower-priority stud{'ies' if jumped != 1 else 'y'} "
                     "that had waited longer.")
        return text

    def _signed_text(self, exam: int, person: int) -> str:
        e, o = self.e, self.o
        tat = e.report_at[exam] - e.scan_end[exam]
        target = self.targets[o.priority[exam]]
        verdict = "met" if tat <= target else "missed"
        return (f"{self.name(person)} signs the report of {self.label(exam)}: {tat:.0f} min after the images, "
                f"{e.report_at[exam] - e.ordered_at[exam]:.0f} min after the order (target {target:.0f} min: {verdict}).")
