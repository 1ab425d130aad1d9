"""Give freed heap back to the system after an engine instance closes.

An engine instance's threads (MediaPipe runs its graph on threads of its own) allocate
from glibc's per-thread arenas; when the instance closes, the memory is free inside the
arenas but stays resident. `malloc_trim(0)` returns the free pages of every arena.
Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def trim_heap() -> bool:
    """Return the allocator's free memory to the system (blocking: call off the loop)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
