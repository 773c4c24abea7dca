"""Scanners, IR suites and portable units: what each room is doing, and how it moves between states.

A room is free, busy with a task (an acquisition, planned as steps), or down: warming up at an opening,
in a maintenance window, or broken. Work that comes due while a room is busy or down waits for it: a
maintenance window starts as soon as the room is free, and a warm-up for an opening that found the room
down runs once it is up. A breakdown cuts a warm-up short (it starts again after the repair). Reserved
rooms take only their reserved priorities. Every stretch of down time becomes a row of the room log.

`sim.equipment` says *when* these things happen; `sim.acquisition` says what a room's state means for the
work (and what a breakdown does to the exam on the table). `RoomStates` is the part of the acquisition side
that moves rooms between states; it expects `env`, `room_log`, `pools`, `pool_changed(pool)` and
`something_freed()`.
"""
from __future__ import annotations

from collections.abc import Callable

import simpy

from .records import ROOM_BROKEN, ROOM_MAINTENANCE, ROOM_WARM_UP, RoomLog
from .timers import Environment, after, unless_cut

NAN = float("nan")


class Room:
    """A scanner, IR suite or portable unit, and what it is doing."""

    __slots__ = ("index", "name", "pool", "busy", "broken", "maintenance", "warming", "maintenance_due",
                 "reserved_for", "pinned", "token", "task", "maintenance_over", "down_since", "warm_token", "warm_up_due",
                 "warm_minutes")

    def __init__(self, index: int, name: str, pool: Pool):
        self.index, self.name, self.pool = index, name, pool
        self.busy = self.broken = self.maintenance = self.warming = False
        self.maintenance_due = 0.0  # minutes of maintenance waiting for the room to be free
        self.reserved_for: frozenset[int] | None = None  # priority ranks it takes while reserved
        self.pinned = -1  # an exam broken off by a breakdown that stays for this room
        self.token = 0  # bumped when a task is cut short, so its pending events no longer stand
        self.task: Task | None = None
        self.maintenance_over: simpy.Event | None = None  # while in maintenance
        self.down_since = 0.0  # when the present warm-up, maintenance or breakdown began
        self.warm_token = 0  # bumped when a breakdown cuts a warm-up short
        self.warm_up_due = 0.0  # minutes of warm-up for an opening that found the room down
        self.warm_minutes = 0.0  # length of the warm-up under way

    @property
    def down(self) -> bool:
        return self.broken or self.maintenance or self.warming

    def takes(self, rank: float) -> bool:
        return self.reserved_for is None or rank in self.reserved_for


# an order waiting in a pool: (queue rank, queue time, exam); the rank is the priority's, or half a rank after one for
# booked patients queued just after it
Waiting = tuple[float, float, int]


class Pool:
    """The rooms that serve one kind of exam of one modality, with their queues."""

    def __init__(self, modality: int, portable: bool = False, procedures: bool = False, prep_rooms: int = 0):
        self.modality, self.portable, self.procedures = modality, portable, procedures
        self.has_prep_rooms, self.prep_rooms_free = prep_rooms > 0, prep_rooms
        self.rooms: list[Room] = []
        self.waiting: list[Waiting] = []  # ready for the scanner (prepared, or to prepare on it)
        self.to_prep: list[Waiting] = []  # waiting for a prep room (or the scanner)
        self.to_inject: list[Waiting] = []  # NM: waiting for the injection
        self.sedated: list[Waiting] = []  # ready, to be sedated on the scanner: wait for an anaesthetist
        self.pinned = 0  # rooms keeping an exam broken off by a breakdown


class Task:
    """One acquisition on a room, planned step by step from its start."""

    __slots__ = ("exam", "tech", "radiologist", "anaesthetist", "start", "steps", "images_at")

    def __init__(self, exam, tech, radiologist, start, steps, anaesthetist=None):
        self.exam, self.tech, self.radiologist, self.start = exam, tech, radiologist, start
        self.anaesthetist = anaesthetist  # with a sedated patient from induction until the room is left
        self.steps = steps  # [(room log kind, start, end)]: before the scan, the scan and check, after it
        self.images_at = steps[-2][2]


class RoomStates:
    """Moving rooms between free, busy and down (warm-up, maintenance, broken), and their down-time rows."""

    # what the acquisition side, which this is a part of, provides
    env: Environment
    room_log: RoomLog
    pools: list[Pool]
    pool_changed: Callable[[Pool], None]
    something_freed: Callable[[], None]

    def room_freed(self, room: Room) -> None:
        """The room has nothing to do: due maintenance starts now, or it is free for work."""
        if room.maintenance_due > 0 and not room.down:
            minutes, room.maintenance_due = room.maintenance_due, 0.0
            self.begin_maintenance(room, minutes)
        elif room.warm_up_due > 0 and not room.down:
            minutes, room.warm_up_due = room.warm_up_due, 0.0
            self.warm_up(room, minutes)
        else:
            self.pool_changed(room.pool)

    def warm_up(self, room: Room, minutes: float) -> None:
        """At an opening: a room still scanning is warm already; one that is down warms up once it is up."""
        if room.busy or minutes <= 0:
            return
        if room.down:
            room.warm_up_due = minutes
            return
        room.warming, room.warm_minutes = True, minutes
        room.down_since = start = self.env.now
        unless_cut(self.env, minutes, room, self._warmed, room, start, token="warm_token")  # a breakdown cuts it

    def _warmed(self, room: Room, start: float) -> None:
        room.warming = False
        self.room_log.add(room.index, ROOM_WARM_UP, start, self.env.now)
        self.room_freed(room)

    def maintenance_window(self, room: Room, minutes: float) -> None:
        """A planned window: it starts now if the room is free, else as soon as it is."""
        if room.busy or room.down:
            room.maintenance_due += minutes
        else:
            self.begin_maintenance(room, minutes)

    def begin_maintenance(self, room: Room, minutes: float) -> None:
        room.maintenance = True
        room.maintenance_over = self.env.event()
        room.down_since = start = self.env.now
        after(self.env, minutes, self._maintenance_done, room, start)

    def _maintenance_done(self, room: Room, start: float) -> None:
        room.maintenance = False
        self.room_log.add(room.index, ROOM_MAINTENANCE, start, self.env.now)
        over = room.maintenance_over
        assert over is not None, "a maintenance window ends that never began"
        over.succeed()
        self.room_freed(room)

    def repair(self, room: Room, start: float) -> None:
        room.broken = False
        self.room_log.add(room.index, ROOM_BROKEN, start, self.env.now)
        self.room_freed(room)

    def reserve(self, room: Room, ranks: frozenset[int] | None) -> None:
        room.reserved_for = ranks
        self.something_freed()

    def break_down(self, room: Room) -> None:
        """The room is broken from now; a warm-up under way stops here and starts again after the repair."""
        now = self.env.now
        if room.warming:
            room.warming, room.warm_token = False, room.warm_token + 1
            self.room_log.add(room.index, ROOM_WARM_UP, room.down_since, now)
            room.warm_up_due = room.warm_minutes
        room.broken, room.down_since = True, now

    def close_rooms(self) -> None:
        """Down time under way at the horizon: a row with no end."""
        for pool in self.pools:
            for room in pool.rooms:
                for state, kind in ((room.warming, ROOM_WARM_UP), (room.maintenance, ROOM_MAINTENANCE),
                                    (room.broken, ROOM_BROKEN)):
                    if state:
                        self.room_log.add(room.index, kind, room.down_since, NAN)
