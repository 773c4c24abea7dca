"""People at work: on duty or not, free or busy, and finishing before leaving.

Shared by technologists and radiologists. The rules live here once:
- staff come on and go off duty at the times of their roster;
- whoever is mid-task when their shift ends finishes it (overtime) and then
  leaves; nobody starts a task off shift, nor when a rounding step short of
  its end (back-to-back durations can add up to that);
- each person does one thing at a time;
- a break due while busy is taken after the task in hand; while a case of
  a priority that defers breaks waits for the person, it comes first; while
  everyone else of the group on duty is away (a break, a meeting), it waits
  (a person alone on duty takes it); a break that would run past the end of
  the shift is dropped.
- non-interpretive work at set times (a meeting, teaching, QA) follows the
  same rules, but ends at its set time however late it was joined, and is
  missed if it cannot be joined before then.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Generic, NamedTuple, TypeVar

from .records import AWAY, BREAK, DUTY, StaffLog
from .timers import after


# minutes: a clock this close to a shift's end has reached it, short only by floating-point rounding
ROUNDING = 1e-9


class Due(NamedTuple):
    """Time away from work that has fallen due: a break (`minutes` from when it is taken) or set work that ends at
    `until` whenever it is joined."""

    at: float
    minutes: float
    kind: int = BREAK
    until: float | None = None


class Person:
    """Someone on staff: duty state, the task in hand, and when they became free (in `pick_key`)."""

    __slots__ = ("index", "name", "group", "breadth", "on_duty", "busy", "leaving", "pick_key",
                 "duty_start", "scheduled_end", "task_start", "task_exam", "task_kind", "token", "away_due",
                 "fixed_until")

    def __init__(self, index: int, name: str, group: str, breadth: int = 0):
        self.index, self.name, self.group = index, name, group
        self.breadth = breadth  # how much work they may do (modalities, worklist classes): the narrowest pick first
        self.on_duty = self.busy = self.leaving = False
        self.pick_key = (breadth, 0.0, index)  # (breadth, free since, index): see `pick_order`
        self.duty_start = self.scheduled_end = 0.0
        self.task_start = 0.0
        self.task_exam = -1
        self.task_kind = 0  # records.SCAN, READ or CALL while busy
        self.token = 0  # bumped whenever a task starts or is cancelled
        self.away_due: list[Due] = []  # breaks and set work due, not yet taken, in the order they fell due
        # the end of the task in hand where nothing can cut it short (a break, set work, a call): until then the
        # person is certainly busy with it, so a call to them then need not be an event at all
        self.fixed_until = 0.0


# Who of several free people takes the work: the one who may do the least else (keeping the versatile free for work
# only they can do), then whoever has been free longest, then the order of the file. The key is kept on the person
# (set when they become free), so sorting and picking read it in C.
pick_order = attrgetter("pick_key")


P = TypeVar("P", bound=Person)  # the kind of staff a crew hands work to


class Crew(Generic[P]):
    """Duty bookkeeping for one role; subclasses say what "free" means for their work."""

    def __init__(self, env, log: StaffLog, request_dispatch):
        self.env, self.log, self.request_dispatch = env, log, request_dispatch
        self.defer_ranks: frozenset[int] = frozenset()  # priorities whose waiting cases defer breaks
        self._breaks_due: dict[P, None] = {}
        self.groups: dict[str, list[P]] = {}  # members by group: a group never leaves all at once

    def defer_breaks_for(self, ranks: frozenset[int]) -> None:
        """Waiting cases of these priorities defer breaks."""
        self.defer_ranks = ranks

    def urgent_waiting(self, person: P) -> bool:
        """Whether a case of a priority that defers breaks waits for work this person could do."""
        return False

    # ------------------------------------------------------------ breaks

    def break_due(self, person: P, minutes: float, kind: int = BREAK, until: float | None = None) -> None:
        """Time away falls due (a break, or set work ending at `until`); one of a kind still untaken is dropped.

        Set work at the very start of a shift may fall due a moment before the shift's own event: it waits for
        the person, and is dropped if its end comes first."""
        if (person.on_duty and not person.leaving) or until is not None:
            person.away_due = [due for due in person.away_due if due.kind != kind]
            person.away_due.append(Due(self.env.now, minutes, kind, until))
            self._breaks_due[person] = None
            self.request_dispatch()

    def start_due_breaks(self) -> None:
        """Called first at every dispatch: free people with time away due take it, unless urgent work waits."""
        for person in [p for p in self._breaks_due if p.on_duty and not p.busy and not p.leaving]:  # free to take it
            while person.away_due:
                due = person.away_due[0]
                minutes = due.minutes if due.until is None else due.until - self.env.now
                if minutes <= 0 or self.env.now + minutes > person.scheduled_end or not person.on_duty:
                    self._drop_due(person)
                    continue
                if not (self.defer_ranks and self.urgent_waiting(person)) and self._someone_stays(person):
                    self._drop_due(person)
                    self.start_task(person, -1)
                    person.task_kind = due.kind
                    person.fixed_until = self.env.now + minutes
                    after(self.env, minutes, self._back_from_away, person, due)
                break

    def _someone_stays(self, person: P) -> bool:
        """A colleague of the group stays at work (on duty, not away), or the person is alone on duty."""
        others = [m for m in self.groups.get(person.group, ()) if m is not person and m.on_duty]
        return not others or any(not (m.busy and m.task_kind in AWAY) for m in others)

    def _drop_due(self, person: P) -> None:
        """The first time away due is taken or dropped."""
        person.away_due.pop(0)
        if not person.away_due:
            self._breaks_due.pop(person, None)

    def _back_from_away(self, person: P, due: Due) -> None:
        # the row's last column holds how long it was deferred past its time
        self.log.add(person.index, due.kind, person.task_start, self.env.now, -1, person.task_start - due.at)
        self.end_task(person)

    # subclasses keep their own indexes of who is free
    def _became_free(self, person: P) -> None:
        raise NotImplementedError

    def _no_longer_free(self, person: P) -> None:
        raise NotImplementedError

    def come_on_duty(self, person: P, scheduled_end: float) -> None:
        if person.on_duty:  # still finishing the last stretch's task: that stretch ends, the new one begins
            self._close_duty(person, self.env.now)
            person.leaving = False
            person.duty_start, person.scheduled_end = self.env.now, scheduled_end
            return  # free for new work only once the task in hand is done
        person.on_duty, person.leaving = True, False
        person.duty_start, person.scheduled_end = self.env.now, scheduled_end
        person.pick_key = (person.breadth, self.env.now, person.index)
        self._became_free(person)
        self.request_dispatch()

    def go_off_duty(self, person: P) -> None:
        if person.busy:
            person.leaving = True  # finishes the task in hand, then leaves
        else:
            self._no_longer_free(person)
            self._leave(person)

    def start_task(self, person: P, exam: int) -> int:
        assert person.on_duty and not person.busy and not person.leaving, f"{person.name} cannot start a task now"
        self._no_longer_free(person)
        person.busy = True
        person.task_start, person.task_exam = self.env.now, exam
        person.token += 1
        return person.token

    def end_task(self, person: P) -> None:
        person.busy = False
        person.task_exam = -1
        if person.leaving:
            self._leave(person)
        elif person.scheduled_end - self.env.now <= ROUNDING:
            # Back-to-back durations can add up to a rounding step short of the shift's end; in exact arithmetic the
            # task ends with the shift and its owner goes home, so they take nothing new and leave at the end
            person.leaving = True
        else:
            person.pick_key = (person.breadth, self.env.now, person.index)
            self._became_free(person)
        self.request_dispatch()

    def _leave(self, person: P) -> None:
        person.away_due.clear()
        self._breaks_due.pop(person, None)
        person.on_duty = person.leaving = False
        self._close_duty(person, self.env.now)

    def _close_duty(self, person: P, now: float) -> None:
        """The duty row of the stretch now ending, with the minutes worked past its scheduled end."""
        self.log.add(person.index, DUTY, person.duty_start, now, -1, max(0.0, now - person.scheduled_end))

    def close(self, people, horizon: float) -> None:
        """At the end of the horizon: close the duty rows of everyone still on duty."""
        for person in people:
            if person.on_duty:
                self._close_duty(person, horizon)
