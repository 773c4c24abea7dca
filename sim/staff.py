"""People at work: on duty or not, free or busy, and finishing before leaving.

Shared by technologists and radiologists. The rules live here once:
- staff come on and go off duty at the times of their roster;
- whoever is mid-task when their shift ends finishes it (overtime) and then
  leaves; nobody starts a task off shift;
- each person does one thing at a time;
- a break due while busy is taken after the task in hand; while a case of
  a priority that defers breaks waits for the person, it comes first; while
  everyone else of the group on duty is on a break, it waits (a person
  alone on duty takes it); a break that would run past the end of the
  shift is dropped.
"""
from __future__ import annotations

from .records import BREAK, DUTY, StaffLog
from .timers import after


class Person:
    """Someone on staff: duty state, the task in hand, and when they became free."""

    __slots__ = ("index", "name", "group", "breadth", "on_duty", "busy", "leaving", "free_since",
                 "duty_start", "scheduled_end", "task_start", "task_exam", "task_kind", "token", "break_due")

    def __init__(self, index: int, name: str, group: str, breadth: int = 0):
        self.index, self.name, self.group = index, name, group
        self.breadth = breadth  # how much work they may do (modalities, worklist classes): the narrowest pick first
        self.on_duty = self.busy = self.leaving = False
        self.free_since = 0.0
        self.duty_start = self.scheduled_end = 0.0
        self.task_start = 0.0
        self.task_exam = -1
        self.task_kind = 0  # records.SCAN, READ or CALL while busy
        self.token = 0  # bumped whenever a task starts or is cancelled
        self.break_due: tuple[float, float] | None = None  # (when it fell due, minutes) of a break not yet taken

    @property
    def available(self) -> bool:
        return self.on_duty and not self.busy and not self.leaving


def pick_order(person: Person) -> tuple:
    """Who of several free people takes the work: the one who may do the least else (keeping the versatile free
    for work only they can do), then whoever has been free longest, then the order of the file."""
    return (person.breadth, person.free_since, person.index)


class Crew:
    """Duty bookkeeping for one role; subclasses say what "free" means for their work."""

    def __init__(self, env, log: StaffLog, request_dispatch):
        self.env, self.log, self.request_dispatch = env, log, request_dispatch
        self.defer_ranks: frozenset[int] = frozenset()  # priorities whose waiting cases defer breaks
        self._breaks_due: dict[Person, None] = {}
        self.groups: dict[str, list[Person]] = {}  # members by group: a group never leaves all at once

    def urgent_waiting(self, person: Person) -> bool:
        """Whether a case of a priority that defers breaks waits for work this person could do."""
        return False

    # ------------------------------------------------------------ breaks

    def break_due(self, person: Person, minutes: float) -> None:
        if person.on_duty and not person.leaving:
            person.break_due = (self.env.now, minutes)
            self._breaks_due[person] = None
            self.request_dispatch()

    def start_due_breaks(self) -> None:
        """Called first at every dispatch: free people whose break is due go on it, unless urgent work waits."""
        for person in [p for p in self._breaks_due if p.available]:
            due_at, minutes = person.break_due
            if self.env.now + minutes > person.scheduled_end or not person.on_duty:
                self._drop_break(person)
            elif not (self.defer_ranks and self.urgent_waiting(person)) and self._someone_stays(person):
                self._drop_break(person)
                self.start_task(person, -1)
                person.task_kind = BREAK
                after(self.env, minutes, self._break_over, person, due_at)

    def _someone_stays(self, person: Person) -> bool:
        """A colleague of the group stays at work (on duty, not on a break), or the person is alone on duty."""
        others = [m for m in self.groups.get(person.group, ()) if m is not person and m.on_duty]
        return not others or any(not (m.busy and m.task_kind == BREAK) for m in others)

    def _drop_break(self, person: Person) -> None:
        person.break_due = None
        self._breaks_due.pop(person, None)

    def _break_over(self, person: Person, due_at: float) -> None:
        # a break row's last column holds how long the break was deferred past its time
        self.log.add(person.index, BREAK, person.task_start, self.env.now, -1, person.task_start - due_at)
        self.end_task(person)

    # subclasses keep their own indexes of who is free
    def _became_free(self, person: Person) -> None:
        raise NotImplementedError

    def _no_longer_free(self, person: Person) -> None:
        raise NotImplementedError

    def come_on_duty(self, person: Person, scheduled_end: float) -> None:
        if person.on_duty:  # still finishing the last stretch's task: that stretch ends, the new one begins
            self._close_duty(person, self.env.now)
            person.leaving = False
            person.duty_start, person.scheduled_end = self.env.now, scheduled_end
            return  # free for new work only once the task in hand is done
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
        self._drop_break(person)
        person.on_duty = person.leaving = False
        self._close_duty(person, self.env.now)

    def _close_duty(self, person: Person, now: float) -> None:
        """The duty row of the stretch now ending, with the minutes worked past its scheduled end."""
        self.log.add(person.index, DUTY, person.duty_start, now, -1, max(0.0, now - person.scheduled_end))

    def close(self, people, horizon: float) -> None:
        """At the end of the horizon: close the duty rows of everyone still on duty."""
        for person in people:
            if person.on_duty:
                self._close_duty(person, horizon)
