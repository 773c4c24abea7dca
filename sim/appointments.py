"""Booked outpatient appointments: slots, who is booked, who comes and when.

Each appointment book lays slots of `slot_minutes` end to end through its
sessions (`parallel` side by side). A slot is booked with `booked_share`; a
booked patient fails to come with `no_show`, and otherwise arrives at the
slot time plus a uniform early-or-late offset. All of it is drawn before the
run from the book's own stream, so appointments never change the random
demand (common random numbers). A patient waits in the scanner queue by
their slot time, not their arrival: arriving early does not jump the queue
unless a scanner is free, and walk-ins and add-ons fit in between.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .roster import intervals
from .schema import Scenario
from .streams import Streams


@dataclass(frozen=True)
class Slots:
    """Every slot of every book, in book then time order."""

    book: np.ndarray  # int16 index into scenario.appointments
    time: np.ndarray  # float64 slot start, minutes
    booked: np.ndarray  # bool
    no_show: np.ndarray  # bool: booked, and the patient did not come
    exam: np.ndarray  # int32 the order row of the patient who came; -1 otherwise

    def __len__(self) -> int:
        return len(self.time)


@dataclass(frozen=True)
class Arrivals:
    """The patients who come (unsorted), with the slot each holds."""

    arrive_at: np.ndarray
    slot_time: np.ndarray
    exam_type: np.ndarray
    priority: np.ndarray
    source: np.ndarray
    slot: np.ndarray  # index into Slots


def slot_times(scenario: Scenario, book_name: str) -> np.ndarray:
    book = scenario.appointments[book_name]
    starts = []
    for start, end in intervals(book.sessions, scenario.days, scenario.start_weekday):
        count = int(np.floor((end - start) / book.slot_minutes + 1e-9))
        starts.append(start + np.arange(count) * book.slot_minutes)
    times = np.concatenate(starts) if starts else np.zeros(0)
    return np.repeat(times, book.parallel)


def draw_appointments(scenario: Scenario, streams: Streams) -> tuple[Slots, Arrivals]:
    exam_names, horizon = list(scenario.exam_types), scenario.days * 1440.0
    slot_parts, arrival_parts = [], []
    offset = 0
    for code, (name, book) in enumerate(scenario.appointments.items()):
        rng = streams.get(f"appointments.{name}")
        times = slot_times(scenario, name)
        n = len(times)
        booked = rng.random(n) < book.booked_share
        no_show = booked & (rng.random(n) < book.no_show)
        arrive = times + rng.uniform(book.punctuality.earliest, book.punctuality.latest, n)
        mix = list(book.exam_mix)
        weights = np.array([book.exam_mix[m] for m in mix], dtype=float)
        types = np.array([exam_names.index(m) for m in mix], dtype=np.int16)[
            rng.choice(len(mix), size=n, p=weights / weights.sum())]
        comes = booked & ~no_show & (arrive >= 0) & (arrive < horizon)
        slot_parts.append((np.full(n, code, dtype=np.int16), times, booked, no_show))
        chosen = np.flatnonzero(comes)
        arrival_parts.append((arrive[chosen], times[chosen], types[chosen],
                              np.full(len(chosen), scenario.priority_names.index(book.priority), dtype=np.int16),
                              np.full(len(chosen), scenario.source_names.index(book.source), dtype=np.int16),
                              chosen + offset))
        offset += n
    if not slot_parts:
        empty = np.zeros(0)
        return (Slots(empty.astype(np.int16), empty, empty.astype(bool), empty.astype(bool), empty.astype(np.int32)),
                Arrivals(empty, empty, empty.astype(np.int16), empty.astype(np.int16), empty.astype(np.int16),
                         empty.astype(np.int64)))
    book, times, booked, no_show = (np.concatenate(c) for c in zip(*slot_parts))
    slots = Slots(book, times, booked, no_show, np.full(len(times), -1, dtype=np.int32))
    return slots, Arrivals(*(np.concatenate(c) for c in zip(*arrival_parts)))
