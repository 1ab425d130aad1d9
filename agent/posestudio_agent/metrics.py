"""`pose_agent_*` metrics, read from the store and the queue when Prometheus scrapes.

Counters live in the store (Redis when configured), so requests finished by RQ workers
in other processes are counted by the API that serves `/agent/metrics`.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from posestudio_agent.jobs import REQUEST_BUCKETS, JobQueue
from posestudio_agent.store import RequestStore


class AgentCollector(Collector):
    def __init__(self, store: RequestStore, queue: JobQueue) -> None:
        self.store = store
        self.queue = queue

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "pose_agent_requests", "Agent requests by final status", labels=["status"]
        )
        for status, n in sorted(self.store.counters("requests").items()):
            requests.add_metric([status], n)
        yield requests

        yield GaugeMetricFamily(
            "pose_agent_queue_depth", "Requests accepted and not started", value=self.queue.depth()
        )

        buckets = self.store.counters("request_seconds_bucket")
        seconds = HistogramMetricFamily(
            "pose_agent_request_seconds", "Time from invoke to a finished result"
        )
        seconds.add_metric(
            [],
            [(repr(b), buckets.get(repr(b), 0.0)) for b in REQUEST_BUCKETS]
            + [("+Inf", buckets.get("+Inf", 0.0))],
            self.store.counters("request_seconds").get("sum", 0.0),
        )
        yield seconds

        tools = CounterMetricFamily(
            "pose_agent_tool_calls", "Tool calls the model made", labels=["tool", "ok"]
        )
        for key, n in sorted(self.store.counters("tool_calls").items()):
            tool, _, ok = key.partition("|")
            tools.add_metric([tool, ok], n)
        yield tools
