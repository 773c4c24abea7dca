"""The reading worklist (PACS): studies waiting to be read.

Studies are kept in one queue per class, a class being (priority, modality,
subspecialty). Within a class, the oldest study (earliest images-complete
time) comes first; a study whose read was interrupted keeps its original
time, so it goes back to the head of its class.

A reader looks only at the heads of the classes they may read, best priority
first, so the cost of a pick grows with the number of classes, never with
the length of the backlog. New studies join a class in time order, so each
class is a FIFO (O(1) to add and take); the rare study put back after an
interruption is older than the FIFO's tail and goes to a small heap beside
it. The head of a class is the older of the two heads.
"""
from __future__ import annotations

import heapq
from collections import deque


class _ClassQueue:
    __slots__ = ("fifo", "resumed")

    def __init__(self):
        self.fifo: deque[tuple[float, int]] = deque()
        self.resumed: list[tuple[float, int]] = []

    def __len__(self) -> int:
        return len(self.fifo) + len(self.resumed)

    def push(self, item: tuple[float, int]) -> None:
        if not self.fifo or item >= self.fifo[-1]:
            self.fifo.append(item)
        else:
            heapq.heappush(self.resumed, item)

    def head(self) -> tuple[float, int] | None:
        if self.resumed and (not self.fifo or self.resumed[0] < self.fifo[0]):
            return self.resumed[0]
        return self.fifo[0] if self.fifo else None

    def pop(self) -> tuple[float, int]:
        if self.resumed and (not self.fifo or self.resumed[0] < self.fifo[0]):
            return heapq.heappop(self.resumed)
        return self.fifo.popleft()


class Worklist:
    def __init__(self, class_ranks: list[int]):
        self.class_ranks = class_ranks
        self._queues = [_ClassQueue() for _ in class_ranks]
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, klass: int, ready_at: float, exam: int) -> None:
        self._queues[klass].push((ready_at, exam))
        self._size += 1

    def head(self, klass: int) -> tuple[float, int] | None:
        return self._queues[klass].head()

    def pop(self, klass: int) -> int:
        self._size -= 1
        return self._queues[klass].pop()[1]

    def best_class(self, classes_by_rank: list[list[int]]) -> int | None:
        """The class whose head a reader eligible for `classes_by_rank` should read next.

        `classes_by_rank` lists the reader's classes grouped by priority, best
        priority first; within the first priority that has work, the oldest
        head wins.
        """
        if not self._size:
            return None
        queues = self._queues
        for classes in classes_by_rank:
            best, best_head = None, None
            for klass in classes:
                queue = queues[klass]
                if queue.fifo or queue.resumed:
                    head = queue.head()
                    if best_head is None or head < best_head:
                        best, best_head = klass, head
            if best is not None:
                return best
        return None
