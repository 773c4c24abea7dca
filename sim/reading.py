"""Radiologists: reading the worklist and signing reports.

A radiologist who is on duty and free takes the highest-priority study they
are eligible to read (modality, subspecialty, priorities covered), oldest
first within a priority. When several radiologists are free at once, the one
with the narrowest eligibility picks first, so that a specialist is not left
idle while a generalist takes the only study the specialist could read.

Preemption: a study whose priority preempts (stroke by default) and finds no
eligible reader free interrupts the read of lowest priority among the
eligible readers (the most recently started, on a tie). The interrupted study
goes back to the head of its class and later resumes its remaining read time.
Readers whose shift has ended and who are finishing their last study are
never interrupted: nobody starts a task off shift.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

from .records import CALL, INTERRUPTION, PROCEDURE, PROTOCOL, READ, ExamLog, StaffLog, per_exam, unset
from .hooks import ReadingHooks
from .staff import Crew, Person, pick_order
from .timers import after, unless_cut
from .worklist import TIME_TOLERANCE, View, Worklist


class Radiologist(Person):
    """A radiologist: the worklist classes they may read by display rank (the worklist's view of them), their speed,
    and whether their reports are preliminary or arrive after a transmission delay."""

    __slots__ = ("classes_by_rank", "speed", "preliminary", "delay", "next_call", "spared", "end_armed")

    def __init__(self, index: int, name: str, group: str, classes_by_rank: View, speed: float = 1.0,
                 preliminary: bool = False, delay: float = 0.0):
        super().__init__(index, name, group, breadth=sum(len(classes) for _, classes in classes_by_rank))
        self.classes_by_rank = classes_by_rank
        self.speed = speed  # minutes of this reader per minute of standard read time
        self.preliminary = preliminary  # their reports are prelims, finalised by another reader
        self.delay = delay  # a remote reader sees a study this long after its images are complete
        self.next_call = float("inf")  # when the next call or question comes to them (drawn before the run)
        self.spared: frozenset[int] = frozenset()  # priorities whose reads calls never break into
        self.end_armed = False  # the read in hand has its end event (none where a call will surely break it)


class Reading(Crew[Radiologist]):
    """The reading side: the worklist, free readers, picking, preemption, interruptions, critical calls, prelims and
    protocols."""

    def __init__(self, env, log: StaffLog, request_dispatch, exams: ExamLog, worklist: Worklist,
                 exam_rank, class_of_exam, read_time, readers_for_class: list[list[Radiologist]],
                 preempting_ranks: set[int], hooks: ReadingHooks = ReadingHooks(), critical=None, call_time=None,
                 moves: Sequence[tuple[float, list[int]]] = (), resumption_penalty=None,
                 final_class: Sequence[int] = (), final_read=None, final_classes: frozenset = frozenset(),
                 protocols: tuple | None = None):
        super().__init__(env, log, request_dispatch)
        self.exams, self.worklist = exams, worklist
        self.exam_rank = exam_rank
        self.class_of_exam = class_of_exam
        # read minutes still to do, per exam (the read time until a protocol or a read takes some)
        self.remaining = per_exam(np.array(read_time, dtype=float))
        self.readers_for_class = readers_for_class
        self._class_readers = [frozenset(readers) for readers in readers_for_class]
        self.preempting_ranks = preempting_ranks
        self._deferring: frozenset[int] = frozenset()  # classes of the priorities that defer breaks
        self.on_queue_change = hooks.queue_changed
        self.on_reader_free, self.on_first_report = hooks.reader_free, hooks.first_report
        self.on_protocolled = hooks.protocolled
        self.critical = critical if critical is not None else per_exam(np.zeros(len(read_time), dtype=bool))
        self.call_time = call_time if call_time is not None else per_exam(np.zeros(len(read_time)))
        self.moves = moves  # (minutes on the worklist, class -> class it moves to): aging, fallback
        # Studies waiting for each move, in the order they are due (they join in time order). One timer per move
        # is armed for the first study not yet reported, so reported studies cost no event.
        self._move_due: list[deque] = [deque() for _ in moves]
        self._move_armed = [False] * len(moves)
        self.resumption_penalty = resumption_penalty or (lambda reader, exam: 0.0)
        self._penalised: set[int] = set()  # studies whose read has paid its resumption penalty
        self.final_class = final_class  # class -> its twin for final reads after a prelim
        self._final_classes = final_classes  # classes of studies waiting for their final read
        self.final_read = final_read
        self.free: dict[Radiologist, None] = {}
        self._wakeups: set = set()
        self._protocolling: set[int] = set()  # orders waiting for (or being given) a protocol
        # Work can only be handed out to a reader who just became free, or to a free reader eligible
        # for a class that just gained a study; nobody else's options changed since the last dispatch.
        self._new_free: dict[Radiologist, None] = {}
        self._new_classes: set[int] = set()
        self._recheck_all = False
        self._preempt_candidates: set[int] = set()  # classes that may need to interrupt a read
        if protocols is not None:  # (class of each order's protocol, minutes of each order's protocol)
            self.protocol_class_of_exam, self.protocol_minutes = protocols
            self.read_time = per_exam(np.array(self.remaining))

    # ------------------------------------------------------------ protocoling

    def add_protocol(self, exam: int) -> None:
        """An order that needs a protocol: a short radiologist task, in priority order, before any scan."""
        self._protocolling.add(exam)
        self.remaining[exam] = self.protocol_minutes[exam]
        klass = self.protocol_class_of_exam[exam]
        self.worklist.push(klass, self.exams.ordered_at[exam], exam)
        self._new_classes.add(klass)
        self.on_queue_change()
        self.request_dispatch()

    def _protocol(self, reader: Radiologist, exam: int) -> None:
        reader.task_kind, reader.task_start = PROTOCOL, self.env.now
        reader.token += 1
        reader.fixed_until = self.env.now + self.remaining[exam] * reader.speed
        after(self.env, self.remaining[exam] * reader.speed, self._protocolled, reader, exam)

    def _protocolled(self, reader: Radiologist, exam: int) -> None:
        now = self.env.now
        self.log.add(reader.index, PROTOCOL, reader.task_start, now, exam)
        self.exams.protocol_at[exam] = now
        self._protocolling.discard(exam)
        self.remaining[exam] = self.read_time[exam]
        self.end_task(reader)
        self.on_protocolled(exam)

    def _became_free(self, reader: Radiologist) -> None:
        self.free[reader] = None
        self._new_free[reader] = None
        self.on_reader_free()

    def _no_longer_free(self, reader: Radiologist) -> None:
        self.free.pop(reader, None)

    # ------------------------------------------------------------ events in

    def add(self, exam: int) -> None:
        """Images complete: the study joins the worklist."""
        self._enqueue(exam)
        for m, (wait, _) in enumerate(self.moves):
            self._move_due[m].append((self.env.now + wait, exam))
            if not self._move_armed[m]:
                self._arm_move(m)
        self.on_queue_change()
        self.request_dispatch()

    def _enqueue(self, exam: int) -> None:
        klass = self.class_of_exam[exam]
        self.worklist.push(klass, self.exams.scan_end[exam], exam)
        self._new_classes.add(klass)
        # a final over-read never preempts: the clinical decision was made on the prelim
        if self.worklist.class_priority[klass] in self.preempting_ranks and klass not in self._final_classes:
            self._preempt_candidates.add(klass)

    def _arm_move(self, m: int) -> None:
        due, report_at = self._move_due[m], self.exams.report_at
        while due and report_at[due[0][1]] == report_at[due[0][1]]:  # reported already: nothing to move
            due.popleft()
        self._move_armed[m] = bool(due)
        if due:
            after(self.env, due[0][0] - self.env.now, self._moves_due, m)

    def _moves_due(self, m: int) -> None:
        due, now, move_to = self._move_due[m], self.env.now, self.moves[m][1]
        while due and due[0][0] <= now + TIME_TOLERANCE:  # the clock may land a rounding step short of `due`
            self._move(due.popleft()[1], move_to)
        self._arm_move(m)

    def _move(self, exam: int, move_to: list[int]) -> None:
        """Aging or subspecialty fallback: from now on the study belongs to another class."""
        if self.exams.report_at[exam] == self.exams.report_at[exam]:  # reported already (not NaN)
            return
        klass = move_to[self.class_of_exam[exam]]
        self.class_of_exam[exam] = klass
        if exam in self.worklist:
            self.worklist.move(exam, klass, self.exams.scan_end[exam])
            self._new_classes.add(klass)
            self.request_dispatch()

    # ------------------------------------------------------------ matching

    def defer_breaks_for(self, ranks: frozenset[int]) -> None:
        super().defer_breaks_for(ranks)
        self._deferring = frozenset(k for k, rank in enumerate(self.worklist.class_priority) if rank in ranks)

    def urgent_waiting(self, reader: Radiologist) -> bool:
        return self.worklist.has_work(reader.classes_by_rank, self._deferring)

    def dispatch(self) -> None:
        if self._breaks_due:
            self.start_due_breaks()
        if not (self._new_free or self._new_classes or self._recheck_all or self._preempt_candidates):
            return
        if self.free and self.worklist.waiting:
            for reader in sorted(self._candidates(), key=pick_order):
                if reader not in self.free:
                    continue
                if reader.delay:
                    klass = self.worklist.best_class(reader.classes_by_rank, self.env.now - reader.delay)
                    if klass is None and self.worklist.next_ready is not None:
                        self._wake_at(self.worklist.next_ready + reader.delay)
                else:
                    klass = self.worklist.best_class(reader.classes_by_rank)
                if klass is not None:
                    self._start(reader, self.worklist.pop(klass))
        self._new_free.clear()
        self._new_classes.clear()
        self._recheck_all = False
        if self._preempt_candidates:
            self._preempt()

    def _candidates(self) -> set[Radiologist]:
        if self._recheck_all:
            return set(self.free)
        free = self.free.keys()  # set operations on the free readers' keys run in C, without a Python loop
        candidates = free & self._new_free.keys()
        for klass in self._new_classes:
            candidates |= free & self._class_readers[klass]
        return candidates

    def _wake_at(self, t: float, klass: int | None = None) -> None:
        """Look at the worklist again at t, when a study reaches a remote reader (and may preempt there)."""
        key = (t, klass)
        if key in self._wakeups:
            return
        self._wakeups.add(key)

        def wake():
            self._wakeups.discard(key)
            if klass is not None:
                self._preempt_candidates.add(klass)
            self._recheck_all = True  # time has made a study visible to a remote reader
            self.request_dispatch()

        after(self.env, max(0.0, t - self.env.now), wake)

    def _preempt(self) -> None:
        # Interrupting a read can requeue a study that itself preempts, so loop until settled.
        while self._preempt_candidates:
            klass = min(self._preempt_candidates, key=lambda k: (self.worklist.class_priority[k], k))
            self._preempt_candidates.discard(klass)
            while (head := self.worklist.head(klass)) is not None:
                victim = self._victim(klass, head[0])
                if victim is None:
                    break
                self._interrupt(victim)
                self._start(victim, self.worklist.pop(klass))

    def _victim(self, klass: int, ready_at: float) -> Radiologist | None:
        """The reader whose read of a lower priority this class's head (ready at `ready_at`) takes over, if any."""
        rank = self.worklist.class_priority[klass]
        best, best_key = None, None
        for reader in self.readers_for_class[klass]:
            if reader.delay and ready_at + reader.delay > self.env.now + TIME_TOLERANCE:
                if reader.busy and not reader.leaving:
                    self._wake_at(ready_at + reader.delay, klass)  # it may preempt once it reaches them
                continue
            if reader.busy and not reader.leaving and reader.task_kind == READ:
                current_rank = self.exam_rank[reader.task_exam]
                if current_rank > rank:
                    key = (current_rank, reader.task_start)
                    if best_key is None or key > best_key:
                        best, best_key = reader, key
        return best

    # ------------------------------------------------------------ reading

    def _start(self, reader: Radiologist, exam: int) -> None:
        self.start_task(reader, exam)
        if exam in self._protocolling:
            self.on_queue_change()
            self._protocol(reader, exam)
            return
        if self.exams.radiologist[exam] < 0:
            self.exams.read_start[exam] = self.env.now
        self.exams.radiologist[exam] = reader.index
        self.on_queue_change()
        self._read(reader, exam)

    def _read(self, reader: Radiologist, exam: int) -> None:
        """Read (or go on reading) `exam` for its remaining time at this reader's speed. Where the reader's next
        call comes before the read would end and will surely break into it (on shift, not a spared priority),
        the read's end is not scheduled: the call pauses it, and the read is taken up again after the call."""
        now = self.env.now
        reader.task_kind, reader.task_exam, reader.task_start = READ, exam, now
        reader.token += 1
        minutes = self.remaining[exam] * reader.speed
        reader.end_armed = not (reader.next_call < now + minutes and reader.next_call < reader.scheduled_end
                                and self.exams.read_priority[exam] not in reader.spared)
        if reader.end_armed:
            unless_cut(self.env, minutes, reader, self._finish, reader)

    def _arm_end(self, reader: Radiologist) -> None:
        """The read in hand gets its end after all (a call expected to break into it did not)."""
        reader.end_armed = True
        end = reader.task_start + self.remaining[reader.task_exam] * reader.speed
        unless_cut(self.env, max(0.0, end - self.env.now), reader, self._finish, reader)

    def _pause(self, reader: Radiologist) -> int:
        """Stop the read in hand, keeping what is left of it; returns the exam."""
        exam, now = reader.task_exam, self.env.now
        self.remaining[exam] -= (now - reader.task_start) / reader.speed
        self.log.add(reader.index, READ, reader.task_start, now, exam)
        reader.token += 1
        return exam

    # ------------------------------------------------------------ interruptions

    def interruption(self, reader: Radiologist, minutes: float, spared: frozenset = frozenset()) -> None:
        """A phone call, consult or question. It pauses a read or occupies a free reader; one arriving
        during a call or another interruption, or during the read of a spared priority (a stroke in hand), never
        reaches the reader. An interrupted study's read costs a resumption penalty once (the published figures
        are per interrupted study)."""
        if not reader.on_duty or reader.leaving or (reader.busy and reader.task_kind != READ) or (
                reader.busy and spared and self.exams.read_priority[reader.task_exam] in spared):
            if reader.busy and reader.task_kind == READ and not reader.end_armed:
                self._arm_end(reader)
            return
        paused = -1
        if reader.busy:
            paused = self._pause(reader)
            if paused not in self._penalised:
                self._penalised.add(paused)
                self.remaining[paused] += self.resumption_penalty(reader, paused) / reader.speed
        else:
            self._no_longer_free(reader)
            reader.busy = True
        reader.task_kind, reader.task_exam, reader.task_start = INTERRUPTION, paused, self.env.now
        reader.token += 1
        reader.fixed_until = self.env.now + minutes
        after(self.env, minutes, self._interruption_over, reader, paused)

    def _interruption_over(self, reader: Radiologist, paused: int) -> None:
        self.log.add(reader.index, INTERRUPTION, reader.task_start, self.env.now, paused)
        if paused >= 0:
            self._read(reader, paused)  # back to the same study, before anything else
        else:
            self.end_task(reader)

    def _finish(self, reader: Radiologist) -> None:
        exam, now = reader.task_exam, self.env.now
        self.log.add(reader.index, READ, reader.task_start, now, exam)
        first_report = unset(self.exams.prelim_at[exam])  # no prelim yet
        if reader.preliminary and first_report:
            self._preliminary(reader, exam)
        else:
            self.remaining[exam] = 0.0
            self.exams.report_at[exam] = now
        if first_report:
            self.on_first_report(exam)
        if self.critical[exam] and first_report:  # phoned at the first report, prelim or final
            self._phone(reader, exam)
        else:
            self.end_task(reader)

    def _preliminary(self, reader: Radiologist, exam: int) -> None:
        """A prelim is signed; the study goes back on the worklist for an attending's final read."""
        self.exams.prelim_at[exam] = self.env.now
        self.exams.prelim_radiologist[exam] = reader.index
        self.remaining[exam] = self.final_read[exam]
        self.class_of_exam[exam] = self.final_class[self.class_of_exam[exam]]
        self._enqueue(exam)
        self.on_queue_change()
        self.request_dispatch()

    def _phone(self, reader: Radiologist, exam: int) -> None:
        """A critical result: the reader phones the referring clinician before taking anything else."""
        reader.task_kind, reader.task_start = CALL, self.env.now
        reader.token += 1
        reader.fixed_until = self.env.now + self.call_time[exam]
        after(self.env, self.call_time[exam], self._called, reader, exam)

    def _called(self, reader: Radiologist, exam: int) -> None:
        now = self.env.now
        self.exams.critical_at[exam] = now
        self.log.add(reader.index, CALL, reader.task_start, now, exam)
        self.end_task(reader)

    def _interrupt(self, reader: Radiologist) -> None:
        """Preemption: the read goes back to the worklist and the reader is free for the preempting study."""
        exam = self._pause(reader)
        self.exams.interrupted[exam] += 1
        reader.busy = False
        self.request_dispatch()  # a free colleague may take the interrupted study at once
        reader.task_exam = -1
        self._enqueue(exam)


class ProcedureStaff:
    """Radiologists taken off the worklist for IR procedures: any free reader credentialed for the suite's
    modality, for the procedure's whole length (and, for a group on call from home, the time to come in first). A
    procedure waits for a free one; it never interrupts a read."""

    def __init__(self, reading: Reading, credentialed: dict[int, list[Radiologist]],
                 call_in: dict[str, float] | None = None):
        self.reading, self.credentialed = reading, credentialed
        self._credentialed_sets = {m: frozenset(readers) for m, readers in credentialed.items()}
        self.call_in = call_in or {}  # per group: minutes for a radiologist on call from home to reach the suite

    def call_in_minutes(self, reader: Radiologist) -> float:
        return self.call_in.get(reader.group, 0.0)

    def available(self, modality: int) -> bool:
        return not self.reading.free.keys().isdisjoint(self._credentialed_sets.get(modality, ()))

    def take(self, modality: int, exam: int) -> Radiologist:
        free = self.reading.free
        reader = min((r for r in self.credentialed[modality] if r in free), key=pick_order)
        self.reading.start_task(reader, exam)
        reader.task_kind = PROCEDURE
        self.reading.exams.procedure_radiologist[exam] = reader.index
        return reader

    def release(self, reader: Radiologist, start: float, exam: int) -> None:
        self.reading.log.add(reader.index, PROCEDURE, start, self.reading.env.now, exam)
        self.reading.end_task(reader)
