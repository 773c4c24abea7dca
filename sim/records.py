"""What a run produces: compact, columnar records of exams, staff and queues.

The model fills these as it runs; metrics, plots and writers read them. They
hold plain numpy arrays and lists, nothing of simpy. Times are minutes from
t = 0; NaN means "had not happened by the end of the horizon".
"""
from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .arrivals import Orders
from .schema import Scenario

DUTY, SCAN, READ, CALL, INTERRUPTION, PROTOCOL, PREP, PROCEDURE, BREAK, NON_INTERPRETIVE, TRANSPORT, SEDATION = range(12)
KIND_NAMES = {DUTY: "duty", SCAN: "scan", READ: "read", CALL: "call", INTERRUPTION: "interruption",
              PROTOCOL: "protocol", PREP: "prep", PROCEDURE: "procedure", BREAK: "break",
              NON_INTERPRETIVE: "non_interpretive", TRANSPORT: "transport", SEDATION: "sedation"}
# What someone is doing during a task of each kind, in words (teaching views); a task with no exam is shown alone.
DOING = {SCAN: "scanning", PREP: "preparing", READ: "reading", CALL: "phoning a critical result of",
         INTERRUPTION: "interrupted (call or question), pausing", PROTOCOL: "protocolling order",
         PROCEDURE: "performing the procedure of", BREAK: "on a break", TRANSPORT: "taking a patient for exam",
         SEDATION: "sedating and watching the patient of",
         NON_INTERPRETIVE: "in non-interpretive work (a meeting, teaching, QA)"}
DOING_ALONE = {INTERRUPTION: "taking a call or question", BREAK: "on a break",
               NON_INTERPRETIVE: DOING[NON_INTERPRETIVE]}
# Colours of the tasks figures do not colour by priority, and of a scanner that is down (one place for every view).
TASK_COLOURS = {CALL: "#34495e", INTERRUPTION: "#f1c40f", PROTOCOL: "#95a5a6", BREAK: "#a3d9a5",
                NON_INTERPRETIVE: "#b39ddb", TRANSPORT: "#8d6e63", SEDATION: "#4db6ac"}
DOWN_COLOUR = "#4d4d4d"
PRIORITY_COLOURS = ["#c0392b", "#e67e22", "#8e44ad", "#2980b9", "#27ae60", "#7f8c8d", "#16a085", "#d35400"]


def priority_colour(rank: int) -> str:
    """The colour of a priority (by rank, most urgent first) in every figure and view."""
    return PRIORITY_COLOURS[rank % len(PRIORITY_COLOURS)]


RADIOLOGIST_WORK = (READ, CALL, INTERRUPTION, PROTOCOL, PROCEDURE, NON_INTERPRETIVE)
AWAY = (BREAK, NON_INTERPRETIVE)  # taken at set times, after the task in hand: away from the queues
TECHNOLOGIST_WORK = (SCAN, PREP)
PORTER_WORK = (TRANSPORT,)
ANAESTHETIST_WORK = (SEDATION,)


class Role(NamedTuple):
    """A kind of staff: its name, the scenario's section of its groups (also the summary's), and the tasks that
    count as its work."""

    name: str
    section: str
    work: tuple[int, ...]

    def groups(self, scenario: Scenario) -> dict:
        return getattr(scenario, self.section)


ROLES = (Role("technologist", "technologists", TECHNOLOGIST_WORK), Role("radiologist", "radiologists", RADIOLOGIST_WORK),
         Role("porter", "porters", PORTER_WORK), Role("anaesthetist", "anaesthesia", ANAESTHETIST_WORK))

# What a scanner, IR suite or portable unit is doing: the scanner time split.
ROOM_PREP, ROOM_SCAN, ROOM_TURNOVER, ROOM_TRAVEL, ROOM_WARM_UP, ROOM_MAINTENANCE, ROOM_BROKEN = range(7)
ROOM_KIND_NAMES = {ROOM_PREP: "prep", ROOM_SCAN: "scanning", ROOM_TURNOVER: "turnover", ROOM_TRAVEL: "travel",
                   ROOM_WARM_UP: "warm_up", ROOM_MAINTENANCE: "maintenance", ROOM_BROKEN: "broken"}
ROOM_WORK = (ROOM_PREP, ROOM_SCAN, ROOM_TURNOVER, ROOM_TRAVEL)
ROOM_DOWN = (ROOM_WARM_UP, ROOM_MAINTENANCE, ROOM_BROKEN)


@dataclass(frozen=True)
class StaffMember:
    """A person in the records: name, role and staff group."""

    name: str
    role: str  # "technologist", "radiologist", "porter" or "anaesthetist"
    group: str


@dataclass(frozen=True)
class Scanner:
    """A scanner, an IR suite (modalities with procedures) or a portable unit."""

    name: str
    modality: str
    portable: bool = False


INDEX_MAX = 2**31 - 1


def index_code(count: int) -> str:
    """The typecode for the numbers of `count` people or rooms in a log or the exam table: two bytes a row where
    they fit (a year's staff log has millions of rows), four otherwise."""
    return "h" if count <= 2**15 else "i"


class ExamLog:
    """One row per order; the model writes each exam's milestones as they happen."""

    def __init__(self, orders: Orders, people: int = INDEX_MAX, rooms: int = INDEX_MAX):
        n = len(orders)
        person, room = np.dtype(index_code(people)), np.dtype(index_code(rooms))  # two bytes where they fit
        self.orders = orders
        # when each order was placed: as drawn, but a follow-up (a thrombectomy after a stroke CT) only once the
        # report leading to it is signed (NaN until then, and for good if it never is)
        self.ordered_at = np.array(orders.ordered_at)
        self.scan_start = np.full(n, np.nan)  # acquisition starts: the first step with a technologist
        self.imaging_start = np.full(n, np.nan)  # the scan (or procedure) itself starts: door-to-scan ends
        self.scan_end = np.full(n, np.nan)  # images complete (after the image check)
        self.read_start = np.full(n, np.nan)
        self.report_at = np.full(n, np.nan)
        self.critical_at = np.full(n, np.nan)  # critical result communicated (end of the call)
        self.prelim_at = np.full(n, np.nan)  # preliminary report signed (studies read first by a prelim reader)
        self.protocol_at = np.full(n, np.nan)  # order protocolled by a radiologist (orders that need it)
        # order cancelled while waiting for the scanner (read-only NaNs, without memory, where none can be)
        cancellable = np.isfinite(orders.patience).any() or orders.cancelled_at_protocol.any()
        self.cancelled_at = np.full(n, np.nan) if cancellable else np.broadcast_to(np.nan, n)
        self.prelim_radiologist = np.full(n, -1, dtype=person)
        self.technologist = np.full(n, -1, dtype=person)
        self.scanner = np.full(n, -1, dtype=room)
        self.radiologist = np.full(n, -1, dtype=person)
        self.interrupted = np.zeros(n, dtype=np.int32)
        self.broken_off = np.zeros(n, dtype=np.int32)  # acquisitions cut short by a scanner breakdown
        self.procedure_radiologist = np.full(n, -1, dtype=person)  # IR: who did the procedure
        self.read_priority = np.array(orders.priority, dtype=np.int16)  # rank it is read at (AI triage may raise it)

    def __len__(self) -> int:
        return len(self.orders)

    def ready_at(self) -> np.ndarray:
        """When each order's patient is ready for the scanner (transport, IV access, labs done); NaN if never placed."""
        return self.ordered_at + self.orders.readiness

    def queue_time(self) -> np.ndarray:
        """Each order's place in the scanner queue: its slot if booked, else when its patient is ready (a follow-up's
        from when it was placed)."""
        drawn = self.orders.queue_time
        return np.where(np.isnan(drawn), self.ready_at(), drawn)


class StaffLog:
    """One row per stretch of duty and per task segment (an interrupted read is two segments)."""

    def __init__(self, people: int = INDEX_MAX):
        self.person = array(index_code(people))
        self.kind = array("b")
        self.start = array("d")
        self.end = array("d")  # NaN: still under way at the end of the horizon
        self.exam = array("i")  # -1 for duty rows
        # duty rows: minutes worked past the scheduled end; breaks: minutes deferred. Kept only for the rows that
        # have some (a year's log has millions of rows, a few thousand of them with overtime).
        self._overtime_rows = array("q")
        self._overtime_minutes = array("d")

    def add(self, person: int, kind: int, start: float, end: float, exam: int = -1, overtime: float = 0.0):
        if overtime:
            self._overtime_rows.append(len(self.person))
            self._overtime_minutes.append(overtime)
        self.person.append(person)
        self.kind.append(kind)
        self.start.append(start)
        self.end.append(end)
        self.exam.append(exam)

    def overtime(self, rows: slice | np.ndarray = slice(None)) -> np.ndarray:
        """The overtime column (0 where a row has none) for a slice of rows or an array of row numbers."""
        at = np.frombuffer(self._overtime_rows, dtype=np.int64)  # in increasing order: rows are only appended
        minutes = np.frombuffer(self._overtime_minutes, dtype=float)
        if isinstance(rows, slice):
            first, stop, step = rows.indices(len(self))
            if step != 1:
                raise ValueError("overtime() takes a contiguous slice of rows")
            column = np.zeros(max(stop - first, 0))
            inside = (at >= first) & (at < stop)
            column[at[inside] - first] = minutes[inside]
            return column
        rows = np.asarray(rows, dtype=np.int64)
        found = np.minimum(np.searchsorted(at, rows), max(len(at) - 1, 0))
        has = at[found] == rows if len(at) else np.zeros(len(rows), dtype=bool)
        return np.where(has, minutes[found] if len(at) else 0.0, 0.0)

    def duty_rows(self, after: float, horizon: float) -> np.ndarray:
        """Row numbers of the stretches of duty ending after `after` (one still under way ends at `horizon`), found
        without a copy of a whole column."""
        rows = np.flatnonzero(np.frombuffer(self.kind, dtype=np.int8) == DUTY)
        return rows[np.nan_to_num(np.frombuffer(self.end, dtype=float)[rows], nan=horizon) > after]

    def columns(self) -> Mapping[str, np.ndarray]:
        """The log's columns (numpy views, no copy); "overtime" is spread out only if it is asked for."""
        return _StaffColumns(_as_arrays(self, ("person", "kind", "start", "end", "exam")), self)

    def __len__(self) -> int:
        return len(self.person)


class _StaffColumns(Mapping):
    """The staff log's columns by name; "overtime" is spread out from its few rows only when it is asked for."""

    NAMES = ("person", "kind", "start", "end", "exam", "overtime")

    def __init__(self, columns: dict[str, np.ndarray], log: StaffLog):
        self._columns, self._log = columns, log

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "overtime" and name not in self._columns:
            self._columns[name] = self._log.overtime()
        return self._columns[name]

    def __iter__(self):
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)


class RoomLog:
    """One row per stretch of a scanner's (suite's, portable unit's) time: prep, scanning, turnover, down..."""

    def __init__(self, rooms: int = INDEX_MAX):
        self.room = array(index_code(rooms))
        self.kind = array("b")
        self.start = array("d")
        self.end = array("d")
        self.exam = array("i")

    def add(self, room: int, kind: int, start: float, end: float, exam: int = -1):
        if end > start or end != end:  # zero-length steps leave no row; NaN: still under way
            self.room.append(room)
            self.kind.append(kind)
            self.start.append(start)
            self.end.append(end)
            self.exam.append(exam)

    def columns(self) -> dict[str, np.ndarray]:
        return _as_arrays(self, ("room", "kind", "start", "end", "exam"))

    def __len__(self) -> int:
        return len(self.room)


class QueueTrace:
    """The worklist length and the number of orders waiting to be scanned, as each instant with a change ends.

    Several changes at one moment (a study joins the worklist and a free reader takes it) are one point: the
    lengths in between last no time, and which of them came first is only the order in which simultaneous
    events were handled, so they are neither a state of the department nor a peak."""

    def __init__(self):
        self.time = array("d")
        self.worklist = array("i")
        self.scan_queue = array("i")
        # the last point's time and lengths, and the point before it (both queues empty at the start), kept beside
        # the arrays because an instant's later changes compare with them
        self._last_time, self._last = None, (0, 0)
        self._before_time, self._before = None, (0, 0)

    def record(self, time: float, worklist: int, scan_queue: int):
        lengths = (worklist, scan_queue)
        if time == self._last_time:  # a later change at the same moment: the instant ends with these lengths
            if lengths == self._before:  # back to the lengths it started with: no change
                del self.time[-1], self.worklist[-1], self.scan_queue[-1]
                self._last_time, self._last = self._before_time, self._before
            else:
                self.worklist[-1], self.scan_queue[-1] = lengths
                self._last = lengths
            return
        if lengths == self._last:
            return  # no change: the step function is the same without this point
        self._before_time, self._before = self._last_time, self._last
        self._last_time, self._last = time, lengths
        self.time.append(time)
        self.worklist.append(worklist)
        self.scan_queue.append(scan_queue)

    def columns(self) -> dict[str, np.ndarray]:
        return _as_arrays(self, ("time", "worklist", "scan_queue"))


def one_of(column: np.ndarray, codes) -> np.ndarray:
    """Whether each entry of a record column (kinds, people, rooms, exam types: small integers) is one of `codes`.
    For the handful of codes asked about, one comparison per code over the column: on a year's log of millions of
    rows that is about ten times quicker than `np.isin`, which sorts or builds a lookup table first."""
    codes = list(codes)
    if len(codes) > 16:
        return np.isin(column, codes)
    chosen = np.zeros(np.shape(column), dtype=bool)
    for code in codes:
        chosen |= column == code
    return chosen


def unset(value: float) -> bool:
    """A milestone not reached yet (NaN): the one test for it, cheap on Python floats in the event loop."""
    return value != value


def per_exam(values: np.ndarray) -> memoryview[Any]:
    """A per-exam column as the event loop reads it, without a copy: items come out as Python floats, ints and
    bools (numpy scalars in simpy's clock arithmetic are slow; a list of Python floats costs 32 bytes an exam),
    and writes go into the column."""
    return memoryview(np.ascontiguousarray(values))


def _as_arrays(log, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """numpy views (no copy) of a log's typed arrays."""
    return {name: np.frombuffer(getattr(log, name), dtype=getattr(log, name).typecode) for name in names}


@dataclass
class Result:
    """Everything one replication of one scenario produced."""

    scenario: Scenario
    seed: int
    replication: int
    exams: ExamLog
    staff: list[StaffMember]
    scanners: list[Scanner]
    staff_log: StaffLog
    room_log: RoomLog
    queues: QueueTrace
    duty_plan: list[list[tuple[float, float]]]  # per person: scheduled on-duty intervals
    opening: dict[str, list[tuple[float, float]]]  # per modality: opening intervals

    @property
    def horizon(self) -> float:
        return self.scenario.days * 1440.0

    @property
    def warmup(self) -> float:
        return self.scenario.warmup_days * 1440.0
