"""Booked outpatient appointments: slots, who is booked, who comes and when.

Each appointment book lays slots of `slot_minutes` end to end through its
sessions (`parallel` side by side). A slot is booked with `booked_share`; a
booked patient fails to come with `no_show`, and otherwise arrives at the
slot time plus a uniform early-or-late offset. All of it is drawn before the
run from the book's own stream, so appointments never change the random
demand (common random numbers). A patient waits in the scanner queue by
their slot time, not their arrival: arriving early does not jump the queue
unless a scanner is free, and walk-ins and add-ons fit in between.

A book with referrals is a waiting list instead: referrals of each urgency
category arrive as a Poisson process and are booked at the end of their day,
the most urgent first, into the first free slot after their lead time; those
that find none before the horizon stay on the list.
"""
from __future__ import annotations

import bisect
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
    exam_type: np.ndarray  # int16 the exam type booked into it (drawn for every slot; meaningful where booked)
    exam: np.ndarray  # int32 the order row of the patient who came; -1 otherwise
    referred_at: np.ndarray  # float64 when the referral that booked it joined the waiting list; NaN: not a referral
    category: np.ndarray  # int16 the referral's urgency category (index into the book's referrals); -1 none
    waiting: "Waiting"  # referrals still on the list at the end, with no slot before the horizon

    def __len__(self) -> int:
        return len(self.time)


@dataclass(frozen=True)
class Waiting:
    """Referrals that found no free slot before the horizon."""

    book: np.ndarray  # int16
    referred_at: np.ndarray  # float64
    category: np.ndarray  # int16


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
    slot_parts, arrival_parts, waiting_parts = [], [], []
    offset = 0
    for code, (name, book) in enumerate(scenario.appointments.items()):
        rng = streams.get(f"appointments.{name}")
        times = slot_times(scenario, name)
        n = len(times)
        booked = rng.random(n) < book.booked_share
        referred_at, category = np.full(n, np.nan), np.full(n, -1, dtype=np.int16)
        if book.referrals:
            booked, waiting = book_referrals(scenario, name, times, referred_at, category, streams)
            waiting_parts.append((np.full(len(waiting[0]), code, dtype=np.int16), *waiting))
        no_show = booked & (rng.random(n) < book.no_show)
        arrive = times + rng.uniform(book.punctuality.earliest, book.punctuality.latest, n)
        mix = list(book.exam_mix)
        weights = np.array([book.exam_mix[m] for m in mix], dtype=float)
        types = np.array([exam_names.index(m) for m in mix], dtype=np.int16)[
            rng.choice(len(mix), size=n, p=weights / weights.sum())]
        comes = booked & ~no_show & (arrive >= 0) & (arrive < horizon)
        slot_parts.append((np.full(n, code, dtype=np.int16), times, booked, no_show, types, referred_at, category))
        chosen = np.flatnonzero(comes)
        ranks = np.array([scenario.priority_names.index(r.priority or book.priority) for r in book.referrals.values()]
                         + [scenario.priority_names.index(book.priority)], dtype=np.int16)  # [-1]: not a referral
        arrival_parts.append((arrive[chosen], times[chosen], types[chosen], ranks[category[chosen]],
                              np.full(len(chosen), scenario.source_names.index(book.source), dtype=np.int16),
                              chosen + offset))
        offset += n
    empty = np.zeros(0)
    waiting = Waiting(*(np.concatenate(c) for c in zip(*waiting_parts))) if waiting_parts else \
        Waiting(empty.astype(np.int16), empty, empty.astype(np.int16))
    if not slot_parts:
        return (Slots(empty.astype(np.int16), empty, empty.astype(bool), empty.astype(bool), empty.astype(np.int16),
                      empty.astype(np.int32), empty, empty.astype(np.int16), waiting),
                Arrivals(empty, empty, empty.astype(np.int16), empty.astype(np.int16), empty.astype(np.int16),
                         empty.astype(np.int64)))
    book, times, booked, no_show, types, referred_at, category = (np.concatenate(c) for c in zip(*slot_parts))
    slots = Slots(book, times, booked, no_show, types, np.full(len(times), -1, dtype=np.int32), referred_at, category,
                  waiting)
    return slots, Arrivals(*(np.concatenate(c) for c in zip(*arrival_parts)))


def book_referrals(scenario: Scenario, name: str, times: np.ndarray, referred_at: np.ndarray, category: np.ndarray,
                   streams: Streams) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The waiting list of one book: referrals drawn per category (Poisson, from the stream `referrals.<book>`),
    booked at the end of the day they arrive, the most urgent category first and in order of referral within it,
    each into the first free slot at least `lead_days` after the referral. Fills `referred_at` and `category` of the
    booked slots; returns which slots are booked and the referrals left without a slot (time, category)."""
    book, days = scenario.appointments[name], scenario.days
    rng = streams.get(f"referrals.{name}")
    when, kind = [], []
    for rank, referral in enumerate(book.referrals.values()):
        counts = rng.poisson(referral.per_week / 7, days)
        when.append(np.repeat(np.arange(days) * 1440.0, counts) + rng.random(counts.sum()) * 1440.0)
        kind.append(np.full(counts.sum(), rank, dtype=np.int16))
    when, kind = np.concatenate(when), np.concatenate(kind)
    lead = np.array([r.lead_days * 1440.0 for r in book.referrals.values()])[kind]
    order = np.lexsort((when, kind, np.floor(when / 1440.0)))  # day by day, most urgent first, then oldest
    free_times, free_slots = times.tolist(), list(range(len(times)))  # times are sorted
    booked = np.zeros(len(times), dtype=bool)
    unbooked = []
    for i in order.tolist():
        pos = bisect.bisect_left(free_times, when[i] + lead[i])
        if pos == len(free_times):
            unbooked.append(i)
            continue
        slot = free_slots.pop(pos)
        free_times.pop(pos)
        booked[slot], referred_at[slot], category[slot] = True, when[i], kind[i]
    unbooked = np.array(unbooked, dtype=np.int64)
    return booked, (when[unbooked], kind[unbooked])
