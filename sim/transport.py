"""Porters: bringing patients from the ward to the department and taking them back.

A source with `transport` has its patients fetched by a porter once they are
ready: the porter walks to the ward and brings the patient (two legs of the
source's transport minutes), and the patient then joins the scanner queue.
Once the images are complete, a porter takes the patient back (two legs
again); the exam does not wait for that, but the porter is busy. Jobs are
served by the patient's priority, then in the order they were asked for, a
fetch before a return at a tie. Porters follow the same duty, break and
one-task-at-a-time rules as everyone else (`sim.staff`); when none is on duty
or free, patients wait for one.
"""
from __future__ import annotations

import heapq

from .records import TRANSPORT, StaffLog
from .staff import Crew, Person, pick_order
from .timers import after

FETCH, RETURN = 0, 1


class Porter(Person):
    """A porter: a person who takes one patient at a time."""

    __slots__ = ()


class Transport(Crew[Porter]):
    """Waiting transport jobs and free porters; hands `arrived(exam)` each fetched patient."""

    def __init__(self, env, log: StaffLog, request_dispatch, minutes, rank, arrived, cancelled):
        super().__init__(env, log, request_dispatch)
        self.minutes, self.rank = minutes, rank  # per exam: minutes each leg; the priority rank it is served at
        self.arrived, self.cancelled = arrived, cancelled
        self.jobs: list[tuple[float, float, int, int, int]] = []  # (rank, asked at, fetch/return, sequence, exam)
        self.free: dict[Porter, None] = {}
        self._sequence = 0

    def _became_free(self, person: Porter) -> None:
        self.free[person] = None

    def _no_longer_free(self, person: Porter) -> None:
        self.free.pop(person, None)

    def fetch(self, exam: int) -> None:
        self._ask(FETCH, exam)

    def take_back(self, exam: int) -> None:
        self._ask(RETURN, exam)

    def _ask(self, kind: int, exam: int) -> None:
        self._sequence += 1
        heapq.heappush(self.jobs, (self.rank[exam], self.env.now, kind, self._sequence, exam))
        self.request_dispatch()

    def dispatch(self) -> None:
        """Free porters take the waiting jobs in order; a patient cancelled meanwhile is not fetched."""
        if self._breaks_due:
            self.start_due_breaks()
        while self.jobs and self.free:
            _, _, kind, _, exam = heapq.heappop(self.jobs)
            if kind == FETCH and self.cancelled(exam):
                continue
            porter = min(self.free, key=pick_order)
            self.start_task(porter, exam)
            porter.task_kind = TRANSPORT
            after(self.env, 2 * self.minutes[exam], self._done, porter, kind, exam)

    def _done(self, porter: Porter, kind: int, exam: int) -> None:
        self.log.add(porter.index, TRANSPORT, porter.task_start, self.env.now, exam)
        self.end_task(porter)
        if kind == FETCH and not self.cancelled(exam):
            self.arrived(exam)
