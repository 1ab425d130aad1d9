"""One bench run: prepare frames, measure the ceiling, start or reach a backend, run modes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import os
import platform
import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from posestudio.bench.ceiling import CeilingResult, measure_ceiling
from posestudio.bench.clients import ClientFlow
from posestudio.bench.delay import DelayProxy
from posestudio.bench.results import SoakResult, StepResult
from posestudio.bench.runner import (
    BenchRun,
    Load,
    phase,
    run_idle_connections,
    run_soak,
    run_sweep,
)
from posestudio.bench.server import LocalServer, Target, listening_pid
from posestudio.bench.workload import Workload, prepare_workload
from posestudio.settings import Settings


@dataclass(frozen=True)
class BenchOptions:
    url: str | None = None
    token: str | None = None
    clients: tuple[int, ...] = (1, 2, 4, 10)
    fps: float = 10.0
    size: tuple[int, int] = (1280, 720)
    quality: int = 70
    duration: float = 10.0
    ceiling_duration: float | None = None
    workers: int | None = None
    flow: ClientFlow = "credits"
    rtt_ms: float = 0.0
    """Added round trip between the clients and the backend (`bench.delay.DelayProxy`)."""
    soak: bool = False
    soak_duration: float = 300.0
    soak_clients: int = 10
    soak_window: float = 60.0
    idle_connections: int = 0
    idle_streams: int = 10
    sweep: bool = True


@dataclass
class BenchReport:
    options: BenchOptions
    machine: dict[str, Any]
    workload: dict[str, Any]
    ceiling: CeilingResult
    target: dict[str, Any]
    single: CeilingResult | None = None
    """One worker alone: the bare per-frame time that one stream's latency compares with."""
    sweep: list[StepResult] = field(default_factory=list)
    soak: SoakResult | None = None
    idle: StepResult | None = None
    pipeline_us: dict[str, dict[str, float]] | None = None
    """Mean µs per result of each stage and sink over the run, from the server's metrics."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "workload": self.workload,
            "options": {
                "clients": list(self.options.clients),
                "fps": self.options.fps,
                "duration_s": self.options.duration,
                "flow": self.options.flow,
                "rtt_ms": self.options.rtt_ms,
            },
            "target": self.target,
            "ceiling": self.ceiling.as_dict(),
            "ceiling_one_worker": self.single.as_dict() if self.single else None,
            "sweep": [step.as_dict() for step in self.sweep],
            "soak": self.soak.as_dict() if self.soak else None,
            "idle_connections": self.idle.as_dict() if self.idle else None,
            "pipeline_us": self.pipeline_us,
        }


def machine_info() -> dict[str, Any]:
    """What the figures depend on: cores, CPU model, load, versions."""
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {}
    for package in ("mediapipe", "simplejpeg", "python-socketio", "uvicorn"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


async def pipeline_costs(target: Target) -> dict[str, dict[str, float]] | None:
    """Mean µs per result of every stage and sink, from `pose_stage_seconds` and
    `pose_sink_seconds` (perf counters around each call, in the server); None when the
    backend's metrics cannot be read."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    try:
        async with httpx.AsyncClient(base_url=target.url, timeout=10) as http:
            response = await http.get("/metrics")
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    sums: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(response.text):
        if family.name not in ("pose_stage_seconds", "pose_sink_seconds"):
            continue
        kind = "stages" if family.name == "pose_stage_seconds" else "sinks"
        for sample in family.samples:
            key = (kind, sample.labels.get("stage") or sample.labels.get("sink", ""))
            if sample.name.endswith("_sum"):
                sums[key] = sample.value
            elif sample.name.endswith("_count"):
                counts[key] = sample.value
    out: dict[str, dict[str, float]] = {"stages": {}, "sinks": {}}
    for (kind, name), count in sorted(counts.items()):
        if count:
            out[kind][name] = round(sums.get((kind, name), 0.0) / count * 1e6, 1)
    return out


def make_progress(console: Console | None) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.completed:>5.1f}/{task.total:.0f} s"),
        TimeElapsedColumn(),
        console=console,
        disable=console is None,
    )


async def _target(options: BenchOptions, workers: int) -> tuple[Target | None, LocalServer | None]:
    if options.url is None:
        return None, LocalServer(workers=workers)
    if options.token is None:
        raise ValueError("--url needs a token (--token or POSE_STUDIO_TOKEN)")
    pid = listening_pid(options.url)
    target = Target(
        url=options.url, token=options.token, pid=pid, started_here=False, workers=workers
    )
    return target, None


def _ceiling(
    workload: Workload, settings: Settings, workers: int, duration: float
) -> CeilingResult:
    from posestudio.imaging import decode_jpeg
    from posestudio.runtime import build_runtime
    from posestudio_core.auth import TokenAuthenticator

    # The server's own parts, not started: its registry builds the engines, and the
    # loop decodes as its workers do.
    runtime = build_runtime(settings, authenticator=TokenAuthenticator(secrets.token_urlsafe(24)))
    registry = runtime.registry
    try:
        return measure_ceiling(
            workload.frames,
            registry=registry,
            engine=settings.default_engine,
            decode=functools.partial(
                decode_jpeg, max_width=settings.max_width, max_height=settings.max_height
            ),
            workers=workers,
            duration=duration,
        )
    finally:
        registry.close()


async def run_bench(
    options: BenchOptions, settings: Settings, console: Console | None = None
) -> BenchReport:
    """Everything `posestudio bench` does, in order; `console=None` hides the progress."""
    workers = options.workers or settings.workers
    machine = machine_info()
    with make_progress(console) as progress:
        task = progress.add_task("preparing frames", total=None)
        workload = await asyncio.to_thread(
            prepare_workload, size=options.size, quality=options.quality
        )
        progress.remove_task(task)
        ceiling_s = options.ceiling_duration or options.duration
        # The ceiling runs first, alone, so that no server competes with it for the cores.
        async with phase(progress, f"ceiling, {workers} worker(s)", ceiling_s):
            ceiling = await asyncio.to_thread(_ceiling, workload, settings, workers, ceiling_s)
        single = None
        if 1 in options.clients and options.sweep and workers > 1:
            async with phase(progress, "ceiling, 1 worker", ceiling_s):
                single = await asyncio.to_thread(_ceiling, workload, settings, 1, ceiling_s)
        target, server = await _target(options, workers)
        async with contextlib.AsyncExitStack() as stack:
            if server is not None:
                task = progress.add_task("starting the backend", total=None)
                target = await stack.enter_async_context(server)
                progress.remove_task(task)
            assert target is not None
            if options.rtt_ms > 0:
                proxy = DelayProxy(target.url, one_way_s=options.rtt_ms / 2000)
                target = dataclasses.replace(target, url=stack.enter_context(proxy))
            report = BenchReport(
                options=options,
                machine=machine,
                workload={
                    "source": workload.source,
                    "frames": len(workload.frames),
                    "size": list(workload.size),
                    "quality": workload.quality,
                    "mean_jpeg_bytes": round(workload.mean_bytes),
                },
                ceiling=ceiling,
                single=single,
                target={
                    "url": "started by the bench" if target.started_here else target.url,
                    "workers": workers,
                    "server_pid_known": target.pid is not None,
                },
            )
            run = BenchRun(
                target,
                workload,
                Load(fps=options.fps, flow=options.flow),
                options.duration,
                ceiling.fps,
                progress,
            )
            if options.sweep:
                report.sweep = await run_sweep(run, counts=list(options.clients))
            if options.idle_connections:
                report.idle = await run_idle_connections(
                    run, idle=options.idle_connections, clients=options.idle_streams
                )
            report.pipeline_us = await pipeline_costs(target)
            if options.soak:
                report.soak = await run_soak(
                    dataclasses.replace(run, duration=options.soak_duration),
                    clients=options.soak_clients,
                    window_s=options.soak_window,
                )
    report.machine["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    return report
