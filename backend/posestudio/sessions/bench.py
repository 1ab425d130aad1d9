"""Sessions figures on this machine (docs/benchmarks.md, "Sessions").

    python -m posestudio.sessions.bench [--frames 360] [--streams 1,4]

A real server (uvicorn on loopback, the real MediaPipe engine, SQLite, local storage in a
temporary folder) and real clients streaming the packaged video: bytes stored per
stream-second (pose only; pose + JPEG, normalised to 30 fps), export throughput per
format, and processed poses per second with recording on and off.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from posestudio.app import create_app
from posestudio.client import PoseClient
from posestudio.client.sources import encode_jpeg, read_frames, test_video_path
from posestudio.runtime import build_runtime
from posestudio.sessions.service import Sessions
from posestudio.settings import Settings
from posestudio_core.auth import TokenAuthenticator

TOKEN = "sessions-bench-token-0123456789"


async def _stream(
    url: str, frames: list[bytes], count: int, record: dict[str, Any] | None
) -> tuple[int, str | None]:
    """One client: `count` frames, each sent when the last was answered; (poses, session)."""
    async with PoseClient(url, TOKEN, reconnect=False) as client:
        await client.start("cam")
        session = None
        if record is not None:
            reply = await client.call_raw("record", {"stream_id": "cam", **record})
            session = reply["session"]["id"]
        got = 0
        for n in range(count):
            seq = await client.send("cam", frames[n % len(frames)])
            while True:
                message = await client.next(30)
                if message.event == "pose" and message.data["seq"] == seq:
                    got += 1
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


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError("the server did not get ready")


def _get(url: str, path: str) -> httpx.Response:
    return httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)


async def run(frames_per_stream: int, stream_counts: list[int]) -> None:
    frames = [encode_jpeg(rgb, 70) for rgb in read_frames(test_video_path(), size=(640, 480))]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp), max_fps=240, token=TOKEN)
        sessions = Sessions(settings)
        runtime = build_runtime(
            settings, authenticator=TokenAuthenticator(TOKEN), sessions=sessions
        )
        asgi = create_app(runtime)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        server = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", ws="websockets-sansio"))
        sock.listen(128)  # bound and listening first: clients may connect at once
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            await asyncio.to_thread(_wait_ready, url)
            size = sum(map(len, frames)) / len(frames) / 1000
            print(f"640x480 Q70 JPEGs ({size:.1f} kB each), real MediaPipe")
            for video in (False, True):
                _, (sid,) = await _round(url, frames, 1, frames_per_stream, {"video": video})
                detail = (await asyncio.to_thread(_get, url, f"/api/sessions/{sid}")).json()
                per_frame = detail["bytes"] / detail["streams"][0]["frames"]
                kind = "pose + JPEG" if video else "pose only"
                second = per_frame * 30 / 1000
                print(
                    f"stored, {kind}: {per_frame:.0f} B/frame, {second:.1f} kB/stream-s at 30 fps"
                )
            for fmt in ("jsonl", "csv", "parquet", "bvh"):
                began = time.perf_counter()
                response = await asyncio.to_thread(_get, url, f"/api/sessions/{sid}/export.{fmt}")
                elapsed = time.perf_counter() - began
                kilobytes = len(response.content) / 1000
                print(
                    f"export {fmt}: {frames_per_stream / elapsed:.0f} frames/s ({kilobytes:.0f} kB)"
                )
            for streams in stream_counts:
                off, _ = await _round(url, frames, streams, frames_per_stream // 2, None)
                on, _ = await _round(url, frames, streams, frames_per_stream // 2, {"video": True})
                print(f"{streams} stream(s): {off:.1f} poses/s recording off, {on:.1f} on (+ JPEG)")
        finally:
            server.should_exit = True
            await serving


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=360)
    parser.add_argument("--streams", default="1,4")
    args = parser.parse_args(argv)
    asyncio.run(run(args.frames, [int(n) for n in args.streams.split(",")]))


if __name__ == "__main__":
    main()
