"""Technologists and scanners: acquiring the images.

A scan needs, at the same moment, a free scanner of the exam's modality that
is open, and a free technologist who is on duty and credentialed for that
modality. Neither is ever held while waiting for the other: one dispatcher
matches waiting orders with free (technologist, scanner) pairs whenever an
order arrives or a technologist or scanner becomes free. Waiting orders are
served by priority, then by order time.

When several technologists are free, the one with the fewest credentials is
chosen, keeping the versatile ones free for work only they can do; ties go
to whoever has been free longest.
"""
from __future__ import annotations

import heapq

from .records import SCAN, ExamLog, StaffLog
from .staff import Crew, Person


class Technologist(Person):
    __slots__ = ("modalities",)

    def __init__(self, index: int, name: str, group: str, modalities: list[int]):
        super().__init__(index, name, group)
        self.modalities = modalities


class Acquisition(Crew):
    def __init__(self, env, log: StaffLog, request_dispatch, exams: ExamLog,
                 scanners_by_modality: list[list[int]], durations, on_images_complete, on_queue_change):
        super().__init__(env, log, request_dispatch)
        self.exams = exams
        self.durations = durations
        self.on_images_complete = on_images_complete
        self.on_queue_change = on_queue_change
        n_modalities = len(scanners_by_modality)
        self.waiting: list[list[tuple[int, float, int]]] = [[] for _ in range(n_modalities)]
        self.free_scanners = [sorted(s) for s in scanners_by_modality]  # heaps of scanner indexes
        self.open = [False] * n_modalities
        self.free_techs: list[dict[Technologist, None]] = [{} for _ in range(n_modalities)]
        self.waiting_count = 0
        self._changed = False  # matching can only succeed after an order, a freed resource or an opening

    # ------------------------------------------------------------ events in

    def order(self, exam: int, modality: int, rank: int) -> None:
        heapq.heappush(self.waiting[modality], (rank, self.exams.orders.ordered_at[exam], exam))
        self.waiting_count += 1
        self._changed = True
        self.on_queue_change()
        self.request_dispatch()

    def set_open(self, modality: int, is_open: bool) -> None:
        self.open[modality] = is_open
        if is_open:
            self._changed = True
            self.request_dispatch()

    def _became_free(self, tech: Technologist) -> None:
        for m in tech.modalities:
            self.free_techs[m][tech] = None
        self._changed = True

    def _no_longer_free(self, tech: Technologist) -> None:
        for m in tech.modalities:
            self.free_techs[m].pop(tech, None)

    # ------------------------------------------------------------ matching

    def dispatch(self) -> None:
        """Start every scan that can start now, best waiting order first."""
        if not self._changed:
            return
        self._changed = False
        while True:
            best_modality, best_head = -1, None
            for m, queue in enumerate(self.waiting):
                if queue and self.open[m] and self.free_scanners[m] and self.free_techs[m]:
                    if best_head is None or queue[0] < best_head:
                        best_modality, best_head = m, queue[0]
            if best_modality < 0:
                return
            self._start(best_modality)

    def _start(self, m: int) -> None:
        _, _, exam = heapq.heappop(self.waiting[m])
        self.waiting_count -= 1
        tech = min(self.free_techs[m], key=lambda t: (len(t.modalities), t.free_since, t.index))
        scanner = heapq.heappop(self.free_scanners[m])
        self.start_task(tech, exam)
        tech.task_kind = SCAN
        now = self.env.now
        self.exams.scan_start[exam] = now
        self.exams.technologist[exam] = tech.index
        self.exams.scanner[exam] = scanner
        self.on_queue_change()
        done = self.env.timeout(self.durations[exam])
        done.callbacks.append(lambda _event: self._finish(exam, tech, m, scanner))

    def _finish(self, exam: int, tech: Technologist, m: int, scanner: int) -> None:
        now = self.env.now
        self.exams.scan_end[exam] = now
        self.log.add(tech.index, SCAN, tech.task_start, now, exam)
        heapq.heappush(self.free_scanners[m], scanner)
        self.end_task(tech)
        self.on_images_complete(exam)
