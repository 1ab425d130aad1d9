"""The bench's modes: the sweep over client counts, the soak, and idle connections."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from rich.progress import Progress

from posestudio.bench.clients import ClientFleet, ClientFlow
from posestudio.bench.monitor import ProcessMonitor
from posestudio.bench.results import SoakResult, StepResult, soak_result, step_result
from posestudio.bench.server import Target
from posestudio.bench.workload import Workload
from posestudio.client import PoseClient

START_DELAY = 0.3
"""Seconds between the clients' start and their first frame, so all begin together."""


@dataclass(frozen=True)
class Load:
    """How each client sends: frames per second and the in-flight policy."""

    fps: float = 10.0
    flow: ClientFlow = "credits"


@dataclass(frozen=True)
class BenchRun:
    """What every step of one bench run shares: the backend, the frames, how clients send,
    how long a step streams, the ceiling to compare with, and the progress display."""

    target: Target
    workload: Workload
    load: Load
    duration: float
    ceiling_fps: float | None
    progress: Progress | None = None


@contextlib.asynccontextmanager
async def phase(progress: Progress | None, label: str, seconds: float) -> AsyncIterator[None]:
    """A progress bar that fills over `seconds` while the block runs."""
    if progress is None:
        yield
        return
    task = progress.add_task(label, total=seconds)
    began = time.monotonic()

    async def tick() -> None:
        while True:
            progress.update(task, completed=min(seconds, time.monotonic() - began))
            await asyncio.sleep(0.25)  # a display refresh, not synchronisation

    ticker = asyncio.create_task(tick())
    try:
        yield
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
        progress.update(task, completed=seconds)


async def run_step(
    run: BenchRun, *, clients: int, idle_connections: int = 0, label: str | None = None
) -> tuple[StepResult, ClientFleet, float]:
    """Stream from `clients` clients for `run.duration` s; returns the result, fleet, start time."""
    target, load, duration = run.target, run.load, run.duration
    server_monitor = ProcessMonitor(target.pid)
    client_monitor = ProcessMonitor(os.getpid())
    fleet = ClientFleet(
        target.url,
        target.token,
        run.workload,
        count=clients,
        fps=load.fps,
        flow=load.flow,
    )
    async with fleet:
        started = time.monotonic() + START_DELAY
        async with (
            phase(run.progress, label or f"{clients} client(s)", duration + START_DELAY),
            server_monitor.window() as server,
            client_monitor.window() as own,
        ):
            await fleet.run(duration, started)
    result = step_result(
        fleet.logs,
        fps=load.fps,
        duration=duration,
        started=started,
        server=server,
        client_cpu_percent=own.cpu_percent,
        ceiling_fps=run.ceiling_fps,
        workers=target.workers,
        idle_connections=idle_connections,
    )
    return result, fleet, started


async def run_sweep(run: BenchRun, *, counts: list[int]) -> list[StepResult]:
    """One step per client count, one after another on the same backend."""
    results = []
    for count in counts:
        result, _, _ = await run_step(run, clients=count)
        results.append(result)
    return results


async def run_soak(run: BenchRun, *, clients: int, window_s: float = 60.0) -> SoakResult:
    """A long saturated run; latency and server memory compared per window."""
    step, fleet, started = await run_step(run, clients=clients, label=f"soak, {clients} clients")
    return soak_result(step, fleet.logs, started=started, window_s=window_s)


async def run_idle_connections(run: BenchRun, *, idle: int, clients: int) -> StepResult:
    """Hold `idle` connections (no stream) open while `clients` stream."""
    held = [PoseClient(run.target.url, run.target.token, reconnect=False) for _ in range(idle)]
    try:
        # Connect in batches: a burst of a hundred handshakes is not what this measures.
        for i in range(0, idle, 20):
            await asyncio.gather(*(client.connect() for client in held[i : i + 20]))
        result, _, _ = await run_step(
            run,
            clients=clients,
            idle_connections=idle,
            label=f"{clients} clients + {idle} idle",
        )
        result.extra["idle_still_connected"] = sum(client.connected for client in held)
        return result
    finally:
        await asyncio.gather(*(client.close() for client in held), return_exceptions=True)
