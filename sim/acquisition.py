"""Technologists with scanners, prep rooms, portable units and IR suites: acquiring the images.

A scan needs, at the same moment, a usable room of the exam's pool (a
scanner of its modality that is open, up and not reserved for other
priorities; a portable unit for a bedside exam; an IR suite) and a free
technologist who is on duty and credentialed for the modality; a procedure
in an IR suite also needs a free radiologist credentialed for it, and a
sedated patient a free anaesthetist (`sim.anaesthesia`). Nothing is
ever held while waiting for the rest: one dispatcher matches waiting orders
with free resources whenever something changes. Waiting orders are served by
priority, then by queue time (the order time, or a booked patient's slot).

An acquisition runs in steps: preparation (positioning, IV contrast, MR
screening), the scan, the image check, then room turnover. The images are
complete after the check; the technologist and room are free after turnover.
Where the modality has prep rooms, a technologist prepares the next patient
there while the scanner is busy; the patient keeps the prep room until moved
onto the scanner. A bedside exam takes the technologist and a portable unit
to the patient and back instead. A nuclear medicine patient is injected (a
technologist task), waits the uptake period, and then queues for the scanner;
nobody is injected whose uptake would end after the camera closes.

When several technologists are free, the one with the fewest credentials is
chosen, keeping the versatile ones free for work only they can do; ties go
to whoever has been free longest.

Scanner states (warm-up, maintenance, breakdowns, reservations) are set by
`sim.equipment`; what a breakdown does to the exam on the table is decided
here.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence

from .hooks import AcquisitionHooks
from .records import (PREP, ROOM_PREP, ROOM_SCAN, ROOM_TRAVEL, ROOM_TURNOVER, SCAN, ExamLog, RoomLog, StaffLog,
                      per_exam, unset)
from .rooms import Pool, Room, RoomStates, Task
from .staff import Crew, Person, pick_order
from .timers import after, unless_cut

NAN = float("nan")
# Dispatch actions, in the order they win a tie: the scanner before a prep room, which comes before injecting.
ON_SCANNER, IN_PREP_ROOM, INJECT, PINNED = 0, 1, 2, -1
# the best thing a pool can start: ((rank, queue time, action, exam), action, pool, exam, the room on a scanner)
Option = tuple[tuple[float, float, int, int], int, Pool, int, "Room | None"]


class Technologist(Person):
    """A technologist: a person of the acquisition side with the modalities they are credentialed for."""

    __slots__ = ("modalities",)

    def __init__(self, index: int, name: str, group: str, modalities: list[int]):
        super().__init__(index, name, group, breadth=len(modalities))
        self.modalities = modalities


class Acquisition(Crew[Technologist], RoomStates):
    """The acquisition side: waiting orders per pool, free technologists per modality, matching them with rooms, and
    each acquisition's steps (rooms move between states through `RoomStates`)."""

    def __init__(self, env, log: StaffLog, room_log: RoomLog, request_dispatch, exams: ExamLog, n_modalities: int,
                 pools: list[Pool], pool_of_exam: Sequence[int], hooks: AcquisitionHooks,
                 breakdown_handling: Sequence[str], procedure_staff=None, queue_rank=None, anaesthesia=None):
        super().__init__(env, log, request_dispatch)
        self.exams, self.room_log = exams, room_log
        orders = exams.orders
        steps = orders.steps
        self.scan_time, self.prep, self.check, self.turnover, self.travel, self.injection, self.uptake = (
            per_exam(a) for a in (orders.acquisition, steps.prep, steps.check, steps.turnover, steps.travel,
                                  steps.injection, steps.uptake))
        self.queue_time = per_exam(exams.queue_time())  # our own copy: a follow-up's is set when it is placed
        # place in the scanner queue: the priority's rank, or just after another's for protected booked patients
        self.rank = per_exam(orders.priority if queue_rank is None else queue_rank)
        self.pools, self.pool_of_exam = pools, pool_of_exam
        self.on_images_complete, self.on_queue_change = hooks.images_complete, hooks.queue_changed
        self.breakdown_handling = breakdown_handling  # per modality: move, restart or resume
        self.procedure_staff = procedure_staff  # finds and releases radiologists for IR procedures
        self.anaesthesia = anaesthesia  # anaesthetists for sedated patients (None where nobody is sedated)
        self.sedated = per_exam(steps.sedated) if anaesthesia is not None else None
        self.open = [False] * n_modalities
        self.opening = [(0.0, float("inf"))] * n_modalities  # the current (or last) opening of each modality
        self.free_techs: list[dict[Technologist, None]] = [{} for _ in self.open]
        self.prepared: set[int] = set()  # exams holding a prep room, ready for the scanner
        self.left: dict[int, float] = {}  # resume after a breakdown: minutes of the acquisition left
        self.waiting_count = 0
        # pools where something changed since the last hand-out (an order, a freed resource, an opening): matching
        # can only succeed there
        self._changed: dict[Pool, None] = {}
        # as dicts with no values, ready to mark a modality's pools changed (`_changed` keeps the order they changed)
        self._pools_of_modality = [dict.fromkeys(p for p in pools if p.modality == m) for m in range(n_modalities)]
        self._procedure_pools = dict.fromkeys(p for p in pools if p.procedures)

    # ------------------------------------------------------------ events in

    def queue_from(self, exam: int, when: float) -> None:
        """A follow-up order has been placed: it will take its place in the scanner queue as of `when`."""
        self.queue_time[exam] = when

    def order(self, exam: int) -> None:
        """An order may now be acquired (protocolled, if it needed a protocol)."""
        pool = self.pools[self.pool_of_exam[exam]]
        if self.uptake[exam] > 0 or self.injection[exam] > 0:
            self._queue(pool.to_inject, exam)
        else:
            self._ready(exam)

    def _ready(self, exam: int) -> None:
        self._queue(self._queue_for(self.pools[self.pool_of_exam[exam]], exam), exam)

    def _queue_for(self, pool: Pool, exam: int) -> list:
        """A sedated patient waits for an anaesthetist as well (and is induced on the scanner, not in a prep room);
        others wait for a prep room where the pool has them and there is preparation, else for the scanner."""
        if self._is_sedated(exam):
            return pool.sedated
        return pool.to_prep if pool.has_prep_rooms and self.prep[exam] > 0 else pool.waiting

    def _is_sedated(self, exam: int) -> bool:
        return self.sedated is not None and self.sedated[exam]

    def _queue(self, queue: list, exam: int) -> None:
        heapq.heappush(queue, (self.rank[exam], self.queue_time[exam], exam))
        self.waiting_count += 1
        self.pool_changed(self.pools[self.pool_of_exam[exam]])  # asks for a hand-out
        self.on_queue_change()

    def withdraw(self, exam: int) -> None:
        """A cancelled order leaves whichever queue of its pool holds it (rare, so a linear search is fine)."""
        pool = self.pools[self.pool_of_exam[exam]]
        for queue in (pool.waiting, pool.to_prep, pool.to_inject, pool.sedated):
            for i, entry in enumerate(queue):
                if entry[-1] == exam:
                    queue[i] = queue[-1]
                    queue.pop()
                    heapq.heapify(queue)
                    self.waiting_count -= 1
                    self.on_queue_change()
                    return

    def set_open(self, modality: int, is_open: bool, until: float = float("inf")) -> None:
        self.open[modality] = is_open
        if is_open:
            self.opening[modality] = (self.env.now, until)
            self._modality_changed(modality)
            self.request_dispatch()

    def pool_changed(self, pool: Pool) -> None:
        """An order joined the pool or a room of it became free: matching there may now succeed."""
        self._changed[pool] = None
        self.request_dispatch()

    def _modality_changed(self, modality: int) -> None:
        self._changed.update(self._pools_of_modality[modality])

    def something_freed(self) -> None:
        """A resource every pool may need (an anaesthetist, a room's reservation lifted): look at them all."""
        self._changed.update(dict.fromkeys(self.pools))
        self.request_dispatch()

    def radiologist_freed(self) -> None:
        """A radiologist became free: an IR procedure waiting for one may now start."""
        self._changed.update(self._procedure_pools)
        self.request_dispatch()

    def _became_free(self, tech: Technologist) -> None:
        for m in tech.modalities:
            self.free_techs[m][tech] = None
            self._modality_changed(m)

    def _no_longer_free(self, tech: Technologist) -> None:
        for m in tech.modalities:
            self.free_techs[m].pop(tech, None)

    # ------------------------------------------------------------ matching

    def urgent_waiting(self, tech: Technologist) -> bool:
        for pool in self.pools:
            if pool.modality in tech.modalities:
                heads = [q[0][0] for q in (pool.waiting, pool.to_prep, pool.to_inject, pool.sedated) if q]
                heads += [self.rank[r.pinned] for r in pool.rooms if r.pinned >= 0]
                if any(rank in self.defer_ranks for rank in heads):
                    return True
        return False

    def dispatch(self) -> None:
        """Start everything that can start now, best waiting order first."""
        if self._breaks_due:
            self.start_due_breaks()
        if not self._changed:
            return
        open_, free_techs = self.open, self.free_techs
        # A pool where nothing changed since the last dispatch found nothing to start has nothing now either: what
        # it needs was not freed, and starting work elsewhere only takes resources away.
        changed, self._changed = self._changed, {}
        while True:
            best = None
            for pool in changed:
                # cheap checks first: most pools, most of the time, have nobody waiting or nobody free
                if not (pool.waiting or pool.to_prep or pool.to_inject or pool.sedated or pool.pinned) \
                        or not open_[pool.modality] or not free_techs[pool.modality]:
                    continue
                option = self._best_option(pool)
                if option is not None and (best is None or option[0] < best[0]):
                    best = option
            if best is None:
                break
            self._act(*best[1:])
        for pool in changed:  # looked at now: changed again only by what comes after this hand-out
            self._changed.pop(pool, None)

    def _best_option(self, pool: Pool) -> Option | None:
        """The best thing this pool can start."""
        best: Option | None = None
        radiologist_free = not pool.procedures or self.procedure_staff.available(pool.modality)
        # asked only where someone may need one: a sedated patient waits, or a broken-off patient waits on a scanner
        anaesthetist_free = bool(pool.sedated or pool.pinned) and self.anaesthesia is not None and \
            self.anaesthesia.available()
        if pool.pinned:
            for pinned_to in pool.rooms:
                if pinned_to.pinned >= 0 and not pinned_to.busy and not pinned_to.down and radiologist_free and \
                        (anaesthetist_free or not self._is_sedated(pinned_to.pinned)):
                    exam = pinned_to.pinned
                    key = (self.rank[exam], self.queue_time[exam], PINNED, exam)
                    if best is None or key < best[0]:
                        best = (key, PINNED, pool, exam, pinned_to)
        for queue in (pool.waiting, pool.to_prep, pool.sedated if anaesthetist_free else ()):
            if queue and radiologist_free:
                rank, queued, exam = queue[0]
                key = (rank, queued, ON_SCANNER, exam)
                if best is None or key < best[0]:
                    room = self._room_for(pool, rank)
                    if room is not None:
                        best = (key, ON_SCANNER, pool, exam, room)
        if pool.to_prep and pool.prep_rooms_free:
            rank, queued, exam = pool.to_prep[0]
            key = (rank, queued, IN_PREP_ROOM, exam)
            if best is None or key < best[0]:
                best = (key, IN_PREP_ROOM, pool, exam, None)
        if pool.to_inject and self._injectable(pool.modality, pool.to_inject[0][2]):
            rank, queued, exam = pool.to_inject[0]
            key = (rank, queued, INJECT, exam)
            if best is None or key < best[0]:
                best = (key, INJECT, pool, exam, None)
        return best

    def _injectable(self, modality: int, exam: int) -> bool:
        """Nobody is injected whose uptake would end after the camera closes, unless the opening is too short for
        any uptake to end within it (then as soon as it opens, as before)."""
        opened, closes = self.opening[modality]
        uptake = self.uptake[exam]
        return closes - self.env.now >= uptake or closes - opened < uptake

    @staticmethod
    def _room_for(pool: Pool, rank: float) -> Room | None:
        """A free, usable room that takes this priority; unreserved rooms first, keeping reserved ones free."""
        best = None
        for room in pool.rooms:
            if not room.busy and not room.down and room.pinned < 0 and room.takes(rank):
                if room.reserved_for is None:
                    return room
                best = best or room
        return best

    def _act(self, action: int, pool: Pool, exam: int, room: Room | None) -> None:
        if action == PINNED:
            pool.pinned -= 1
        elif action == ON_SCANNER:
            for queue in (pool.waiting, pool.to_prep, pool.sedated):
                if queue and queue[0][2] == exam:
                    heapq.heappop(queue)
                    break
        else:
            heapq.heappop(pool.to_prep if action == IN_PREP_ROOM else pool.to_inject)
        self.waiting_count -= 1
        tech = self._pick_technologist(pool.modality)
        if action == IN_PREP_ROOM:
            pool.prep_rooms_free -= 1
            self._side_task(tech, exam, self.prep[exam], self._prepared)
        elif action == INJECT:
            self._side_task(tech, exam, self.injection[exam], self._injected)
        else:
            assert room is not None, "work on a scanner names its room"
            if action == PINNED:
                room.pinned = -1
            self._start_on_room(pool, room, tech, exam)
        self.on_queue_change()

    def _pick_technologist(self, modality: int) -> Technologist:
        return min(self.free_techs[modality], key=pick_order)

    # ------------------------------------------------------------ side tasks: prep room, injection

    def _side_task(self, tech: Technologist, exam: int, minutes: float, then) -> None:
        self.start_task(tech, exam)
        tech.task_kind = PREP
        if unset(self.exams.scan_start[exam]):  # the acquisition starts now
            self.exams.scan_start[exam] = self.env.now
            self.exams.technologist[exam] = tech.index
        after(self.env, minutes, self._side_task_done, tech, exam, then)

    def _side_task_done(self, tech: Technologist, exam: int, then) -> None:
        self.log.add(tech.index, PREP, tech.task_start, self.env.now, exam)
        self.end_task(tech)
        then(exam)

    def _prepared(self, exam: int) -> None:
        self.prepared.add(exam)
        self._queue(self.pools[self.pool_of_exam[exam]].waiting, exam)

    def _injected(self, exam: int) -> None:
        after(self.env, self.uptake[exam], self._ready, exam)

    # ------------------------------------------------------------ on the scanner (suite, portable unit)

    def _start_on_room(self, pool: Pool, room: Room, tech: Technologist, exam: int) -> None:
        now, exams = self.env.now, self.exams
        self.start_task(tech, exam)
        tech.task_kind = SCAN
        radiologist = self.procedure_staff.take(pool.modality, exam) if pool.procedures else None
        anaesthetist = self.anaesthesia.take(exam) if self._is_sedated(exam) else None
        prepared = exam in self.prepared
        if prepared:  # the patient leaves the prep room for the scanner
            self.prepared.discard(exam)
            pool.prep_rooms_free += 1
            self._changed[pool] = None
        # an interventional radiologist on call from home comes in first: the patient is prepared meanwhile
        call_in = self.procedure_staff.call_in_minutes(radiologist) if radiologist is not None else 0.0
        steps = self._plan(pool, exam, now, prepared, call_in)
        room.busy, room.token = True, room.token + 1
        room.task = task = Task(exam, tech, radiologist, now, steps, anaesthetist)
        if unset(exams.scan_start[exam]):  # the acquisition starts now
            exams.scan_start[exam] = now
        if unset(exams.imaging_start[exam]):
            exams.imaging_start[exam] = steps[-2][1]
        exams.technologist[exam], exams.scanner[exam] = tech.index, room.index
        # a breakdown bumps the room's token: these stand down
        if steps[-1][2] > task.images_at:
            unless_cut(self.env, task.images_at - now, room, self._images_complete, task)
            unless_cut(self.env, steps[-1][2] - now, room, self._room_task_done, room, task)
        else:  # nothing after the images: one event does both
            unless_cut(self.env, task.images_at - now, room, self._images_complete_and_done, room, task)

    def _plan(self, pool: Pool, exam: int, now: float, prepared: bool,
              call_in: float = 0.0) -> list[tuple[int, float, float]]:
        """The steps of this acquisition from now: [(kind, start, end)], ending with what follows the images; the
        preparation takes at least `call_in` (the radiologist coming in)."""
        if exam in self.left:  # resuming after a breakdown: only what was left, then turnover
            scan = self.left.pop(exam)
            return [(ROOM_SCAN, now, now + scan), (ROOM_TURNOVER, now + scan, now + scan + self.turnover[exam])]
        if pool.portable:
            before, before_kind = self.travel[exam], ROOM_TRAVEL
            after, after_kind = self.travel[exam], ROOM_TRAVEL
        else:
            before = max(0.0 if prepared else self.prep[exam], call_in)
            before_kind, after, after_kind = ROOM_PREP, self.turnover[exam], ROOM_TURNOVER
        scan_end = now + before + self.scan_time[exam] + self.check[exam]
        steps = [(before_kind, now, now + before)] if before > 0 else []
        return steps + [(ROOM_SCAN, now + before, scan_end), (after_kind, scan_end, scan_end + after)]

    def _images_complete(self, task: Task) -> None:
        self.exams.scan_end[task.exam] = self.env.now
        self.on_images_complete(task.exam)

    def _images_complete_and_done(self, room: Room, task: Task) -> None:
        self._images_complete(task)
        self._room_task_done(room, task)

    def _room_task_done(self, room: Room, task: Task) -> None:
        self._close_task(room, task, self.env.now)

    def _close_task(self, room: Room, task: Task, now: float) -> None:
        """Log the task's steps up to now, and free the technologist, radiologist and room."""
        for kind, start, end in task.steps:
            if start < now:
                self.room_log.add(room.index, kind, start, min(end, now), task.exam)
        self.log.add(task.tech.index, SCAN, task.start, now, task.exam)
        if task.radiologist is not None:
            self.procedure_staff.release(task.radiologist, task.start, task.exam)
        if task.anaesthetist is not None:
            self.anaesthesia.release(task.anaesthetist, task.start, task.exam)
        room.busy, room.task = False, None
        self.end_task(task.tech)
        self.room_freed(room)

    def fail(self, room: Room) -> None:
        """A breakdown: the task in hand is cut short and its exam handled as the modality says."""
        now = self.env.now
        self.break_down(room)
        task = room.task
        if task is None:
            return
        room.token += 1
        exam = task.exam
        images_done = now >= task.images_at
        self._close_task(room, task, now)
        if images_done:
            return
        self.exams.broken_off[exam] += 1
        handling = self.breakdown_handling[room.pool.modality]
        if handling == "resume":
            self.left[exam] = task.images_at - now
        else:
            self.exams.scan_start[exam] = self.exams.imaging_start[exam] = NAN
        if handling == "move":
            heapq.heappush(room.pool.sedated if self._is_sedated(exam) else room.pool.waiting,
                           (self.rank[exam], self.queue_time[exam], exam))
        else:
            room.pinned = exam
            room.pool.pinned += 1
        self.waiting_count += 1
        self.on_queue_change()

    def close(self, people, horizon: float) -> None:
        super().close(people, horizon)
        self.close_rooms()
        for pool in self.pools:
            for room in pool.rooms:
                if room.task is not None:
                    for kind, start, end in room.task.steps:
                        if start < horizon:
                            self.room_log.add(room.index, kind, start, end if end <= horizon else NAN,
                                              room.task.exam)
