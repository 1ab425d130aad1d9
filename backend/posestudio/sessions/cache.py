"""What is derived from a finished session, kept in memory: a finished session's chunks
never change, so figures computed from them (analytics, solved skeletons) are computed
once and the least recently used dropped. A session still recording is computed afresh
on every call and never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class FinishedCache(Generic[V]):
    """Values per key whose first element is the session id, least recently used out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[tuple[Hashable, ...], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, item: tuple[Hashable, ...], finished: bool, compute: Callable[[], V]) -> V:
        """The value for `item` (its first element a session id); `compute` it when it is
        not kept, and keep it when the session is `finished`."""
        if finished:
            with self._lock:
                if item in self._items:  # a kept None (nobody in view) counts too
                    self._items.move_to_end(item)
                    self.hits += 1
                    return self._items[item]
        value = compute()
        with self._lock:
            self.misses += 1
            if finished:
                self._items[item] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def forget(self, session_id: str) -> None:
        """Drop a session's values (it was deleted)."""
        with self._lock:
            for item in [i for i in self._items if i[0] == session_id]:
                del self._items[item]
