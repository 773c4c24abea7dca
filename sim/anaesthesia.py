"""Anaesthetists: sedation and general anaesthesia for acquisitions that need them.

A sedated patient (an exam type's `sedation`) is induced on the scanner, not
in a prep room, and an anaesthetist stays from the induction until the
patient leaves the room; the acquisition waits until one is free, together
with the technologist and the scanner (`sim.acquisition` matches all three at
once). Recovery after the room is handed to recovery staff and is not
modelled. Anaesthetists follow the same duty, break and one-task-at-a-time
rules as everyone else (`sim.staff`).
"""
from __future__ import annotations

from .records import SEDATION, StaffLog
from .staff import Crew, Person, pick_order


class Anaesthetist(Person):
    """An anaesthetist: attends one sedated patient at a time."""

    __slots__ = ()


class Anaesthesia(Crew[Anaesthetist]):
    """Free anaesthetists, taken for a sedated acquisition and released when it leaves the room."""

    def __init__(self, env, log: StaffLog, request_dispatch, freed):
        super().__init__(env, log, request_dispatch)
        self.free: dict[Anaesthetist, None] = {}
        self.freed = freed  # tells the acquisition side that a waiting sedated patient might now start

    def _became_free(self, person: Anaesthetist) -> None:
        self.free[person] = None
        self.freed()

    def _no_longer_free(self, person: Anaesthetist) -> None:
        self.free.pop(person, None)

    def available(self) -> bool:
        return bool(self.free)

    def take(self, exam: int) -> Anaesthetist:
        person = min(self.free, key=pick_order)
        self.start_task(person, exam)
        person.task_kind = SEDATION
        return person

    def release(self, person: Anaesthetist, start: float, exam: int) -> None:
        self.log.add(person.index, SEDATION, start, self.env.now, exam)
        self.end_task(person)

    def dispatch(self) -> None:
        """Nothing to hand out (the acquisition side takes anaesthetists): only breaks that have fallen due."""
        if self._breaks_due:
            self.start_due_breaks()
