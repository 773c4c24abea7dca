"""The reading worklist (PACS): studies waiting to be read.

Studies are kept in one queue per class. A class (`WorklistClass`) is
(display rank, priority, modality, subspecialty, stage): the priority,
subspecialty and stage (first read, final read after a prelim, protocol)
decide who may read it; the display rank decides the order in which a reader looks at classes
(it is the priority, unless a policy says otherwise: all equal under FIFO,
top for a study past its aging cap). Within a class, the oldest study
(earliest images-complete time) comes first; a study whose read was
interrupted keeps its original time, so it goes back to the head of its class.

A reader looks only at the heads of the classes they may read, best display
rank first, so the cost of a pick grows with the number of classes, never
with the length of the backlog. New studies join a class in time order, so
each class is a FIFO (O(1) to add and take); a study put back after an
interruption, or moved to another class by aging or subspecialty fallback,
may be older than the FIFO's tail and goes to a small heap beside it. A
moved study's old entry is left where it is and skipped when it reaches the
head (each study's current class is the truth).
"""
from __future__ import annotations

import heapq
from collections import deque
from enum import IntEnum
from typing import NamedTuple, cast

# Times reached as "images complete + transmission delay" come back from simpy's clock a rounding error
# away; comparisons of such times allow for it, or a wake-up could find its study not quite ready.
TIME_TOLERANCE = 1e-6


class Stage(IntEnum):
    """What a study in a class is waiting for."""

    FIRST_READ = 0  # its first read (the final one, unless a preliminary reader takes it)
    FINAL_READ = 1  # a finalising reader, after a preliminary report
    PROTOCOL = 2  # an order waiting for its protocol, before any scan


class WorklistClass(NamedTuple):
    """One queue of the worklist: who may read it (priority, modality, subspecialty, stage), and where a
    reader looks at it (display rank: the priority, all equal under FIFO, top past an aging cap)."""

    display: int
    priority: int
    modality: str
    subspecialty: str
    stage: Stage


class _ClassQueue:
    """One class's studies: a FIFO in time order, and a small heap for older studies put back or moved in."""

    __slots__ = ("fifo", "older")

    def __init__(self):
        self.fifo: deque[tuple[float, int]] = deque()
        self.older: list[tuple[float, int]] = []

    def push(self, item: tuple[float, int]) -> None:
        if not self.fifo or item >= self.fifo[-1]:
            self.fifo.append(item)
        else:
            heapq.heappush(self.older, item)

    def pop(self) -> tuple[float, int]:
        if self.older and (not self.fifo or self.older[0] < self.fifo[0]):
            return heapq.heappop(self.older)
        return self.fifo.popleft()


# A reader's view of the worklist (see `Worklist.view`): per display rank, best first, the worklist's set of that
# rank's classes with entries beside the reader's eligible classes of that rank
View = list[tuple[set[int], frozenset[int]]]


class Worklist:
    """The worklist: a queue per class, the classes with work by display rank, and where each study is."""

    def __init__(self, class_display: list[int], class_priority: list[int] | None = None):
        self.class_display = class_display
        self.class_priority = class_priority if class_priority is not None else class_display
        self._queues = [_ClassQueue() for _ in class_display]
        self.waiting: dict[int, int] = {}  # each waiting study -> its current class
        # per display rank, the classes with entries: a pick looks only where there is work (readers' views hold
        # these sets, so they are changed in place, never replaced)
        self._busy: dict[int, set[int]] = {d: set() for d in set(class_display)}

    def __len__(self) -> int:
        return len(self.waiting)

    def __contains__(self, exam: int) -> bool:
        return exam in self.waiting

    def push(self, klass: int, ready_at: float, exam: int) -> None:
        self._queues[klass].push((ready_at, exam))
        self.waiting[exam] = klass
        self._busy[self.class_display[klass]].add(klass)

    def move(self, exam: int, klass: int, ready_at: float) -> None:
        """Move a waiting study to another class (its old entry becomes stale)."""
        if self.waiting.get(exam) != klass:
            self.push(klass, ready_at, exam)

    def head(self, klass: int) -> tuple[float, int] | None:
        queue, where = self._queues[klass], self.waiting
        while True:
            fifo, older = queue.fifo, queue.older  # the queue's own `head`, written out: a pick asks for many heads
            item: tuple[float, int] | None
            if older and (not fifo or older[0] < fifo[0]):
                item = older[0]
            else:
                item = fifo[0] if fifo else None
            if item is None or where.get(item[1]) == klass:
                break
            queue.pop()  # stale: taken already, or moved to another class
        if item is None:
            self._busy[self.class_display[klass]].discard(klass)
        return item

    def pop(self, klass: int) -> int:
        """Take the head of a class that has one (found with `head` or `best_class`)."""
        item, queue = cast("tuple[float, int]", self.head(klass)), self._queues[klass]
        if queue.older and queue.older[0] is item:  # the head came from the put-back heap (see `head`)
            heapq.heappop(queue.older)
        else:
            queue.fifo.popleft()
        exam = item[1]
        del self.waiting[exam]
        if not (queue.fifo or queue.older):
            self._busy[self.class_display[klass]].discard(klass)
        return exam

    def has_work(self, view: View, among: frozenset[int]) -> bool:
        """Whether a study of one of the classes `among` waits in this view (see `view`)."""
        return any(self.head(klass) is not None for waiting, classes in view if waiting
                   for klass in waiting & classes & among)

    def view(self, classes_by_rank) -> View:
        """A reader's eligible classes grouped by display rank, best first, in the form `best_class` takes: each
        group beside the set of its rank's classes that have entries (kept up to date by the worklist)."""
        groups = [frozenset(classes) for classes in classes_by_rank if classes]
        return [(self._busy[self.class_display[next(iter(g))]], g) for g in groups]

    def best_class(self, view: View, ready_by: float | None = None) -> int | None:
        """The class whose head a reader with this `view` (see `view`) should read next.

        Within the first display rank that has work the reader may take, the oldest head wins.
        Only classes that have entries are looked at. With `ready_by` (a remote reader's view), only
        studies ready by then count; the earliest one that did not is left in `self.next_ready`.
        """
        self.next_ready = None
        if not self.waiting:
            return None
        for waiting, classes in view:
            if not waiting or waiting.isdisjoint(classes):
                continue
            best, best_head = None, None
            for klass in waiting & classes:
                head = self.head(klass)
                if head is None:
                    continue
                if ready_by is not None and head[0] > ready_by + TIME_TOLERANCE:
                    # the head is the oldest of its class, so nothing in it is ready yet
                    if self.next_ready is None or head[0] < self.next_ready:
                        self.next_ready = head[0]
                    continue
                if best_head is None or head < best_head:
                    best, best_head = klass, head
            if best is not None:
                return best
        return None
