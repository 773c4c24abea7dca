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
    def __init__(self, seed: int, replication: int = 0):
        self.seed, self.replication = seed, replication

    def get(self, name: str) -> np.random.Generator:
        sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(self.replication, stream_key(name)))
        return np.random.Generator(np.random.PCG64(sequence))


def per_exam_type(scenario: Scenario, exam_codes: np.ndarray, is_scripted: np.ndarray, streams: Streams,
                  purpose: str):
    """(exam type, its exams in order of arrival, its stream for `purpose`) for every exam type with orders.

    Scripted orders draw from streams of their own, so adding one leaves every
    other exam's draws as they were.
    """
    for code, (name, exam) in enumerate(scenario.exam_types.items()):
        for scripted, suffix in ((False, ""), (True, ".scripted")):
            chosen = np.flatnonzero((exam_codes == code) & (is_scripted == scripted))
            if len(chosen):
                yield exam, chosen, streams.get(f"{purpose}.{name}{suffix}")
