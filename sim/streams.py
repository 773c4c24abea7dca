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

import numpy as np


def stream_key(name: str) -> int:
    """A stable 64-bit number for a stream name (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


class Streams:
    def __init__(self, seed: int, replication: int = 0):
        self.seed, self.replication = seed, replication

    def get(self, name: str) -> np.random.Generator:
        sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(self.replication, stream_key(name)))
        return np.random.Generator(np.random.PCG64(sequence))
