"""The global stream budget: streams on the whole server, and per person across connections.

A start reserves its place before it waits for an engine (so concurrent starts count),
and gives it back when the stream closes or the start fails. The defaults come from
the host's memory and the enabled engines' declared footprint (`capacity_defaults`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import psutil

from posestudio.errors import Capacity

# The share of the host's memory the engines' instances may take by default.
MEMORY_SHARE = 0.5


@dataclass(frozen=True)
class Limits:
    streams_total: int
    streams_per_person: int
    engine_instances: int


def capacity_defaults(
    footprint_bytes: int,
    *,
    streams_total: int | None,
    per_person: int,
    engine_instances: int | None,
    max_idle: int,
    total_memory: int | None = None,
) -> Limits:
    """Limits from settings, where unset: as many instances as half the memory holds."""
    memory = total_memory if total_memory is not None else psutil.virtual_memory().total
    fit = max(1, int(memory * MEMORY_SHARE) // max(1, footprint_bytes))
    instances = engine_instances if engine_instances is not None else fit
    streams = streams_total if streams_total is not None else max(1, instances - max_idle)
    return Limits(streams, per_person, instances)


class StreamBudget:
    """Counts streams (running and starting) by person. Touched only on the event loop."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._by_person: Counter[str] = Counter()
        self._total = 0

    @property
    def used(self) -> int:
        return self._total

    def reserve(self, subject: str) -> None:
        """One more stream for `subject`, or `Capacity` (details: limit, scope)."""
        total, per_person = self.limits.streams_total, self.limits.streams_per_person
        if self._total >= total:
            raise Capacity(
                f"the server runs its limit of {total} streams; try again later",
                details={"limit": total, "scope": "server"},
            )
        if self._by_person[subject] >= per_person:
            raise Capacity(
                f"at most {per_person} streams per person, across connections",
                details={"limit": per_person, "scope": "person"},
            )
        self._by_person[subject] += 1
        self._total += 1

    def release(self, subject: str) -> None:
        self._by_person[subject] -= 1
        if self._by_person[subject] <= 0:
            del self._by_person[subject]
        self._total -= 1
