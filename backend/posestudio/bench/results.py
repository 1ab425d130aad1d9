"""What one run of clients produced, reduced to the figures the report shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from posestudio.bench.clients import ClientLog
from posestudio.bench.monitor import Usage
from posestudio.bench.stats import Summary, percentile, ratio, summarise


@dataclass
class StepResult:
    """One load level: `clients` streams for `duration` seconds."""

    clients: int
    fps: float
    duration: float
    offered: int
    sent: int
    poses: int
    poses_in_window: int
    with_person: int
    client_skipped: int
    server_dropped: int
    unanswered: int
    latency_ms: Summary
    server_ms: Summary
    overhead_ms: Summary
    """Per pose, end-to-end minus its own decode + inference: what serving adds."""
    server_parts_ms: dict[str, float | None]
    """p50 of the server's own split: queue (slot), decode, inference."""
    server: Usage
    client_cpu_percent: float | None
    up_bytes_per_frame: float | None
    down_bytes_per_message: float | None
    errors: dict[str, int]
    image_sizes: list[tuple[int, int]]
    ceiling_fps: float | None = None
    workers: int | None = None
    work_ms_in_window: float = 0.0
    idle_connections: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def offered_fps(self) -> float:
        return self.offered / self.duration

    @property
    def processed_fps(self) -> float:
        return self.poses_in_window / self.duration

    @property
    def ceiling_ratio(self) -> float | None:
        return ratio(self.processed_fps, self.ceiling_fps)

    @property
    def worker_busy(self) -> float | None:
        """Share of the workers' time spent decoding and inferring (1.0: never idle)."""
        if not self.workers:
            return None
        return self.work_ms_in_window / (self.duration * 1000 * self.workers)

    @property
    def loop_cpu_ms_per_frame(self) -> float | None:
        """Event-loop thread CPU per frame received (receive, checks, emit)."""
        if self.server.loop_cpu_percent is None or not self.sent:
            return None
        return self.server.loop_cpu_percent / 100 * self.duration * 1000 / self.sent

    @property
    def server_cpu_ms_per_pose(self) -> float | None:
        """Server CPU time (all threads) per pose sent back."""
        if self.server.cpu_percent is None or not self.poses:
            return None
        return self.server.cpu_percent / 100 * self.duration * 1000 / self.poses

    @property
    def drop_rate(self) -> float | None:
        """Share of the frames offered (the cameras' frames) that got no pose back."""
        return ratio(self.offered - self.poses, self.offered)

    def as_dict(self) -> dict[str, Any]:
        def r(value: float | None, digits: int = 2) -> float | None:
            return None if value is None else round(value, digits)

        return {
            "clients": self.clients,
            "idle_connections": self.idle_connections,
            "fps_per_client": self.fps,
            "duration_s": self.duration,
            "offered_fps": r(self.offered_fps),
            "processed_fps": r(self.processed_fps),
            "ceiling_fps": r(self.ceiling_fps),
            "served_over_ceiling": r(self.ceiling_ratio, 3),
            "latency_ms": self.latency_ms.as_dict(),
            "server_ms": self.server_ms.as_dict(),
            "overhead_ms": self.overhead_ms.as_dict(),
            "server_parts_ms": {k: r(v) for k, v in self.server_parts_ms.items()},
            "frames": {
                "offered": self.offered,
                "sent": self.sent,
                "poses": self.poses,
                "with_person": self.with_person,
                "client_skipped": self.client_skipped,
                "server_dropped": self.server_dropped,
                "unanswered": self.unanswered,
            },
            "drop_rate": r(self.drop_rate, 4),
            "server": self.server.as_dict(),
            "server_cpu_ms_per_pose": r(self.server_cpu_ms_per_pose),
            "loop_cpu_ms_per_frame": r(self.loop_cpu_ms_per_frame),
            "workers": self.workers,
            "worker_busy": r(self.worker_busy, 3),
            "client_cpu_percent": r(self.client_cpu_percent, 1),
            "up_bytes_per_frame": r(self.up_bytes_per_frame, 0),
            "down_bytes_per_message": r(self.down_bytes_per_message, 0),
            "errors": self.errors,
            "image_sizes": [list(size) for size in self.image_sizes],
            **self.extra,
        }


def step_result(
    logs: list[ClientLog],
    *,
    fps: float,
    duration: float,
    started: float,
    server: Usage,
    client_cpu_percent: float | None,
    ceiling_fps: float | None,
    workers: int | None = None,
    idle_connections: int = 0,
) -> StepResult:
    """Combine the clients' logs; throughput counts poses that arrived inside the window."""
    results = [entry for log in logs for entry in log.results]
    errors: Counter[str] = Counter()
    for log in logs:
        errors.update(log.errors)
    sent = sum(log.sent for log in logs)
    poses = sum(log.poses for log in logs)
    messages = poses + sum(log.errors.total() for log in logs)
    in_window = [r for r in results if started <= r.arrived <= started + duration]
    return StepResult(
        clients=len(logs),
        fps=fps,
        duration=duration,
        offered=sum(log.offered for log in logs),
        sent=sent,
        poses=poses,
        poses_in_window=len(in_window),
        with_person=sum(log.with_person for log in logs),
        client_skipped=sum(log.skipped for log in logs),
        server_dropped=sum(log.server_dropped for log in logs),
        unanswered=sum(log.expired for log in logs),
        latency_ms=summarise([r.e2e_ms for r in results]),
        server_ms=summarise([r.server_ms for r in results]),
        overhead_ms=summarise([r.e2e_ms - r.work_ms for r in results]),
        server_parts_ms={
            "queue_p50": percentile([r.queue_ms for r in results], 50),
            "decode_p50": percentile([r.decode_ms for r in results], 50),
            "infer_p50": percentile([r.infer_ms for r in results], 50),
        },
        server=server,
        client_cpu_percent=client_cpu_percent,
        up_bytes_per_frame=ratio(sum(log.up_bytes for log in logs), sent),
        down_bytes_per_message=ratio(sum(log.down_bytes for log in logs), messages),
        errors=dict(errors),
        image_sizes=sorted({size for log in logs for size in log.image_sizes}),
        ceiling_fps=ceiling_fps,
        workers=workers,
        work_ms_in_window=sum(r.work_ms for r in in_window),
        idle_connections=idle_connections,
    )


@dataclass
class SoakResult:
    """Latency and memory over a long run, compared window by window (a minute each)."""

    step: StepResult
    window_s: float
    p95_by_window: list[float | None]
    rss_by_window: list[int | None]

    @property
    def p95_growth(self) -> float | None:
        """p95 of the last window over p95 of the first (≤ 1.2 is the target)."""
        if len(self.p95_by_window) < 2:
            return None
        return ratio(self.p95_by_window[-1], self.p95_by_window[0])

    @property
    def rss_growth_bytes(self) -> int | None:
        if len(self.rss_by_window) < 2 or None in (self.rss_by_window[0], self.rss_by_window[-1]):
            return None
        return int(self.rss_by_window[-1] or 0) - int(self.rss_by_window[0] or 0)

    def as_dict(self) -> dict[str, Any]:
        growth = self.p95_growth
        return {
            **self.step.as_dict(),
            "window_s": self.window_s,
            "p95_ms_by_window": [None if v is None else round(v, 2) for v in self.p95_by_window],
            "p95_last_over_first": None if growth is None else round(growth, 3),
            "rss_by_window": self.rss_by_window,
            "rss_growth_bytes": self.rss_growth_bytes,
        }


def soak_result(
    step: StepResult, logs: list[ClientLog], *, started: float, window_s: float
) -> SoakResult:
    windows = max(1, round(step.duration / window_s))
    latencies: list[list[float]] = [[] for _ in range(windows)]
    for log in logs:
        for result in log.results:
            index = int((result.arrived - started) // window_s)
            if 0 <= index < windows:
                latencies[index].append(result.e2e_ms)
    rss: list[list[int]] = [[] for _ in range(windows)]
    for offset, value in step.server.rss:
        index = int(offset // window_s)
        if 0 <= index < windows:
            rss[index].append(value)
    return SoakResult(
        step=step,
        window_s=window_s,
        p95_by_window=[percentile(values, 95) for values in latencies],
        rss_by_window=[max(values) if values else None for values in rss],
    )
