"""Sessions figures on this machine (docs/benchmarks.md, "Sessions").

    python -m posestudio.sessions.bench [--frames 360] [--streams 1,4] [--pairs 1]
    python -m posestudio.sessions.bench --streams 10 --pairs 2 --no-storage --clips

A real server (uvicorn on loopback, the real MediaPipe engine, SQLite, local storage in a
temporary folder) and real clients streaming the packaged video: bytes stored per
stream-second (pose only; pose + JPEG, normalised to 30 fps), export throughput per
format, and, with recording (pose + JPEG) off and on back to back: processed poses per
second, the round trip of each frame (send to its pose, p50 and p95), the CPU time of
the writer thread and the bytes it stored per second. `--clips` times the clip render
(H.264, preset veryfast, skeleton drawn) of recorded sessions at 320x240, 640x480 and
1280x720.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from posestudio.app import create_app
from posestudio.bench.serving import served
from posestudio.client import PoseClient
from posestudio.client.sources import read_frames, test_video_path
from posestudio.imaging import encode_jpeg
from posestudio.runtime import build_runtime
from posestudio.sessions.service import Sessions
from posestudio.settings import Settings
from posestudio_core.auth import TokenAuthenticator

TOKEN = "sessions-bench-token-0123456789"


async def _stream(
    url: str,
    frames: list[bytes],
    count: int,
    record: dict[str, Any] | None,
    waits: list[float] | None = None,
) -> tuple[int, str | None]:
    """One client: `count` frames, each sent when the last was answered; (poses, session).
    Each frame's round trip (send to its pose, seconds) goes into `waits`."""
    async with PoseClient(url, TOKEN, reconnect=False) as client:
        await client.start("cam")
        session = None
        if record is not None:
            reply = await client.call_raw("record", {"stream_id": "cam", **record})
            session = reply["session"]["id"]
        got = 0
        for n in range(count):
            sent = time.perf_counter()
            seq = await client.send("cam", frames[n % len(frames)])
            while True:
                message = await client.next(30)
                if message.event == "pose" and message.data["seq"] == seq:
                    got += 1
                    if waits is not None:
                        waits.append(time.perf_counter() - sent)
                    break
        if session is not None:
            await client.call_raw("stop_record", {"session_id": session})
        return got, session


async def _round(
    url: str, frames: list[bytes], streams: int, count: int, record: dict[str, Any] | None
) -> tuple[float, list[str]]:
    began = time.perf_counter()
    results = await asyncio.gather(*(_stream(url, frames, count, record) for _ in range(streams)))
    elapsed = time.perf_counter() - began
    return sum(r[0] for r in results) / elapsed, [r[1] for r in results if r[1] is not None]


def _thread_cpu_s(name: str) -> float:
    """CPU seconds (user + system) of this process's Python threads called `name` (Linux)."""
    total = 0
    for thread in threading.enumerate():
        if thread.name != name or thread.native_id is None:
            continue
        try:
            with open(f"/proc/self/task/{thread.native_id}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


async def _pair_round(
    url: str, frames: list[bytes], streams: int, count: int, record: dict[str, Any] | None
) -> str:
    """One measured round: poses/s, round trip p50/p95, writer CPU, bytes stored per s."""
    load = _load()
    waits: list[float] = []
    cpu = _thread_cpu_s("session-writer")
    began = time.perf_counter()
    results = await asyncio.gather(
        *(_stream(url, frames, count, record, waits) for _ in range(streams))
    )
    elapsed = time.perf_counter() - began
    cpu = _thread_cpu_s("session-writer") - cpu
    stored = 0
    for _, sid in results:
        if sid is not None:
            stored += (await asyncio.to_thread(_get, url, f"/api/sessions/{sid}")).json()["bytes"]
    cuts = statistics.quantiles(waits, n=20)
    kind = "on (pose + JPEG)" if record else "off"
    return (
        f"| {streams} | {kind} | {load} | {sum(r[0] for r in results) / elapsed:.1f} | "
        f"{statistics.median(waits) * 1000:.0f} | {cuts[18] * 1000:.0f} | "
        f"{cpu / elapsed * 100:.1f}% | {stored / elapsed / 1000:.0f} |"
    )


def _clip_speeds(url: str, sizes: list[tuple[int, int]], storage: Any) -> None:
    """Record 90 frames at each size, render the whole of each as a clip, time it."""
    import tempfile as tmpfile

    from posestudio.clips.render import render

    for width, height in sizes:
        jpegs = [
            encode_jpeg(rgb, 70) for rgb in read_frames(test_video_path(), size=(width, height))
        ]
        _, (sid,) = asyncio.run(_round(url, jpegs, 1, 90, {"video": True}))
        detail = _get(url, f"/api/sessions/{sid}").json()
        stream = detail["streams"][0]
        load = _load()
        with tmpfile.TemporaryDirectory() as out:
            began = time.perf_counter()
            done = render(
                storage,
                sid,
                stream["key"],
                0.0,
                stream["last_ts"],
                Path(out) / "clip.mp4",
                overlay=True,
                progress=lambda _: None,
                cancelled=lambda: False,
            )
            wall = time.perf_counter() - began
        fps = done.frames / wall
        print(
            f"| {width}x{height} | {load} | {done.frames} | {wall:.2f} | {fps:.0f} | "
            f"{fps / 30:.1f}x |"
        )


def _get(url: str, path: str) -> httpx.Response:
    return httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)


async def run(
    frames_per_stream: int,
    stream_counts: list[int],
    pairs: int = 1,
    storage_figures: bool = True,
    clips: bool = False,
) -> None:
    frames = [encode_jpeg(rgb, 70) for rgb in read_frames(test_video_path(), size=(640, 480))]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp), max_fps=240, token=TOKEN)
        sessions = Sessions(settings)
        runtime = build_runtime(
            settings, authenticator=TokenAuthenticator(TOKEN), sessions=sessions
        )
        asgi = create_app(runtime)
        async with served(asgi) as url:
            size = sum(map(len, frames)) / len(frames) / 1000
            print(f"640x480 Q70 JPEGs ({size:.1f} kB each), real MediaPipe")
            for video in (False, True) if storage_figures else ():
                _, (sid,) = await _round(url, frames, 1, frames_per_stream, {"video": video})
                detail = (await asyncio.to_thread(_get, url, f"/api/sessions/{sid}")).json()
                per_frame = detail["bytes"] / detail["streams"][0]["frames"]
                kind = "pose + JPEG" if video else "pose only"
                second = per_frame * 30 / 1000
                print(
                    f"stored, {kind}: {per_frame:.0f} B/frame, {second:.1f} kB/stream-s at 30 fps"
                )
            for fmt in ("jsonl", "csv", "parquet", "bvh") if storage_figures else ():
                began = time.perf_counter()
                response = await asyncio.to_thread(_get, url, f"/api/sessions/{sid}/export.{fmt}")
                elapsed = time.perf_counter() - began
                kilobytes = len(response.content) / 1000
                print(
                    f"export {fmt}: {frames_per_stream / elapsed:.0f} frames/s ({kilobytes:.0f} kB)"
                )
            print(
                "| streams | recording | load avg (1/5/15 min) | poses/s | round trip p50 (ms)"
                " | p95 (ms) | writer CPU (of one core) | stored (kB/s) |\n"
                "|---|---|---|---|---|---|---|---|"
            )
            for streams in stream_counts:
                for _ in range(pairs):
                    for record in (None, {"video": True}):
                        print(
                            await _pair_round(url, frames, streams, frames_per_stream // 2, record)
                        )
            if clips:
                print(
                    "| clip size | load avg | frames | render s | frames/s | x real time at 30 fps"
                    " |\n|---|---|---|---|---|---|"
                )
                sizes = [(320, 240), (640, 480), (1280, 720)]
                await asyncio.to_thread(_clip_speeds, url, sizes, sessions.storage)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=360)
    parser.add_argument("--streams", default="1,4")
    parser.add_argument("--pairs", type=int, default=1, help="off/on pairs per stream count")
    parser.add_argument("--no-storage", action="store_true", help="skip bytes and exports")
    parser.add_argument("--clips", action="store_true", help="also time clip renders")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.streams.split(",")]
    asyncio.run(run(args.frames, counts, args.pairs, not args.no_storage, args.clips))


if __name__ == "__main__":
    main()
