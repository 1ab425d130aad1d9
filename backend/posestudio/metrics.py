"""Plain counters updated on the event loop; Prometheus reads them at scrape time."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from posestudio.gpu import GpuMonitor

LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5)
# Stages and sinks cost microseconds, not milliseconds.
STEP_BUCKETS = (1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 1e-2, 0.1)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


@dataclass
class Histogram:
    """Fixed-bucket histogram: `observe` is a bisect and two additions."""

    buckets: tuple[float, ...] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.buckets) + 1)

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value
        self.count += 1

    def cumulative(self) -> list[tuple[str, float]]:
        out, running = [], 0
        for bound, n in zip((*self.buckets, float("inf")), self.counts, strict=True):
            running += n
            out.append(("+Inf" if bound == float("inf") else repr(bound), float(running)))
        return out


@dataclass
class EngineCounters:
    received: int = 0
    processed: int = 0
    inference: Histogram = field(default_factory=Histogram)
    server: Histogram = field(default_factory=Histogram)
    queue: Histogram = field(default_factory=Histogram)


@dataclass
class SinkCounters:
    delivered: int = 0
    dropped: int = 0
    behind: int = 0
    """Times a lossless sink's buffer was full (each also sends SINK_BEHIND, throttled)."""
    cost: Histogram = field(default_factory=lambda: Histogram(STEP_BUCKETS))


class ServerStats:
    """Every counter the backend exports. Touched only from the event loop thread."""

    def __init__(self) -> None:
        self.engines: dict[str, EngineCounters] = {}
        self.dropped: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.connections_total = 0
        self.disconnects_total = 0
        self.active_connections = 0
        self.rejected_connections = 0
        self.sinks: dict[str, SinkCounters] = {}
        self.stages: dict[str, Histogram] = {}
        self.batches: dict[str, Histogram] = {}

    def engine(self, name: str) -> EngineCounters:
        counters = self.engines.get(name)
        if counters is None:
            counters = self.engines[name] = EngineCounters()
        return counters

    def sink(self, name: str) -> SinkCounters:
        counters = self.sinks.get(name)
        if counters is None:
            counters = self.sinks[name] = SinkCounters()
        return counters

    def stage(self, name: str) -> Histogram:
        histogram = self.stages.get(name)
        if histogram is None:
            histogram = self.stages[name] = Histogram(STEP_BUCKETS)
        return histogram

    def batch(self, engine: str) -> Histogram:
        histogram = self.batches.get(engine)
        if histogram is None:
            histogram = self.batches[engine] = Histogram(BATCH_BUCKETS)
        return histogram


class PoseCollector(Collector):
    """Builds the `pose_*` metric families from `ServerStats` when Prometheus scrapes."""

    def __init__(
        self,
        stats: ServerStats,
        active_streams: Callable[[], dict[str, int]],
        engines_loaded: Callable[[], dict[str, bool]],
        gpus: GpuMonitor | None = None,
        capacity: Callable[[], dict[str, int]] | None = None,
    ) -> None:
        self._stats = stats
        self._capacity = capacity
        self._active_streams = active_streams
        self._engines_loaded = engines_loaded
        self._gpus = gpus or GpuMonitor()

    def collect(self) -> Iterator[Metric]:
        s = self._stats
        received = CounterMetricFamily(
            "pose_frames_received", "Frames received from clients", labels=["engine"]
        )
        processed = CounterMetricFamily(
            "pose_frames_processed", "Frames decoded and inferred", labels=["engine"]
        )
        infer = HistogramMetricFamily(
            "pose_inference_seconds", "Engine inference time per frame", labels=["engine"]
        )
        server = HistogramMetricFamily(
            "pose_server_seconds",
            "Time from a frame's arrival to its pose being sent",
            labels=["engine"],
        )
        queue = HistogramMetricFamily(
            "pose_queue_seconds", "Time a frame waited for a worker", labels=["engine"]
        )
        for name, c in sorted(s.engines.items()):
            received.add_metric([name], c.received)
            processed.add_metric([name], c.processed)
            infer.add_metric([name], c.inference.cumulative(), c.inference.total)
            server.add_metric([name], c.server.cumulative(), c.server.total)
            queue.add_metric([name], c.queue.cumulative(), c.queue.total)
        yield from (received, processed, infer, server, queue)

        dropped = CounterMetricFamily(
            "pose_frames_dropped", "Frames dropped before processing", labels=["reason"]
        )
        for reason in ("superseded", "rate_limited", "closed"):
            dropped.add_metric([reason], s.dropped[reason])
        yield dropped

        yield from self._pipeline()

        errors = CounterMetricFamily("pose_errors", "Errors sent to clients", labels=["code"])
        for code, n in sorted(s.errors.items()):
            errors.add_metric([code], n)
        yield errors

        streams = GaugeMetricFamily("pose_active_streams", "Running streams", labels=["engine"])
        for name, n in sorted(self._active_streams().items()):
            streams.add_metric([name], n)
        yield streams
        if self._capacity is not None:
            yield from _capacity_families(self._capacity())

        yield GaugeMetricFamily(
            "pose_active_connections", "Connected /pose clients", value=s.active_connections
        )
        yield CounterMetricFamily(
            "pose_connections", "Accepted /pose connections", value=s.connections_total
        )
        yield CounterMetricFamily(
            "pose_disconnects", "Closed /pose connections", value=s.disconnects_total
        )
        yield CounterMetricFamily(
            "pose_connections_rejected",
            "Refused /pose connections (bad token)",
            value=s.rejected_connections,
        )
        loaded = GaugeMetricFamily(
            "pose_engine_loaded", "1 when the engine is loaded", labels=["engine"]
        )
        for name, ok in sorted(self._engines_loaded().items()):
            loaded.add_metric([name], 1.0 if ok else 0.0)
        yield loaded

        # The GPU families are always declared (alert rules refer to them); they
        # carry samples only on a host with NVIDIA GPUs.
        used = GaugeMetricFamily("pose_gpu_memory_used_bytes", "GPU memory in use", labels=["gpu"])
        total = GaugeMetricFamily("pose_gpu_memory_total_bytes", "GPU memory", labels=["gpu"])
        util = GaugeMetricFamily("pose_gpu_utilization_ratio", "GPU busy ratio", labels=["gpu"])
        for gpu in self._gpus.read():
            used.add_metric([str(gpu.index)], gpu.memory_used_bytes)
            total.add_metric([str(gpu.index)], gpu.memory_total_bytes)
            util.add_metric([str(gpu.index)], gpu.utilization_ratio)
        yield from (used, total, util)

    def _pipeline(self) -> Iterator[Metric]:
        """Sinks, stages and batches (docs/protocol.md, "Metrics")."""
        s = self._stats
        dropped = CounterMetricFamily(
            "pose_sink_dropped", "Results a sink's full buffer dropped", labels=["sink"]
        )
        behind = CounterMetricFamily(
            "pose_sink_behind", "Times a lossless sink's buffer was full", labels=["sink"]
        )
        delivered = CounterMetricFamily(
            "pose_sink_delivered", "Results sinks delivered", labels=["sink"]
        )
        cost = HistogramMetricFamily(
            "pose_sink_seconds", "Time a sink took to deliver one result", labels=["sink"]
        )
        for name, c in sorted(s.sinks.items()):
            dropped.add_metric([name], c.dropped)
            behind.add_metric([name], c.behind)
            delivered.add_metric([name], c.delivered)
            cost.add_metric([name], c.cost.cumulative(), c.cost.total)
        yield from (dropped, behind, delivered, cost)
        stages = HistogramMetricFamily(
            "pose_stage_seconds", "Time a stage took on one result", labels=["stage"]
        )
        for name, h in sorted(s.stages.items()):
            stages.add_metric([name], h.cumulative(), h.total)
        yield stages
        batches = HistogramMetricFamily(
            "pose_batch_size", "Frames per batched inference call", labels=["engine"]
        )
        for name, h in sorted(s.batches.items()):
            batches.add_metric([name], h.cumulative(), h.total)
        yield batches


def _capacity_families(capacity: dict[str, int]) -> Iterator[Metric]:
    """The global budget: streams (running and starting) and engine instances, used/limit."""
    streams = GaugeMetricFamily(
        "pose_capacity_streams", "Streams counted against the server's budget", labels=["kind"]
    )
    streams.add_metric(["used"], capacity["streams"])
    streams.add_metric(["limit"], capacity["max_streams_total"])
    yield streams
    instances = GaugeMetricFamily(
        "pose_capacity_engine_instances",
        "Engine instances (in use, idle, being built) against their cap",
        labels=["kind"],
    )
    instances.add_metric(["used"], capacity["engine_instances"])
    instances.add_metric(["limit"], capacity["max_engine_instances"])
    yield instances
