"""The pipeline under load in process: paced streams into the real stream manager.

No transport: each of N streams submits a JPEG at its frame rate through
`StreamManager.submit`, the call the Socket.IO and WebRTC handlers make, and the real
scheduler (a `BatchScheduler` for a batching engine), worker pool and engine do the rest.
It measures the server's own part of a pose: `server_ms` (frame received → result
published) with its queue, decode and inference split, the batch sizes, poses/s, the
frames superseded in their slots, and the CPU time per pose. The transport's own cost
(about 1 ms of event loop per received frame, docs/benchmarks.md) is not in it.

It imports none of the transports, the API or the database, so it runs where only the
pipeline's and the engine's packages are: the GPU check (docs/gpu-check.sh) carries it.

    python -m posestudio.bench.inprocess --engine blazepose --streams 1,10,50 --fps 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from posestudio.engines import EngineRegistry
from posestudio.metrics import ServerStats
from posestudio.pipeline import StreamManager
from posestudio.pipeline.frames import Frame, FrameMeta
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.schedulers import Workers
from posestudio.pipeline.scheduling import Schedulers
from posestudio.pipeline.stream import Stream
from posestudio.protocol import StartRequest
from posestudio.settings import Settings
from posestudio_core.auth import Principal

STREAMS_PER_CONNECTION = 100
"""The settings' ceiling for one connection; more streams use more connections."""


@dataclass
class LoadRow:
    streams: int
    fps_per_stream: float
    seconds: float
    submitted: int
    poses: int
    poses_per_s: float
    server_ms_p50: float | None
    server_ms_p95: float | None
    queue_ms_p50: float | None
    decode_ms_p50: float | None
    infer_ms_p50: float | None
    """The batch's one inference call, as each frame in it counts it."""
    batches: int
    batch_mean: float | None
    superseded: int
    """Frames replaced in their slot by a newer one before a worker took them."""
    errors: int
    cpu_ms_per_pose: float | None
    """This process's CPU time (every thread) over the window, per pose."""
    gpu_peak_mib: float | None = None


def _percentile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


class _Recorder:
    """A sink on every stream: when each result was published, and its timing."""

    name = "load"
    lossless = False
    inline = True

    def __init__(self) -> None:
        self.results: list[tuple[float, float, dict[str, float]]] = []
        """(received, published, timing) per result."""
        self.errors = 0

    def __call__(self, stream: Stream) -> _Recorder:
        return self

    async def deliver(self, result: PoseResult) -> None:
        self.results.append((result.received, time.monotonic(), dict(result.timing)))

    async def close(self) -> None:
        pass


def load_settings(engine: str, *, workers: int, max_batch: int, max_wait_ms: float) -> Settings:
    """Settings that let the load through: no stream, rate or size limit in its way."""
    return Settings(
        environment="test",
        engines=[engine],
        default_engine=engine,
        workers=workers,
        max_fps=1000.0,
        max_streams_per_connection=STREAMS_PER_CONNECTION,
        max_streams_per_person=100_000,
        max_streams_total=100_000,  # not the cap the host's memory would set
        max_width=3840,
        max_height=2160,
        max_frame_bytes=8_000_000,
        batch_max_size=max_batch,
        batch_max_wait_ms=max_wait_ms,
        history_seconds=0,
    )


async def run_load(
    settings: Settings,
    registry: EngineRegistry,
    jpegs: Sequence[bytes],
    *,
    streams: int,
    fps: float,
    seconds: float,
    warmup: float,
    gpu_peak: Callable[[bool], float | None] = lambda reset: None,
) -> LoadRow:
    """`streams` streams at `fps` each for `warmup` + `seconds`; figures over the last
    `seconds` only (the first detections and any lazy compilation fall in the warmup)."""
    stats = ServerStats()
    manager = StreamManager(settings, registry, stats)
    recorder = _Recorder()
    manager.add_sink_factory(recorder)
    executor = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="pose-worker")
    schedulers = Schedulers(settings, registry, Workers(executor, settings.workers), stats, manager)
    manager.use(schedulers)
    owner = Principal(subject="load")

    async def on_event(event: str, payload: dict[str, Any]) -> None:
        if event == "error":
            recorder.errors += 1

    connections = [f"load{i}" for i in range((streams - 1) // STREAMS_PER_CONNECTION + 1)]
    for connection in connections:
        manager.open_connection(connection)
    started = await asyncio.gather(
        *(
            manager.start(
                owner,
                connections[i // STREAMS_PER_CONNECTION],
                StartRequest(stream_id=f"s{i}", engine=settings.default_engine),
                on_event,
            )
            for i in range(streams)
        )
    )
    submitted = [0]
    window = [0.0, 0.0]

    async def camera(index: int, stream: Stream, deadline: float) -> None:
        period = 1.0 / fps
        due = time.monotonic() + period * index / streams  # cameras out of phase
        seq = 0
        while due < deadline:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            now = time.monotonic()
            jpeg = jpegs[(seq + index) % len(jpegs)]
            frame = Frame(
                meta=FrameMeta(seq=seq, capture_ts=time.time() * 1000), received=now, jpeg=jpeg
            )
            try:
                manager.submit(stream, frame)
            except Exception:  # a refusal (none expected with these settings): counted
                recorder.errors += 1
            if window[0] <= now < window[1]:
                submitted[0] += 1
            seq += 1
            due += period

    begin = time.monotonic()
    window[:] = [begin + warmup, begin + warmup + seconds]
    batch = stats.batch(settings.default_engine)
    before: tuple[int, float, int, float] | None = None

    async def mark_window() -> None:
        nonlocal before
        await asyncio.sleep(max(0.0, window[0] - time.monotonic()))
        gpu_peak(True)
        before = (batch.count, batch.total, stats.dropped["superseded"], time.process_time())

    try:
        await asyncio.gather(
            mark_window(),
            *(camera(i, s, window[1]) for i, s in enumerate(started)),
        )
        cpu_end = time.process_time()
        after = (batch.count, batch.total, stats.dropped["superseded"])
        peak = gpu_peak(False)
    finally:
        for connection in connections:
            await manager.stop_connection(connection)
        await schedulers.close()
        executor.shutdown(wait=True, cancel_futures=True)
    assert before is not None
    published = [(r, p, t) for r, p, t in recorder.results if window[0] <= p < window[1]]
    timed = [t for r, p, t in recorder.results if window[0] <= r < window[1]]
    batches = after[0] - before[0]
    return LoadRow(
        streams=streams,
        fps_per_stream=fps,
        seconds=seconds,
        submitted=submitted[0],
        poses=len(published),
        poses_per_s=round(len(published) / seconds, 1),
        server_ms_p50=_percentile([t["server_ms"] for t in timed], 50),
        server_ms_p95=_percentile([t["server_ms"] for t in timed], 95),
        queue_ms_p50=_percentile([t["queue_ms"] for t in timed], 50),
        decode_ms_p50=_percentile([t["decode_ms"] for t in timed], 50),
        infer_ms_p50=_percentile([t["infer_ms"] for t in timed], 50),
        batches=batches,
        batch_mean=round((after[1] - before[1]) / batches, 2) if batches else None,
        superseded=after[2] - before[2],
        errors=recorder.errors,
        cpu_ms_per_pose=(
            round((cpu_end - before[3]) * 1000 / len(published), 2) if published else None
        ),
        gpu_peak_mib=peak,
    )


def sweep(
    settings: Settings,
    registry: EngineRegistry,
    jpegs: Sequence[bytes],
    counts: Sequence[int],
    *,
    fps: float,
    seconds: float,
    warmup: float,
    gpu_peak: Callable[[bool], float | None] = lambda reset: None,
) -> list[LoadRow]:
    """`run_load` at each stream count in turn (each on a loop of its own), each row
    printed as JSON as it is measured."""
    rows = []
    for n in counts:
        row = asyncio.run(
            run_load(
                settings,
                registry,
                jpegs,
                streams=n,
                fps=fps,
                seconds=seconds,
                warmup=warmup,
                gpu_peak=gpu_peak,
            )
        )
        print(json.dumps(asdict(row)), flush=True)
        rows.append(row)
    return rows


def markdown(rows: Sequence[LoadRow]) -> str:
    lines = [
        "| streams | poses/s | server p50 | p95 ms | queue p50 | decode p50 | infer p50 ms "
        "| batch mean | superseded | CPU ms/pose | GPU MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:g}"

    for r in rows:
        lines.append(
            f"| {r.streams} | {r.poses_per_s:g} | {num(r.server_ms_p50)} | "
            f"{num(r.server_ms_p95)} | {num(r.queue_ms_p50)} | {num(r.decode_ms_p50)} | "
            f"{num(r.infer_ms_p50)} | {num(r.batch_mean)} | {r.superseded} | "
            f"{num(r.cpu_ms_per_pose)} | {num(r.gpu_peak_mib)} |"
        )
    return "\n".join(lines) + "\n"


def video_jpegs(width: int, height: int, count: int = 16, quality: int = 70) -> list[bytes]:
    """The real test video's first frames at `width` x `height`, as JPEGs."""
    from posestudio.client.sources import read_frames, test_video_path
    from posestudio.imaging import encode_jpeg

    frames = read_frames(test_video_path(), size=(width, height), limit=count)
    return [encode_jpeg(rgb, quality) for rgb in frames]


def main() -> None:
    from posestudio.engines import default_registry

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="blazepose")
    parser.add_argument("--streams", default="1,10,50")
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-max", type=int, default=8)
    parser.add_argument("--batch-wait-ms", type=float, default=2.0)
    parser.add_argument("--config", default="{}", help="the engine's config, as JSON")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    jpegs = video_jpegs(width, height)
    settings = load_settings(
        args.engine,
        workers=args.workers,
        max_batch=args.batch_max,
        max_wait_ms=args.batch_wait_ms,
    )
    registry = default_registry([args.engine], config={args.engine: json.loads(args.config)})
    registry.load(args.engine)
    try:
        rows = sweep(
            settings,
            registry,
            jpegs,
            [int(v) for v in args.streams.split(",")],
            fps=args.fps,
            seconds=args.seconds,
            warmup=args.warmup,
        )
    finally:
        registry.close()
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump([asdict(r) for r in rows], f, indent=2)


if __name__ == "__main__":
    main()
