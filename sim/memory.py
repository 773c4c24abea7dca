"""Handing memory a step has finished with back to the operating system.

A year's run builds tables of millions of rows and then works out metrics and figures from them, each with
temporaries of its own. glibc keeps freed blocks for reuse, and blocks in the middle of its heap stay resident,
so without a hand-back each step's peak stacks on the last one's leftovers; with it, a run peaks at its largest
step. The command line also keeps large blocks out of that heap altogether (`map_large_blocks`).
"""
from __future__ import annotations

import ctypes
import gc


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
LARGE_BLOCK = 1 << 20


def _glibc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def map_large_blocks() -> None:
    """Blocks of 1 MiB and more (a long run's columns and their temporaries) are mapped on their own and returned
    the moment they are freed. By default glibc raises that threshold to the size of the largest block freed so
    far, after which such blocks come from its heap and leave holes there that stay resident (about 10 MB on a
    year of the academic centre). Process-wide, so the command line sets it, not the model. Elsewhere than glibc
    it does nothing."""
    libc = _glibc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)


def give_back_memory() -> None:
    """Free what only a collection frees (objects that refer to one another), then return the allocator's free
    pages. Elsewhere than glibc only the collection happens."""
    gc.collect()
    return_free_pages()


def return_free_pages() -> None:
    """Return the allocator's free pages, without a collection (a few milliseconds, where a full collection of a
    process holding many results takes tens): for steps that leave no cycles behind. Elsewhere than glibc it does
    nothing."""
    libc = _glibc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
