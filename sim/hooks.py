"""What the acquisition and reading sides tell the rest of the department, declared in one place.

Each side calls its hooks when something happens that another part of the department must know about;
the department (`sim.model.Department`) connects them when it is built from the scenario. Every hook has a
no-op default, so a side can be built, and tested, alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


def _nothing(*_args) -> None:
    return None


@dataclass(frozen=True)
class AcquisitionHooks:
    """What the acquisition side tells the department."""

    images_complete: Callable[[int], None] = _nothing  # an exam's images are complete: it goes to the worklist
    queue_changed: Callable[[], None] = _nothing  # an order joined or left the scanner queues


@dataclass(frozen=True)
class ReadingHooks:
    """What the reading side tells the department."""

    queue_changed: Callable[[], None] = _nothing  # a study or order joined or left the worklist
    reader_free: Callable[[], None] = _nothing  # a radiologist became free: an IR procedure may be waiting
    first_report: Callable[[int], None] = _nothing  # a study's first report is signed: a follow-up may be ordered
    protocolled: Callable[[int], None] = _nothing  # an order's protocol is done: it may be scanned
