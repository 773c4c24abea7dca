"""Handing memory a step has finished with back to the operating system.

A year's run builds tables of millions of rows and then works out metrics and figures from them, each with
temporaries of its own. glibc keeps freed blocks for reuse, and blocks in the middle of its heap stay resident,
so without a hand-back each step's peak stacks on the last one's leftovers; with it, a run peaks at its largest
step.
"""
from __future__ import annotations

import ctypes
import gc


def give_back_memory() -> None:
    """Free what only a collection frees (objects that refer to one another), then return the allocator's free
    pages. Elsewhere than glibc only the collection happens."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
