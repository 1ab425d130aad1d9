"""Failed authentication attempts, throttled per client address (docs/security.md)."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

# Enough for every address a busy edge sees in a minute; the oldest is forgotten first.
MAX_ADDRESSES = 10_000


class AuthThrottle:
    """A token bucket per address: `per_minute` failures, refilled evenly over a minute.

    An address whose bucket is empty is throttled until a token is back. Successes
    cost nothing, so a person who mistypes a token a few times is never slowed.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = MAX_ADDRESSES,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._max = max_addresses
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.throttled_total = 0

    def _tokens(self, address: str) -> float:
        entry = self._buckets.get(address)
        if entry is None:
            return self.capacity
        tokens, stamp = entry
        return min(self.capacity, tokens + (self._clock() - stamp) * self.rate)

    def retry_after(self, address: str) -> int:
        """0 when `address` may try to authenticate, else whole seconds to wait."""
        tokens = self._tokens(address)
        if tokens >= 1.0:
            return 0
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def refuse(self, address: str) -> int:
        """`retry_after`, counting a refusal when it is not 0."""
        wait = self.retry_after(address)
        if wait:
            self.throttled_total += 1
        return wait

    def failure(self, address: str) -> None:
        """One failed attempt from `address`."""
        tokens = max(0.0, self._tokens(address) - 1.0)
        self._buckets[address] = (tokens, self._clock())
        self._buckets.move_to_end(address)
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
