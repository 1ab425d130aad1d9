"""Sign-in rate limiting: failed attempts per account and per client address.

Counted in this process's memory (one backend serves a studio; a restart forgets, which
only ever lets a person in sooner). Memory is bounded: the oldest keys are dropped.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from posestudio.errors import RateLimited

MAX_KEYS = 10_000


class FailureWindow:
    """Failure times per key within a sliding window."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        cutoff = self._clock() - self.window_s
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: str) -> float | None:
        """Seconds until the next attempt is allowed, or None when allowed now."""
        times = self._recent(key)
        if times is None or len(times) < self.limit:
            return None
        return max(0.0, times[0] + self.window_s - self._clock())

    def fail(self, key: str) -> None:
        times = self._failures.setdefault(key, deque(maxlen=self.limit))
        self._failures.move_to_end(key)
        times.append(self._clock())
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


class SignInLimiter:
    """Refuses a sign-in before any password check once either count is reached."""

    def __init__(
        self,
        *,
        per_account: int,
        per_client: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self.accounts = FailureWindow(per_account, window_s, clock)
        self.clients = FailureWindow(per_client, window_s, clock)

    def check(self, email: str, client: str | None) -> None:
        with self._lock:
            waits = [self.accounts.retry_after(email.lower())]
            if client:
                waits.append(self.clients.retry_after(client))
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            raise RateLimited(
                "too many failed sign-ins; try again later",
                details={"retry_after_s": math.ceil(wait)},
            )

    def failed(self, email: str, client: str | None) -> None:
        with self._lock:
            self.accounts.fail(email.lower())
            if client:
                self.clients.fail(client)

    def succeeded(self, email: str) -> None:
        with self._lock:
            self.accounts.clear(email.lower())
