"""Counts of what the edge refused, a rate-limited log of it, and their metrics."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from posestudio.transports.throttle import AuthThrottle

log = logging.getLogger("posestudio.edge")

# At most one summary line this often, whatever arrives.
LOG_INTERVAL_S = 10.0
TRACEBACK_INTERVAL_S = 60.0


class EdgeCounters:
    """Malformed packets by kind and refusals by reason; touched only on the event loop.

    Each refusal is counted at once; the log gets one line per `LOG_INTERVAL_S` at most,
    with the counts since the last line, never a traceback per packet.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.malformed: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self._clock = clock
        self._unlogged: Counter[str] = Counter()
        self._next_log = 0.0
        self._next_traceback = 0.0

    def count_malformed(self, kind: str) -> None:
        self.malformed[kind] += 1
        self._note(f"malformed:{kind}")

    def count_refused(self, reason: str) -> None:
        self.refused[reason] += 1
        self._note(f"refused:{reason}")

    def log_exception(self, where: str) -> None:
        """An unexpected exception: its traceback at most once per `TRACEBACK_INTERVAL_S`."""
        now = self._clock()
        if now >= self._next_traceback:
            self._next_traceback = now + TRACEBACK_INTERVAL_S
            log.exception("unexpected error in %s (tracebacks at most once a minute)", where)

    def _note(self, key: str) -> None:
        self._unlogged[key] += 1
        now = self._clock()
        if now >= self._next_log:
            self._next_log = now + LOG_INTERVAL_S
            summary = ", ".join(f"{k}={n}" for k, n in sorted(self._unlogged.items()))
            self._unlogged.clear()
            log.warning("edge refused (counts since the last such line): %s", summary)


class EdgeCollector(Collector):
    """`pose_malformed_packets_total`, `pose_edge_refused_total`, `pose_pending_sessions`."""

    def __init__(
        self, counters: EdgeCounters, throttle: AuthThrottle, pending: Callable[[], int]
    ) -> None:
        self._counters = counters
        self._throttle = throttle
        self._pending = pending

    def collect(self) -> Iterator[Metric]:
        malformed = CounterMetricFamily(
            "pose_malformed_packets",
            "Socket.IO packets refused at decoding",
            labels=["kind"],
        )
        for kind, n in sorted(self._counters.malformed.items()):
            malformed.add_metric([kind], n)
        yield malformed
        refused = CounterMetricFamily(
            "pose_edge_refused",
            "Requests and sessions refused by a limit before reaching the application",
            labels=["reason"],
        )
        for reason, n in sorted(self._counters.refused.items()):
            refused.add_metric([reason], n)
        refused.add_metric(["auth_throttled"], self._throttle.throttled_total)
        yield refused
        yield GaugeMetricFamily(
            "pose_pending_sessions",
            "Engine.IO sessions not (yet) connected to a namespace",
            value=self._pending(),
        )
