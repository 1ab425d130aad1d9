"""Socket.IO against WebRTC on the same video (docs/benchmarks.md, "WebRTC (#16)").

    python -m posestudio.bench.transports [--url URL --token T] [--streams 1 10] [--json F]

Without `--url` it starts `posestudio serve` itself (LocalServer). For each transport and
stream count, that many clients stream the real test video at the same size and rate: JPEG
frames on `/pose` (credits: a frame goes only when the server can take it) or a video track
(VP8, poses on the data channel). Per run: poses/s, end-to-end latency p50/p95 (capture on
this machine to the pose here), upstream bytes per frame sent and Mbit/s, frames dropped
by the server, and the server's CPU seconds per pose (JPEG decode against video decode).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from posestudio.bench.server import LocalServer, Target, listening_pid
from posestudio.client.run import StreamReport, stream_source
from posestudio.client.sources import test_video_path
from posestudio.client.webrtc import stream_source_webrtc


@dataclass
class TransportRun:
    transport: str
    streams: int
    seconds: float
    sent: int
    poses: int
    poses_per_s: float
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    bytes_per_frame: float | None
    upstream_mbit_s: float | None
    server_dropped: int
    client_skipped: int
    server_cpu_ms_per_pose: float | None


def _p(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return round(values[0], 1) if values else None
    cuts: list[float] = statistics.quantiles(values, n=100, method="inclusive")
    return round(cuts[q - 1], 1)


async def run_one(
    target: Target, transport: str, streams: int, *, fps: float, size: tuple[int, int], limit: int
) -> TransportRun:
    """One run; `transport` is "socketio", "webrtc" (with credits) or "webrtc-nocredits"."""
    server = psutil.Process(target.pid) if target.pid else None
    cpu_before = sum(server.cpu_times()[:2]) if server else 0.0
    started = time.monotonic()

    async def one(index: int) -> StreamReport:
        common: dict[str, Any] = {
            "url": target.url,
            "token": target.token,
            "fps": fps,
            "size": size,
            "out": None,
            "stream_id": f"bench{index}",
            "limit": limit,
        }
        if transport.startswith("webrtc"):
            credits = transport == "webrtc"
            return await stream_source_webrtc(test_video_path(), credits=credits, **common)
        return await stream_source(test_video_path(), quality=70, show_progress=False, **common)

    reports = await asyncio.gather(*(one(i) for i in range(streams)))
    seconds = time.monotonic() - started
    cpu = (sum(server.cpu_times()[:2]) - cpu_before) if server else None
    latencies = [ms for r in reports for ms in r.latencies_ms]
    sent = sum(r.sent - (r.skipped if transport.startswith("webrtc") else 0) for r in reports)
    poses = sum(r.poses for r in reports)
    up = sum(r.bytes_sent or 0 for r in reports)
    return TransportRun(
        transport=transport,
        streams=streams,
        seconds=round(seconds, 1),
        sent=sent,
        poses=poses,
        poses_per_s=round(poses / seconds, 1),
        latency_p50_ms=_p(latencies, 50),
        latency_p95_ms=_p(latencies, 95),
        bytes_per_frame=round(up / sent) if sent else None,
        upstream_mbit_s=round(up * 8 / seconds / 1e6, 2),
        server_dropped=sum(r.dropped for r in reports),
        client_skipped=sum(r.skipped for r in reports),
        server_cpu_ms_per_pose=round(cpu * 1000 / poses, 1) if cpu is not None and poses else None,
    )


def table(runs: list[TransportRun]) -> str:
    head = (
        "| transport | streams | poses/s | e2e p50 ms | e2e p95 ms | bytes/frame | "
        "Mbit/s up | server drops | client skips | server CPU ms/pose |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = "".join(
        f"| {r.transport} | {r.streams} | {r.poses_per_s} | {r.latency_p50_ms} | "
        f"{r.latency_p95_ms} | {r.bytes_per_frame} | {r.upstream_mbit_s} | {r.server_dropped} "
        f"| {r.client_skipped} | {r.server_cpu_ms_per_pose} |\n"
        for r in runs
    )
    return head + rows


async def main(args: argparse.Namespace) -> list[TransportRun]:
    size = tuple(int(x) for x in args.size.split("x"))
    assert len(size) == 2
    runs: list[TransportRun] = []

    async def all_runs(target: Target) -> None:
        for streams in args.streams:
            for transport in args.transports:
                run = await run_one(
                    target, transport, streams, fps=args.fps, size=size, limit=args.frames
                )
                runs.append(run)
                print(table([run]).splitlines()[-1], flush=True)

    if args.url:
        await all_runs(Target(args.url, args.token, listening_pid(args.url), False))
    else:
        # A busy shared host can take minutes to import and warm the engines.
        async with LocalServer(workers=os.cpu_count() or 1, ready_timeout=300) as target:
            await all_runs(target)
    return runs


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--token", default=os.environ.get("POSE_STUDIO_TOKEN", ""))
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 10])
    parser.add_argument(
        "--transports",
        nargs="+",
        default=["socketio", "webrtc"],
        choices=["socketio", "webrtc", "webrtc-nocredits"],
        help="webrtc: the track sends against credits; webrtc-nocredits: every frame",
    )
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    runs = asyncio.run(main(args))
    print(table(runs))
    print(f"load average {os.getloadavg()}, {os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2) + "\n")


if __name__ == "__main__":
    cli()
