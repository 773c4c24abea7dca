"""One replication of one scenario: build the department, run it, return records.

    result = run(scenario, seed=7)

The department is a simpy environment with:
- one process releasing the pre-drawn orders at their times;
- one roster process per person and per modality (opening hours);
- the acquisition dispatcher (technologists + scanners) and the reading
  dispatcher (radiologists + worklist).

State changes (a task ends, a shift ends or starts, an order arrives) never
start work directly; they ask for a dispatch, which runs once, after every
other event of the same instant. So at a shift change the outgoing shift
finishes and leaves, the incoming one arrives, and only then is work handed
out: an order arriving at 19:00 sharp goes to the night shift.
"""
from __future__ import annotations

from array import array
from collections.abc import Callable

import numpy as np

from .acquisition import Acquisition, Technologist
from .anaesthesia import Anaesthesia, Anaesthetist
from .arrivals import Orders, generate_orders, poisson_times_within
from .clock import weekday_of
from .equipment import start_equipment
from .hooks import AcquisitionHooks, ReadingHooks
from .memory import give_back_memory
from .reading import ProcedureStaff, Radiologist, Reading
from .records import (NON_INTERPRETIVE, ROLES, ExamLog, QueueTrace, Result, RoomLog, Scanner, StaffLog, StaffMember,
                      per_exam)
from .rooms import Pool, Room
from .roster import covers, intervals
from .schema import Scenario, can_read
from .streams import Streams
from .timers import Environment, TimedSequence, after, at_start
from .transport import Porter, Transport
from .triage import reading_priority
from .worklist import Stage, Worklist, WorklistClass

TOP = -1  # display rank of a study past its aging cap: looked at before every priority
ANY_SUBSPECIALTY = "*"  # a class open to readers of any subspecialty (after the fallback wait)
INF = float("inf")


def run(scenario: Scenario, seed: int | None = None, replication: int = 0, progress=None) -> Result:
    """Simulate `scenario` once. `seed` defaults to the scenario's own. `progress(done, total)`, if given, is
    called with simulated minutes after every simulated day (for a progress bar; results are the same)."""
    seed = scenario.seed if seed is None else seed
    streams = Streams(seed, replication)
    department = Department(scenario, generate_orders(scenario, streams), streams)
    if progress is None:
        department.env.run(until=department.horizon)
    else:
        for day in range(1, scenario.days + 1):
            department.env.run(until=day * 1440.0)
            progress(day * 1440.0, department.horizon)
    result = department.result(seed, replication)
    # the department's objects refer to one another (timers, hooks): free them now, before metrics and output
    # build on the result, rather than at some later collection, and hand their memory back
    del department
    give_back_memory()
    return result


def staff_names(scenario: Scenario) -> list[StaffMember]:
    """Everyone in the scenario, role by role (technologists, radiologists, porters, anaesthetists), in the order of
    the file."""
    people: list[StaffMember] = []
    used = [name for role in ROLES for name in role.groups(scenario)]
    shared = {name for name in used if used.count(name) > 1}
    for role in ROLES:
        for group_name, group in role.groups(scenario).items():
            # a group name used for two roles gets the role in generated names, so names stay unique
            label = f"{group_name} {role.name}" if group_name in shared else group_name
            people.extend(StaffMember(name, role.name, group_name) for name in group.member_names(label))
    return people


def scanner_names(scenario: Scenario) -> list[Scanner]:
    """Every scanner (IR suite), then every portable unit, modality by modality."""
    scanners: list[Scanner] = []
    for modality, spec in scenario.modalities.items():
        scanners.extend(Scanner(name, modality) for name in spec.scanner_names(modality))
        scanners.extend(Scanner(f"{modality}-portable-{i + 1}", modality, portable=True)
                        for i in range(spec.portable_units))
    return scanners


class Department:
    """One replication's department: the simpy clock, both sides and their wiring, the rosters and equipment, and the
    records they fill."""

    def __init__(self, scenario: Scenario, orders: Orders, streams: Streams | None = None):
        self.scenario, self.orders = scenario, orders
        self.streams = streams or Streams(scenario.seed)
        self.env = Environment()
        self.env.settle(self._dispatch)
        self.horizon = scenario.days * 1440.0
        self.modality_names = list(scenario.modalities)
        self.staff = staff_names(scenario)
        self.scanners = scanner_names(scenario)
        self.exams = ExamLog(orders, len(self.staff), len(self.scanners))
        self.log = StaffLog(len(self.staff))
        self.room_log = RoomLog(len(self.scanners))
        self.queues = QueueTrace()
        # per-exam columns read as each order is placed (Python floats: the clock stays in Python floats); the
        # order times are a view of the exam log's, so a follow-up's time written when it is placed shows through
        self._ordered_at, self._readiness = per_exam(self.exams.ordered_at), per_exam(orders.readiness)
        self._patience = per_exam(orders.patience) if np.isfinite(orders.patience).any() else None
        self._consult_cancels = orders.cancelled_at_protocol.any()
        self._classify_exams()
        self._build_reading()
        self._build_acquisition()
        self._build_transport()
        self._start_rosters()
        self.env.process(at_start(self._release_orders().start))

    # ------------------------------------------------------------- building

    def _classify_exams(self) -> None:
        """Map each exam to its modality and its worklist class; build the classes policies move studies to.

        A class is a `WorklistClass` (display rank, priority, modality, subspecialty, stage). Under `fifo`
        every display rank is 0; `aging` adds a top-ranked twin of each class, subspecialty fallback a twin
        open to any subspecialty, preliminary readers a final-read twin and protocols a protocol twin;
        `moves` say when a waiting study passes to which twin.
        """
        s, options = self.scenario, self.scenario.reading
        exam_types = list(s.exam_types.values())
        modality_of_type = np.array([self.modality_names.index(e.modality) for e in exam_types], dtype=np.int16)
        self.exam_modality = modality_of_type[self.orders.exam_type]
        self.read_rank = self.exams.read_priority = reading_priority(s, self.orders)
        keys: dict[WorklistClass, int] = {}  # every class, numbered in the order it is made
        table = np.zeros((len(exam_types), len(s.priorities)), dtype=np.int32)
        for t, exam in enumerate(exam_types):
            for rank in range(len(s.priorities)):
                display = 0 if options.policy == "fifo" else rank
                table[t, rank] = keys.setdefault(
                    WorklistClass(display, rank, exam.modality, exam.subspecialty, Stage.FIRST_READ), len(keys))
        fallback, aging = options.subspecialty_fallback_minutes, options.aging_cap_minutes
        aging = aging if options.policy == "aging" else None
        for key in list(keys):
            for twin in (key._replace(subspecialty=ANY_SUBSPECIALTY) if fallback is not None else None,
                         key._replace(display=TOP) if aging else None,
                         key._replace(display=TOP, subspecialty=ANY_SUBSPECIALTY)
                         if aging and fallback is not None else None):
                if twin is not None:
                    keys.setdefault(twin, len(keys))
        if any(g.reports == "preliminary" for g in s.radiologists.values()):
            for key in list(keys):
                keys.setdefault(key._replace(stage=Stage.FINAL_READ), len(keys))
        if np.any(self.orders.protocol > 0):  # protocoling: a protocol twin of each first-read class
            for key in [k for k in keys if k.stage == Stage.FIRST_READ]:
                keys.setdefault(key._replace(stage=Stage.PROTOCOL), len(keys))
        self.class_keys = list(keys)
        self.final_class = [keys.get(key._replace(stage=Stage.FINAL_READ), k) for key, k in keys.items()]
        protocol_class = [keys.get(key._replace(stage=Stage.PROTOCOL), k) for key, k in keys.items()]
        # An order is protocolled at its own priority: an AI flag can only raise a study once images exist.
        self.protocol_class_of_exam = per_exam(np.array(protocol_class, dtype=np.int32)[
            table[self.orders.ordered_as, self.orders.priority]])  # by readers of what was ordered
        self.moves = []
        if fallback is not None:
            self.moves.append((fallback, [keys.get(key._replace(subspecialty=ANY_SUBSPECIALTY), k)
                                          for key, k in keys.items()]))
        if aging:
            self.moves.append((aging, [keys.get(key._replace(display=TOP), k) for key, k in keys.items()]))
        self.class_of_exam = table[self.orders.exam_type, self.read_rank]
        self._modality_list = per_exam(self.exam_modality)

    def _build_acquisition(self) -> None:
        """Pools of rooms: each modality's scanners (or IR suites), and its portable units if it has any."""
        s = self.scenario
        pools: list[Pool] = []
        pool_index: dict[tuple[int, bool], int] = {}
        self.rooms_by_modality: dict[str, list[Room]] = {}
        for m, (name, spec) in enumerate(s.modalities.items()):
            for portable in (False, True):
                pool = Pool(m, portable=portable, procedures=spec.procedures and not portable,
                            prep_rooms=0 if portable else spec.prep_rooms)
                pool.rooms = [Room(i, sc.name, pool) for i, sc in enumerate(self.scanners)
                              if sc.modality == name and sc.portable == portable]
                if pool.rooms:
                    pool_index[m, portable] = len(pools)
                    pools.append(pool)
            self.rooms_by_modality[name] = [r for p in pools if p.modality == m and not p.portable for r in p.rooms]
        portable_type = [e.portable is not None for e in s.exam_types.values()]
        pool_of_type = np.array([[pool_index.get((m, portable), -1) for portable in portable_type]
                                 for m in range(len(self.modality_names))], dtype=np.int32)
        pool_of_exam = pool_of_type[self.exam_modality, self.orders.exam_type]
        if np.any(pool_of_exam < 0):  # the scenario checks rule this out; never queue an exam for no rooms
            raise ValueError("an exam type has no rooms to be acquired in")
        pool_of_exam = per_exam(pool_of_exam)
        handling = [spec.breakdowns.interrupted_exam if spec.breakdowns else "move" for spec in s.modalities.values()]
        self.anaesthetists = [Anaesthetist(i, m.name, m.group) for i, m in enumerate(self.staff)
                              if m.role == "anaesthetist"]
        self.anaesthesia = Anaesthesia(self.env, self.log, self.env.unsettled,
                                       lambda: self.acquisition.something_freed()) \
            if self.anaesthetists or np.any(self.orders.steps.sedated) else None
        self.acquisition: Acquisition = Acquisition(
            self.env, self.log, self.room_log, self.env.unsettled, self.exams, len(self.modality_names), pools,
            pool_of_exam, AcquisitionHooks(images_complete=self._images_complete, queue_changed=self._record_queues),
            handling, self._procedure_staff(), self._queue_rank(), self.anaesthesia)
        self.technologists = []
        for index, member in enumerate(self.staff):
            if member.role == "technologist":
                group = s.technologists[member.group]
                modalities = [self.modality_names.index(m) for m in group.modalities]
                self.technologists.append(Technologist(index, member.name, member.group, modalities))

    def _build_transport(self) -> None:
        """Porters, where some source's patients are fetched (None otherwise: patients come by themselves)."""
        self.porters = [Porter(i, m.name, m.group) for i, m in enumerate(self.staff) if m.role == "porter"]
        carried = bool(np.any(self.orders.transport > 0))
        self._carried = per_exam(self.orders.transport > 0) if carried else None
        self.transport = Transport(
            self.env, self.log, self.env.unsettled, per_exam(self.orders.transport), per_exam(self.orders.priority),
            self.acquisition.order, lambda exam: self.exams.cancelled_at[exam] == self.exams.cancelled_at[exam],
        ) if carried or self.porters else None

    def _build_reading(self) -> None:
        s = self.scenario
        priorities = s.priority_names
        displays = sorted({key.display for key in self.class_keys})
        readers_for_class: list[list[Radiologist]] = [[] for _ in self.class_keys]
        self.worklist = Worklist([key.display for key in self.class_keys], [key.priority for key in self.class_keys])
        self.radiologists = []
        for index, member in enumerate(self.staff):
            if member.role != "radiologist":
                continue
            group = s.radiologists[member.group]
            finalises = group.reports == "final"
            eligible = [k for k, key in enumerate(self.class_keys)
                        if (finalises or key.stage != Stage.FINAL_READ)
                        and can_read(group, key.modality, key.subspecialty, priorities[key.priority],
                                     any_subspecialty=ANY_SUBSPECIALTY)]
            by_display = [[k for k in eligible if self.class_keys[k].display == d] for d in displays]
            reader = Radiologist(index, member.name, member.group, self.worklist.view(by_display), group.speed,
                                 preliminary=not finalises, delay=group.transmission_minutes)
            self.radiologists.append(reader)
            for k in eligible:
                readers_for_class[k].append(reader)
        preempting = set() if s.reading.policy == "fifo" else \
            {rank for rank, p in enumerate(s.priorities.values()) if p.preempts}
        wiring: dict[str, Callable[..., None]] = {"queue_changed": self._record_queues,
                                                  "protocolled": self._protocolled}
        if np.any(self.orders.follow_up >= 0):
            wiring["first_report"] = self._reported
        if any(spec.procedures for spec in s.modalities.values()):
            # a freed radiologist matters to the scanners only where IR procedures need one
            wiring["reader_free"] = lambda: self.acquisition.radiologist_freed()  # built after the reading side
        protocols = (self.protocol_class_of_exam, per_exam(self.orders.protocol)) \
            if np.any(self.orders.protocol > 0) else None
        self.reading = Reading(
            self.env, self.log, self.env.unsettled, self.exams, self.worklist,
            per_exam(self.read_rank), per_exam(self.class_of_exam.copy()), self.orders.read, readers_for_class,
            preempting, ReadingHooks(**wiring), per_exam(self.orders.critical), per_exam(self.orders.call), self.moves,
            self._resumption_penalty(), self.final_class, per_exam(self.orders.final_read),
            frozenset(k for k, key in enumerate(self.class_keys) if key.stage == Stage.FINAL_READ), protocols)

    def _queue_rank(self) -> np.ndarray | None:
        """Booked patients of a book with `queue_after` wait just after that priority (rank + 0.5), ahead of the
        add-ons of lower priorities; None where no book says so (every exam queues at its priority's rank)."""
        s, slots = self.scenario, self.orders.slots
        protected = [(code, s.priority_names.index(book.queue_after))
                     for code, book in enumerate(s.appointments.values()) if book.queue_after is not None]
        if not protected:
            return None
        rank = self.orders.priority.astype(float)
        for code, after_rank in protected:
            rank[slots.exam[(slots.book == code) & (slots.exam >= 0)]] = after_rank + 0.5
        return rank

    def _procedure_staff(self) -> ProcedureStaff | None:
        """Who may perform each IR modality's procedures (None without IR suites)."""
        s = self.scenario
        procedure_modalities = [m for m, spec in enumerate(s.modalities.values()) if spec.procedures]
        if not procedure_modalities:
            return None
        credentialed = {m: [r for r in self.radiologists if self.modality_names[m] in s.radiologists[r.group].modalities]
                        for m in procedure_modalities}
        call_in = {name: g.call_in_minutes for name, g in s.radiologists.items() if g.call_in_minutes}
        return ProcedureStaff(self.reading, credentialed, call_in)

    def _resumption_penalty(self):
        """Minutes an interruption adds to the read it breaks into, by the reader's group and exam's modality."""
        penalties = {}
        for name, group in self.scenario.radiologists.items():
            table = group.interruptions.resumption_penalty if group.interruptions else {}
            penalties[name] = [table.get(m, 0.0) for m in self.modality_names]
        modality = self._modality_list
        return lambda reader, exam: penalties[reader.group][modality[exam]]

    def _start_rosters(self) -> None:
        s = self.scenario
        self.duty_plan: list[list[tuple[float, float]]] = [[] for _ in self.staff]
        for person, crew, groups in self._crews():
            plan = intervals(groups[person.group].shifts, s.days, s.start_weekday)
            self.duty_plan[person.index] = plan
            self.env.process(_duty(self.env, crew, person, plan))
        self._start_interruptions()
        self._start_breaks()
        self._start_non_interpretive()
        self.opening = {}
        for m, (name, modality) in enumerate(s.modalities.items()):
            plan = intervals(modality.hours, s.days, s.start_weekday)
            self.opening[name] = plan
            self.env.process(_opening(self.env, self.acquisition, m, plan))
        start_equipment(self.env, s, self.acquisition, self.rooms_by_modality, self.streams)

    def _crews(self):
        """(person, their crew, their role's groups in the scenario) for everyone, in the order of the staff."""
        s = self.scenario
        return [(p, self.acquisition, s.technologists) for p in self.technologists] + \
            [(p, self.reading, s.radiologists) for p in self.radiologists] + \
            [(p, self.transport, s.porters) for p in self.porters] + \
            [(p, self.anaesthesia, s.anaesthesia) for p in self.anaesthetists]

    def _start_breaks(self) -> None:
        """Each person's breaks: the group's break times on the days they are on duty then, wave by wave."""
        s = self.scenario
        defer = frozenset(rank for rank, p in enumerate(s.priorities.values()) if p.defers_breaks)
        self.acquisition.defer_breaks_for(defer)
        self.reading.defer_breaks_for(defer)
        position: dict[tuple[int, str], int] = {}
        for person, crew, groups in self._crews():
            group = groups[person.group]
            wave = position.setdefault((id(groups), person.group), 0)
            position[id(groups), person.group] += 1
            crew.groups.setdefault(person.group, []).append(person)
            times = break_times(group.breaks, wave, self.duty_plan[person.index], s.days)
            if times:
                self.env.process(_breaks(self.env, crew, person, times))

    def _start_non_interpretive(self) -> None:
        """Each group's set non-interpretive work: on each of its days, `members` of those on duty at its start, in
        turn from day to day, are called away; it ends at its set time however late they join."""
        s = self.scenario
        for group_name, group in s.radiologists.items():
            people = [r for r in self.radiologists if r.group == group_name]
            calls = []
            for turn, (day, work) in enumerate((d, w) for w in group.non_interpretive for d in range(s.days)
                                               if weekday_of(d, s.start_weekday) in w.days):
                t = day * 1440.0 + work.start
                here = [p for p in people if covers(self.duty_plan[p.index], t)]
                for k in range(min(work.members, len(here))):
                    calls.append((t, here[(turn * work.members + k) % len(here)], t + work.minutes))
            for person in people:
                mine = sorted((t, end) for t, who, end in calls if who is person)
                if mine:
                    self.env.process(_called_away(self.env, self.reading, person, mine))

    def _start_interruptions(self) -> None:
        """Each reader's interruptions, drawn from a stream of their own while they are on duty."""
        for reader in self.radiologists:
            options = self.scenario.radiologists[reader.group].interruptions
            if options is None:
                continue
            rng = self.streams.get(f"interruptions.{reader.name}")
            times = poisson_times_within(self.duty_plan[reader.index], options.per_hour, rng)
            durations = options.duration.sample(rng, len(times))
            spared = frozenset(self.scenario.priority_names.index(p) for p in options.spared)
            # compact arrays that still hand out Python floats (the clock stays in Python floats): a year of an
            # academic centre's calls is most of a million of them
            self._start_calls(reader, array("d", times), array("d", durations), spared)

    def _start_calls(self, reader: Radiologist, times: array, durations: array, spared: frozenset[int]) -> None:
        """A reader's calls in turn. One that certainly cannot reach the reader (still on a call, a break, set work)
        is passed over without a timer; a read that the next call will break into needs no end of its own."""
        reader.spared = spared

        def take(k: int) -> None:
            reader.next_call = INF
            self.reading.interruption(reader, durations[k], spared)

        def upcoming(t: float) -> None:
            reader.next_call = t

        TimedSequence(self.env, times, take, lambda k, t: t < reader.fixed_until, upcoming).start()

    # ---------------------------------------------------------------- events

    def _release_orders(self) -> TimedSequence:
        """Orders in time order. An order with nothing to do when placed (no protocol, no patience to run out)
        but a patient to get ready is released when the patient is ready instead: one event, not two."""
        exams, times, later = self._release_plan()
        return TimedSequence(self.env, times, lambda k: (self._ready if later[k] else self._place)(exams[k]))

    def _release_plan(self) -> tuple[array, array, bytes]:
        """(exam, release time, released when ready) in release order, as compact arrays handing out Python ints
        and floats (the clock stays in Python floats; numpy's working arrays are gone once this returns)."""
        o = self.orders
        # follow-ups come last, NaN until the report leading to them is signed (and placed then, not here)
        placed = int(np.count_nonzero(~np.isnan(o.ordered_at)))
        ready_later = (o.protocol[:placed] == 0) & (o.readiness[:placed] > 0) & ~o.cancelled_at_protocol[:placed]
        if self._patience is not None:
            ready_later &= ~np.isfinite(o.patience[:placed])
        release = np.where(ready_later, o.ordered_at[:placed] + o.readiness[:placed], o.ordered_at[:placed])
        order = np.argsort(release, kind="stable")
        return array("q", order), array("d", release[order]), ready_later[order].tobytes()

    def _place(self, exam: int) -> None:
        if self._patience is not None and self._patience[exam] < INF:
            after(self.env, self._patience[exam], self._cancel, exam)
        if self.orders.protocol[exam] > 0:
            self.reading.add_protocol(exam)
        else:
            self._protocolled(exam)

    def _protocolled(self, exam: int) -> None:
        """The order may now be acquired: it joins the scanner queue, or does so once the patient is ready.

        Protocoling and getting the patient ready (transport, IV access, labs) go on side by side. A consult with
        the referrer while protocoling may cancel the order instead."""
        if self._consult_cancels and self.orders.cancelled_at_protocol[exam]:
            if self.exams.cancelled_at[exam] != self.exams.cancelled_at[exam]:  # not cancelled by its patience
                self.exams.cancelled_at[exam] = self.env.now
            return
        not_ready_for = self._ordered_at[exam] + self._readiness[exam] - self.env.now
        if not_ready_for > 0:
            after(self.env, not_ready_for, self._ready, exam)
        else:
            self._ready(exam)

    def _ready(self, exam: int) -> None:
        if self.exams.cancelled_at[exam] != self.exams.cancelled_at[exam]:  # NaN: not cancelled meanwhile
            if self._carried is not None and self._carried[exam]:
                assert self.transport is not None  # porters are there wherever patients are carried
                self.transport.fetch(exam)  # joins the scanner queue once the porter brings them
            else:
                self.acquisition.order(exam)

    def _cancel(self, exam: int) -> None:
        """The order's patience has run out: cancelled, unless its acquisition has begun. An order still awaiting
        its protocol is protocolled all the same (nobody tells the radiologist), but never joins the queue."""
        e = self.exams
        begun = e.scan_start[exam] == e.scan_start[exam] or e.broken_off[exam]  # a breakdown may have cut it
        if begun or e.cancelled_at[exam] == e.cancelled_at[exam]:  # or cancelled at its protocol already
            return
        e.cancelled_at[exam] = self.env.now
        self.acquisition.withdraw(exam)

    def _reported(self, exam: int) -> None:
        """A first report is signed; if it leads to a follow-up (a thrombectomy after a stroke CT), order it now."""
        follow_up = int(self.orders.follow_up[exam])
        if follow_up >= 0:
            self._ordered_at[follow_up] = self.env.now
            self.acquisition.queue_from(follow_up, self.env.now + self._readiness[follow_up])
            self._place(follow_up)

    def _images_complete(self, exam: int) -> None:
        self.reading.add(exam)
        if self._carried is not None and self._carried[exam]:
            assert self.transport is not None
            self.transport.take_back(exam)

    def _dispatch(self) -> None:
        # The rule at one instant: acquisition first, then reading. A radiologist free at the same moment as a
        # waiting IR procedure goes to the procedure (a patient on the table outranks a study on the worklist).
        self.acquisition.dispatch()
        self.reading.dispatch()
        if self.transport is not None:  # porters share nobody with the other two: their turn changes nothing there
            self.transport.dispatch()
        if self.anaesthesia is not None:  # anaesthetists are taken by the acquisition side; here only their breaks
            self.anaesthesia.dispatch()

    def _record_queues(self) -> None:
        self.queues.record(self.env.now, len(self.worklist.waiting), self.acquisition.waiting_count)

    # ---------------------------------------------------------------- result

    def result(self, seed: int, replication: int) -> Result:
        # the scan itself is planned when the acquisition starts; one planned past the horizon has not begun
        self.exams.imaging_start[self.exams.imaging_start > self.horizon] = np.nan
        for crew, people in ((self.acquisition, self.technologists), (self.reading, self.radiologists),
                             (self.transport, self.porters), (self.anaesthesia, self.anaesthetists)):
            self._close_tasks(people)
            if crew is not None:
                crew.close(people, self.horizon)
        return Result(
            scenario=self.scenario, seed=seed, replication=replication, exams=self.exams,
            staff=self.staff, scanners=self.scanners, staff_log=self.log, room_log=self.room_log, queues=self.queues,
            duty_plan=self.duty_plan, opening=self.opening)

    def _close_tasks(self, people) -> None:
        """Tasks still under way at the end: logged with no end (NaN)."""
        for person in people:
            if person.busy:
                self.log.add(person.index, person.task_kind, person.task_start, float("nan"), person.task_exam)


def break_times(breaks, member: int, duty: list[tuple[float, float]], days: int) -> list[tuple[float, float]]:
    """(time, minutes) of one member's breaks: in wave member % waves, on days they are on duty at that time."""
    times = []
    for b in breaks:
        offset = (member % b.waves) * b.minutes
        for day in range(days):
            t = day * 1440.0 + b.start + offset
            if covers(duty, t):
                times.append((t, b.minutes))
    return sorted(times)


def _breaks(env, crew, person, times):
    for t, minutes in times:
        if t > env.now:
            yield env.timeout(t - env.now)
        crew.break_due(person, minutes)


def _called_away(env, crew, person, times):
    for t, until in times:
        if t > env.now:
            yield env.timeout(t - env.now)
        crew.break_due(person, until - t, NON_INTERPRETIVE, until)


def _duty(env, crew, person, plan):
    for start, end in plan:
        if start > env.now:
            yield env.timeout(start - env.now)
        crew.come_on_duty(person, end)
        yield env.timeout(end - env.now)
        crew.go_off_duty(person)


def _opening(env, acquisition, modality: int, plan):
    for start, end in plan:
        if start > env.now:
            yield env.timeout(start - env.now)
        acquisition.set_open(modality, True, end)
        yield env.timeout(end - env.now)
        acquisition.set_open(modality, False)
