"""CPU use and resident memory of a process (the server), sampled while a run goes on."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import psutil

from posestudio_core.waits import wait_event


@dataclass
class Usage:
    """`cpu_percent` as `top` shows it: 100 is one core busy. RSS in bytes."""

    cpu_percent: float | None = None
    loop_cpu_percent: float | None = None
    """The main thread's share: in the backend, the event loop."""
    wait_percent: float | None = None
    """Time ready to run but kept waiting for a core by other work (100 = one core's worth)."""
    peak_rss: int | None = None
    # (seconds since the window opened, rss bytes)
    rss: list[tuple[float, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cpu_percent": None if self.cpu_percent is None else round(self.cpu_percent, 1),
            "loop_cpu_percent": None
            if self.loop_cpu_percent is None
            else round(self.loop_cpu_percent, 1),
            "wait_percent": None if self.wait_percent is None else round(self.wait_percent, 1),
            "peak_rss": self.peak_rss,
        }


def run_delays(pid: int) -> dict[str, int] | None:
    """Per thread, nanoseconds spent ready to run but waiting for a core (Linux).

    From `/proc/PID/task/*/schedstat`: how much other work on the machine held the
    process back. None where the kernel does not provide it.
    """
    delays = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as handle:
                delays[tid] = int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # a thread that ended meanwhile
    return delays


def run_delay_between(before: dict[str, int] | None, after: dict[str, int] | None) -> float | None:
    """Seconds of waiting between two `run_delays` snapshots, over the threads alive at the
    second (a thread that ended in between is left out rather than counted negative)."""
    if before is None or after is None:
        return None
    return sum(ns - before.get(tid, 0) for tid, ns in after.items()) / 1e9


def _cpu_seconds(proc: psutil.Process) -> tuple[float, float | None]:
    """User + system time of the process (all threads) and of its main thread."""
    times = proc.cpu_times()
    main = None
    with contextlib.suppress(psutil.Error):
        # On Linux the main thread's id is the process id.
        for thread in proc.threads():
            if thread.id == proc.pid:
                main = thread.user_time + thread.system_time
    return float(times.user + times.system), main


class ProcessMonitor:
    """Samples one process; `pid=None` (a remote server) yields empty usage."""

    def __init__(self, pid: int | None, interval: float = 0.25) -> None:
        self._proc = psutil.Process(pid) if pid is not None else None
        self.interval = interval

    @contextlib.asynccontextmanager
    async def window(self) -> AsyncIterator[Usage]:
        """Measure from entry to exit; the `Usage` is filled in when the block ends."""
        usage = Usage()
        proc = self._proc
        if proc is None:
            yield usage
            return
        opened = time.monotonic()
        cpu_before, main_before = _cpu_seconds(proc)
        wait_before = run_delays(proc.pid)
        stop = asyncio.Event()

        async def sample() -> None:
            while not stop.is_set():
                with contextlib.suppress(psutil.Error):
                    usage.rss.append((time.monotonic() - opened, proc.memory_info().rss))
                await wait_event(stop, self.interval)

        sampler = asyncio.create_task(sample())
        try:
            yield usage
        finally:
            stop.set()
            await sampler
            elapsed = time.monotonic() - opened
            with contextlib.suppress(psutil.Error):
                cpu_after, main_after = _cpu_seconds(proc)
                usage.cpu_percent = 100 * (cpu_after - cpu_before) / max(elapsed, 1e-9)
                waited = run_delay_between(wait_before, run_delays(proc.pid))
                if waited is not None:
                    usage.wait_percent = 100 * waited / max(elapsed, 1e-9)
                if main_before is not None and main_after is not None:
                    usage.loop_cpu_percent = 100 * (main_after - main_before) / max(elapsed, 1e-9)
                usage.rss.append((elapsed, proc.memory_info().rss))
            usage.peak_rss = max((rss for _, rss in usage.rss), default=None)
