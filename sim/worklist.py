"""The reading worklist (PACS): studies waiting to be read.

Studies are kept in one queue per class, a class being (priority, modality,
subspecialty). Within a class, the oldest study (earliest images-complete
time) comes first; a study whose read was interrupted keeps its original
time, so it goes back to the head of its class.

A reader looks only at the heads of the classes they may read, best priority
first, so the cost of a pick grows with the number of classes, never with
the length of the backlog. Each class queue is a binary heap, so putting an
interrupted study back in its place costs O(log n).
"""
from __future__ import annotations

import heapq


class Worklist:
    def __init__(self, class_ranks: list[int]):
        self.class_ranks = class_ranks
        self._queues: list[list[tuple[float, int]]] = [[] for _ in class_ranks]
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, klass: int, ready_at: float, exam: int) -> None:
        heapq.heappush(self._queues[klass], (ready_at, exam))
        self._size += 1

    def head(self, klass: int) -> tuple[float, int] | None:
        queue = self._queues[klass]
        return queue[0] if queue else None

    def pop(self, klass: int) -> int:
        self._size -= 1
        return heapq.heappop(self._queues[klass])[1]

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
                if queue and (best_head is None or queue[0] < best_head):
                    best, best_head = klass, queue[0]
            if best is not None:
                return best
        return None

    def waiting_by_rank(self) -> list[int]:
        counts = [0] * (max(self.class_ranks, default=-1) + 1)
        for klass, queue in enumerate(self._queues):
            counts[self.class_ranks[klass]] += len(queue)
        return counts
