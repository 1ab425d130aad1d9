"""The real backend (MediaPipe engine) on a free port, and streaming the real test video."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from posestudio.app import create_app
from posestudio.client import PoseClient
from posestudio.client.sources import read_frames, test_video_path
from posestudio.imaging import encode_jpeg
from posestudio.runtime import build_runtime
from posestudio.settings import Settings
from posestudio_core.auth import TokenAuthenticator
from tests.utils.server import wait_until
from tests.utils.servers import uvicorn_server

READY_TIMEOUT_S = 60.0
STREAM_TIMEOUT_S = 120.0


@contextmanager
def real_backend(token: str, mounts: dict[str, Any] | None = None) -> Iterator[str]:
    """Serve the backend (with `mounts` beside it, as `posestudio serve` does); wait ready."""
    # A high max_fps: the tests send frames as fast as the backend answers them.
    settings = Settings(
        environment="test", token=token, workers=1, history_seconds=120, max_fps=1000
    )
    app: Any = create_app(build_runtime(settings, authenticator=TokenAuthenticator(token)))
    if mounts:
        from posestudio_cli.dispatch import PathDispatcher

        app = PathDispatcher(app, mounts)
    with uvicorn_server(app) as url:
        wait_until(lambda: httpx.get(f"{url}/ready").status_code == 200, READY_TIMEOUT_S)
        yield url


@contextmanager
def streaming_test_video(
    url: str, token: str, stream_id: str, *, frames: int = 60
) -> Iterator[list[dict[str, Any]]]:
    """Stream the real test video, one frame in flight; yields the poses received.

    The client lives on a thread and event loop of its own, so that it keeps answering
    the server's pings while tests block or sit between tests: the stream stays started
    (and its history kept) until the block ends.
    """
    jpegs = [encode_jpeg(rgb, 80) for rgb in read_frames(test_video_path(), limit=frames)]
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="pose-client", daemon=True)
    thread.start()
    client = PoseClient(url, token, reconnect=False)

    async def stream() -> list[dict[str, Any]]:
        await client.connect()
        await client.start(stream_id)
        poses: list[dict[str, Any]] = []
        # Capture times spaced as a 15 fps camera's, ending now.
        start_ms = time.time() * 1000 - len(jpegs) * 1000 / 15
        for i, jpeg in enumerate(jpegs):
            await client.send(stream_id, jpeg, capture_ts=start_ms + i * 1000 / 15)
            message = await client.next(timeout=30)
            if message.event != "pose":
                raise AssertionError(f"backend error while streaming: {message.data}")
            poses.append(message.data)
        return poses

    async def finish() -> None:
        try:
            await asyncio.wait_for(client.stop(stream_id), 10)
        finally:
            await client.close()

    try:
        yield asyncio.run_coroutine_threadsafe(stream(), loop).result(STREAM_TIMEOUT_S)
    finally:
        asyncio.run_coroutine_threadsafe(finish(), loop).result(STREAM_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
