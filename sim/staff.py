"""People at work: on duty or not, free or busy, and finishing before leaving.

Shared by technologists and radiologists. The rules live here once:
- staff come on and go off duty at the times of their roster;
- whoever is mid-task when their shift ends finishes it (overtime) and then
  leaves; nobody starts a task off shift;
- each person does one thing at a time.
"""
from __future__ import annotations

from .records import DUTY, StaffLog


class Person:
    __slots__ = ("index", "name", "group", "on_duty", "busy", "leaving", "free_since",
                 "duty_start", "scheduled_end", "task_start", "task_exam", "task_kind", "token")

    def __init__(self, index: int, name: str, group: str):
        self.index, self.name, self.group = index, name, group
        self.on_duty = self.busy = self.leaving = False
        self.free_since = 0.0
        self.duty_start = self.scheduled_end = 0.0
        self.task_start = 0.0
        self.task_exam = -1
        self.task_kind = 0  # records.SCAN, READ or CALL while busy
        self.token = 0  # bumped whenever a task starts or is cancelled

    @property
    def available(self) -> bool:
        return self.on_duty and not self.busy and not self.leaving


class Crew:
    """Duty bookkeeping for one role; subclasses say what "free" means for their work."""

    def __init__(self, env, log: StaffLog, request_dispatch):
        self.env, self.log, self.request_dispatch = env, log, request_dispatch

    # subclasses keep their own indexes of who is free
    def _became_free(self, person: Person) -> None:
        raise NotImplementedError

    def _no_longer_free(self, person: Person) -> None:
        raise NotImplementedError

    def come_on_duty(self, person: Person, scheduled_end: float) -> None:
        person.on_duty, person.leaving = True, False
        person.duty_start, person.scheduled_end = self.env.now, scheduled_end
        person.free_since = self.env.now
        self._became_free(person)
        self.request_dispatch()

    def go_off_duty(self, person: Person) -> None:
        if person.busy:
            person.leaving = True  # finishes the task in hand, then leaves
        else:
            self._no_longer_free(person)
            self._leave(person)

    def start_task(self, person: Person, exam: int) -> int:
        assert person.available, f"{person.name} cannot start a task now"
        self._no_longer_free(person)
        person.busy = True
        person.task_start, person.task_exam = self.env.now, exam
        person.token += 1
        return person.token

    def end_task(self, person: Person) -> None:
        person.busy = False
        person.task_exam = -1
        if person.leaving:
            self._leave(person)
        else:
            person.free_since = self.env.now
            self._became_free(person)
        self.request_dispatch()

    def _leave(self, person: Person) -> None:
        now = self.env.now
        person.on_duty = person.leaving = False
        self.log.add(person.index, DUTY, person.duty_start, now, -1, max(0.0, now - person.scheduled_end))

    def close(self, people, horizon: float) -> None:
        """At the end of the horizon: close the duty rows of everyone still on duty."""
        for person in people:
            if person.on_duty:
                self.log.add(person.index, DUTY, person.duty_start, horizon, -1,
                             max(0.0, horizon - person.scheduled_end))
