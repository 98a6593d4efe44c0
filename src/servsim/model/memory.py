"""Handing memory the run has freed back to the operating system.

A long run's log moves from the recorder's stores into its tables, and the stores are freed as
each table is built; glibc's allocator keeps freed memory below its heap's top for reuse, so
without being told the process would hold the stores and the tables at once (a million orders:
about 200 MB more at the peak). ``malloc_trim`` returns the freed pages. Elsewhere than glibc
(macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache

WORTH_IT = 50_000
"""Orders from which a run's freed stores are worth handing back (below it, a few MB)."""


@cache
def _trim() -> ctypes._NamedFuncPointer | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: no malloc_trim
        return None


def give_back_freed_memory(orders: int) -> None:
    """Return the pages freed so far to the operating system, for a run of ``orders`` orders
    large enough for it to matter (the call walks the heap: a millisecond or so)."""
    trim = _trim()
    if trim is not None and orders >= WORTH_IT:
        trim(0)
