"""The ceiling: the same frames through the same engine in a bare loop, no server.

Each worker thread holds its own engine instance (as each server stream does) and
loops decode + inference over the workload until the deadline. With as many workers
as the server has, this is the most frames per second the server could deliver.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from posestudio.bench.monitor import run_delay_between, run_delays
from posestudio.bench.stats import Summary, summarise
from posestudio.engines import EngineRegistry

Decode = Callable[[bytes], np.ndarray]


@dataclass
class CeilingResult:
    workers: int
    seconds: float
    frames: int
    fps: float
    frame_ms: Summary
    decode_ms: Summary
    infer_ms: Summary
    cpu_cores: float | None = None
    """Cores this process used during the loop (1.0 is one core busy)."""
    wait_cores: float | None = None
    """Cores' worth of time its threads were ready but waited for a core (other work)."""

    @property
    def cpu_ms_per_frame(self) -> float | None:
        """CPU time per frame, all threads: unlike fps, it holds when others share the cores."""
        if self.cpu_cores is None or not self.frames:
            return None
        return self.cpu_cores * self.seconds * 1000 / self.frames

    def as_dict(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "frames": self.frames,
            "fps": round(self.fps, 2),
            "frame_ms": self.frame_ms.as_dict(),
            "decode_ms": self.decode_ms.as_dict(),
            "infer_ms": self.infer_ms.as_dict(),
            "cpu_cores": self.cpu_cores,
            "wait_cores": self.wait_cores,
            "cpu_ms_per_frame": None
            if self.cpu_ms_per_frame is None
            else round(self.cpu_ms_per_frame, 2),
        }


@dataclass
class _WorkerLog:
    decode_ms: list[float] = field(default_factory=list)
    infer_ms: list[float] = field(default_factory=list)
    finished: float = 0.0


def measure_ceiling(
    frames: tuple[bytes, ...] | list[bytes],
    *,
    registry: EngineRegistry,
    engine: str,
    decode: Decode,
    workers: int,
    duration: float,
    warmup_frames: int = 10,
) -> CeilingResult:
    """Run `workers` threads of decode + inference for `duration` seconds (blocking).

    Each worker warms its engine on `warmup_frames` frames first (the engine's video
    tracking then runs as it does on a live stream), and workers start their timed loop
    together; each starts at a different frame.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if not frames:
        raise ValueError("no frames to measure")
    info = registry.info(engine)
    if not info.loaded:
        info = registry.load(engine)
    engines = [registry.acquire(engine) for _ in range(workers)]
    logs = [_WorkerLog() for _ in range(workers)]
    start = threading.Barrier(workers + 1)
    # Workers stay alive until the main thread has read their scheduler accounts.
    finish = threading.Barrier(workers + 1)
    leave = threading.Event()
    errors: list[BaseException] = []

    def fail(exc: BaseException) -> None:
        errors.append(exc)
        start.abort()  # nobody waits for a worker that will not come
        finish.abort()

    def work(index: int) -> None:
        pose, log = engines[index], logs[index]
        position = index * len(frames) // workers
        try:
            for i in range(warmup_frames):
                pose.process(decode(frames[(position + i) % len(frames)]))
            start.wait()
            stop_at = time.perf_counter() + duration
            while (began := time.perf_counter()) < stop_at:
                rgb = decode(frames[position % len(frames)])
                decoded = time.perf_counter()
                pose.process(rgb)
                inferred = time.perf_counter()
                log.decode_ms.append((decoded - began) * 1000)
                log.infer_ms.append((inferred - decoded) * 1000)
                position += 1
            log.finished = time.perf_counter()
            finish.wait()
        except threading.BrokenBarrierError:
            return  # another worker failed
        except BaseException as exc:
            fail(exc)
            return
        leave.wait()

    threads = [
        threading.Thread(target=work, args=(i,), name=f"ceiling-{i}", daemon=True)
        for i in range(workers)
    ]
    try:
        for thread in threads:
            thread.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait()
        began = time.perf_counter()
        cpu_before = time.process_time()
        wait_before = run_delays(os.getpid())
        with contextlib.suppress(threading.BrokenBarrierError):
            finish.wait()
        cpu_used = time.process_time() - cpu_before
        waited = run_delay_between(wait_before, run_delays(os.getpid()))
        leave.set()
        for thread in threads:
            thread.join()
    finally:
        for pose in engines:
            registry.release(engine, pose)
    if errors:
        raise errors[0]
    seconds = max(log.finished for log in logs) - began
    decode_ms = [ms for log in logs for ms in log.decode_ms]
    infer_ms = [ms for log in logs for ms in log.infer_ms]
    frame_ms = [d + i for log in logs for d, i in zip(log.decode_ms, log.infer_ms, strict=True)]
    return CeilingResult(
        workers=workers,
        seconds=seconds,
        frames=len(frame_ms),
        fps=len(frame_ms) / seconds if seconds > 0 else 0.0,
        frame_ms=summarise(frame_ms),
        decode_ms=summarise(decode_ms),
        infer_ms=summarise(infer_ms),
        cpu_cores=cpu_used / seconds if seconds > 0 else None,
        wait_cores=None if waited is None or seconds <= 0 else waited / seconds,
    )
