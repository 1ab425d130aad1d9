"""Memory given back when streams end: the server's RSS before, with N streams, and after.

    python -m posestudio.bench.memory [--streams 40] [--connections 4]

Runs `posestudio serve` as a child process on a free loopback port, opens the
connections, starts the streams (one frame each, so every engine instance has run),
stops them, and prints the server's resident memory at each step. Figures only; nothing
is asserted (docs/benchmarks.md, Capacity).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time

import httpx
import psutil

from posestudio.bench.serving import free_port, wait_ready
from posestudio.client import PoseClient
from posestudio.client.sources import read_frames, test_video_path
from posestudio.imaging import encode_jpeg

TOKEN = "memory-bench-token-0123456789"
MB = 1_000_000


def _rss(process: psutil.Process) -> float:
    return process.memory_info().rss / MB


def _frame() -> bytes:
    """A frame with a person in it (the first of carphone_pristine.mp4)."""
    rgb = next(iter(read_frames(test_video_path(), size=(640, 480), limit=1)))
    return encode_jpeg(rgb, 80)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=40)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--cycles", type=int, default=2)
    options = parser.parse_args()
    port = free_port()
    data = tempfile.mkdtemp(prefix="posestudio-memory-")
    env = {
        "POSE_STUDIO_DATA_DIR": data,
        **os.environ,
        "POSE_STUDIO_TOKEN": TOKEN,
        "POSE_STUDIO_MAX_STREAMS_PER_PERSON": str(options.streams),
        "POSE_STUDIO_MAX_STREAMS_TOTAL": str(options.streams),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "posestudio_cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url)
        server = psutil.Process(child.pid)
        print(f"before: {_rss(server):.0f} MB")
        for cycle in range(options.cycles):
            asyncio.run(_run(url, options, server, cycle))
            _settled(url, server, cycle)
    finally:
        child.terminate()
        child.wait(30)
        shutil.rmtree(data, ignore_errors=True)


async def _run(url: str, options: argparse.Namespace, server: psutil.Process, cycle: int) -> None:
    clients = [PoseClient(url, TOKEN) for _ in range(options.connections)]
    for client in clients:
        await client.connect()
    jpeg = _frame()
    for i in range(options.streams):
        client = clients[i % options.connections]
        await client.start(f"s{i}")
        await client.send(f"s{i}", jpeg)
    for i in range(options.streams):
        await clients[i % options.connections].next(60)
    print(f"cycle {cycle + 1}: {options.streams} streams: {_rss(server):.0f} MB", flush=True)
    for client in clients:
        await client.close()


def _settled(url: str, server: psutil.Process, cycle: int) -> None:
    """Once /ready counts no stream, and a moment for the closes to finish, the RSS."""
    deadline = time.monotonic() + 60
    while httpx.get(f"{url}/ready", timeout=5).json().get("streams") and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    time.sleep(2)  # a bench, not a test: let the engines' closes settle before reading
    print(f"cycle {cycle + 1}: after stop: {_rss(server):.0f} MB", flush=True)


if __name__ == "__main__":
    main()
