"""Timers: call a function after some simulated minutes, or once the present instant is over.

The model's state changes are plain method calls scheduled on the simpy
clock. Binding the arguments when the timer is set (not when it fires) is
what keeps a timer set inside a loop from acting on the loop's last value.
"""
from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush

import simpy
from simpy.core import NORMAL, EmptySchedule, EventPriority, StopSimulation


def after(env, minutes: float, action, *args) -> None:
    """Call `action(*args)` once `minutes` have passed.

    The timer is the pair (action, arguments) on simpy's schedule, and the event loop calls the action itself
    (`Environment.step`): the model sets millions of timers and never waits on one from a process, so they need
    none of an event's state, and a tuple costs no call to make. simpy's `schedule` is written out for the same
    reason."""
    if minutes < 0:
        raise ValueError(f"negative delay {minutes}")
    heappush(env._queue, (env._now + minutes, NORMAL, next(env._eid), (action, args)))


class TimedSequence:
    """`act(k)` at `times[k]` for k = 0, 1, ... (times in order): one timer at a time, each set once the entry
    before it has acted, instead of a process resumed at each time (a year has most of a million orders and as
    many calls). When an entry's turn comes, `skip(k, t)` may pass over it without a timer, and `arming(t)` hears
    the time of the entry a timer is set for. `start()` sets the first."""

    def __init__(self, env, times, act, skip=None, arming=None):
        self.env, self.times, self.act, self.skip, self.arming = env, times, act, skip, arming
        self.next = 0  # the entry to come

    def start(self) -> None:
        times, now = self.times, self.env.now
        while self.next < len(times):
            k, t = self.next, times[self.next]
            if self.skip is not None and self.skip(k, t):
                self.next += 1
                continue
            if self.arming is not None:
                self.arming(t)
            if t > now:
                after(self.env, t - now, self._ring)
                return
            self.next += 1
            self.act(k)

    def _ring(self) -> None:
        self.next += 1
        self.act(self.next - 1)
        self.start()


def at_start(action):
    """A process that calls `action` when the clock starts, in its turn among the processes started before it
    (so what it schedules keeps its place among theirs)."""
    action()
    yield from ()


def unless_cut(env, minutes: float, owner, action, *args, token: str = "token") -> None:
    """`after`, for a timer of a task its owner can cut short: `action(*args)` runs only if `owner.<token>` (a
    counter the owner bumps whenever its task is cut short or replaced: a preempted read, a breakdown) has not moved
    since the timer was set."""
    after(env, minutes, _unless_moved, owner, token, getattr(owner, token), action, args)


def _unless_moved(owner, token: str, armed: int, action, args: tuple) -> None:
    if getattr(owner, token) == armed:
        action(*args)


class Environment(simpy.Environment):
    """simpy's environment with one more kind of timer: an action run once the present instant is over.

    `settle(action)` names the action (the model's dispatcher); `unsettled()` asks for it. It runs once,
    after the last event scheduled for the present moment, however many times it was asked for, and
    without an event of its own: at a shift change the outgoing shift leaves and the incoming one arrives
    before work is handed out, and a busy instant costs one hand-out, not one per change.
    """

    # simpy's clock is a property; the model reads it tens of times per exam, so here it is a plain attribute that
    # shadows the property, set together with simpy's own `_now` (only `step` moves the clock)
    now = 0.0

    def __init__(self, initial_time: float = 0):
        super().__init__(initial_time)
        self.now = self._now
        self._settle: Callable[[], None] = _nothing_to_settle
        self._unsettled = False

    def settle(self, action: Callable[[], None]) -> None:
        self._settle = action

    def unsettled(self) -> None:
        self._unsettled = True

    def step(self) -> None:
        # simpy's step (4.1), then the settling action if this was the present instant's last event
        queue = self._queue
        try:
            self.now, _, _, event = heappop(queue)
        except IndexError:
            raise EmptySchedule from None
        self._now = self.now
        if event.__class__ is tuple:  # a timer set by `after`: (action, arguments)
            event[0](*event[1])
        else:
            self._simpy_event(event)
        # a hand-out that starts something may ask for another one at the same instant
        while self._unsettled and (not queue or queue[0][0] > self._now):
            self._unsettled = False
            self._settle()

    def _simpy_event(self, event) -> None:
        """simpy's processing of one event (4.1): its callbacks, then a crash if it failed and nobody defused it."""
        callbacks, event.callbacks = event.callbacks, None
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1:]
            self.schedule(event, EventPriority(-1))
            raise
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc


def _nothing_to_settle() -> None:
    """An environment without a settling action: the end of an instant asks for nothing."""
