"""Named random streams: one `numpy.random.Generator` per purpose.

A stream is derived from (seed, replication, stream name) with
`numpy.random.SeedSequence`, so each purpose draws from its own independent
sequence. Arrivals use one stream per source and durations one stream per
exam type: changing staffing (or any other part of the department) never
changes which patients arrive, which is what makes comparisons between
variants fair (common random numbers).
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .schema import Scenario


def stream_key(name: str) -> int:
    """A stable 64-bit number for a stream name (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


class Streams:
    """Named random streams of one replication, each from (seed, replication, name), so a change in one never moves
    another."""

    def __init__(self, seed: int, replication: int = 0):
        self.seed, self.replication = seed, replication

    def get(self, name: str) -> np.random.Generator:
        sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(self.replication, stream_key(name)))
        return np.random.Generator(np.random.PCG64(sequence))


# Where an order comes from: random demand, a scripted order, a follow-up of a report, a booked appointment.
DEMAND, SCRIPTED, FOLLOW_UP, BOOKED = 0, 1, 2, 3
ORIGIN_SUFFIX = ("", ".scripted", ".follow_up", ".booked")


def per_exam_type(scenario: Scenario, exam_codes: np.ndarray, origin: np.ndarray, streams: Streams, purpose: str):
    """(exam type, its exams in order of arrival, its stream for `purpose`) for every exam type with orders.

    Scripted orders, follow-ups and appointments draw from streams of their
    own, so adding some leaves every other exam's draws as they were.
    """
    for code, (name, exam) in enumerate(scenario.exam_types.items()):
        for kind, suffix in enumerate(ORIGIN_SUFFIX):
            chosen = np.flatnonzero((exam_codes == code) & (origin == kind))
            if len(chosen):
                yield exam, chosen, streams.get(f"{purpose}.{name}{suffix}")
