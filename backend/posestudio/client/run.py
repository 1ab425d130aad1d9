"""What `posestudio stream` runs: a video or camera sent to a backend, its poses collected."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from posestudio.client.connection import PoseClient
from posestudio.client.credits import HeldFrame, LatestFrameSender
from posestudio.client.flow import FlowControl
from posestudio.client.sources import read_frames
from posestudio.imaging import encode_jpeg


@dataclass
class StreamReport:
    sent: int = 0
    skipped: int = 0
    poses: int = 0
    with_person: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    dropped: int = 0
    bytes_sent: int | None = None
    """Upstream frame bytes: the JPEGs sent, or the WebRTC track's RTP."""

    @property
    def latency_p50(self) -> float | None:
        return statistics.median(self.latencies_ms) if self.latencies_ms else None


async def stream_source(
    source: str | int | Path,
    *,
    url: str,
    token: str,
    fps: float,
    quality: int,
    size: tuple[int, int] | None,
    out: IO[str] | None,
    stream_id: str = "cli",
    engine: str | None = None,
    smoothing: bool = False,
    limit: int | None = None,
    show_progress: bool = True,
) -> StreamReport:
    report = StreamReport()
    # Frames are read as they are sent: a camera never ends, and a long file need not fit
    # in memory. Reading blocks (a camera waits for its next frame), so off the loop.
    frames = read_frames(source, size=size, limit=limit)
    async with PoseClient(url, token) as client:
        reply = await client.start(
            stream_id, engine=engine, smoothing=smoothing or None, credits=True
        )
        # Credits decide what goes; `flow` only keeps account of the frames awaiting a pose.
        flow = FlowControl(int(reply["limits"]["max_in_flight"]))
        done = asyncio.Event()

        async def send(frame: HeldFrame) -> bool:
            seq = await client.send(
                stream_id, frame.jpeg, seq=frame.seq, capture_ts=frame.capture_ts
            )
            if seq is None:  # reconnecting: the frame is counted as skipped
                return False
            flow.sent(seq, time.monotonic())
            report.sent += 1
            report.bytes_sent = (report.bytes_sent or 0) + len(frame.jpeg)
            return True

        sender = LatestFrameSender(client.credits[stream_id], send)

        async def receive() -> None:
            async for message in client.results():
                if message.event == "error":
                    report.errors.append(message.data)
                    if message.data.get("stream_id") == stream_id:
                        flow.rejected()
                    continue
                pose = message.data
                report.poses += 1
                report.with_person += bool(pose["persons"])
                report.dropped = pose["dropped"]
                report.latencies_ms.append(message.received * 1000 - pose["capture_ts"])
                flow.answered(pose["seq"])
                if out is not None:
                    out.write(json.dumps(pose, separators=(",", ":")) + "\n")
                if done.is_set() and not flow:
                    return

        receiver = asyncio.create_task(receive())
        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not show_progress,
        )
        with progress:
            task = progress.add_task("streaming", total=limit, stats="")
            interval = 1.0 / fps
            next_at = time.monotonic()
            started = time.monotonic()
            seq = 0
            while (rgb := await asyncio.to_thread(next, frames, None)) is not None:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
                flow.expire(time.monotonic())
                captured = time.time() * 1000  # before the encode, as the WebRTC track's
                # Encoded only if it goes: a frame a newer one replaces is never encoded.
                sender.offer(functools.partial(_held, rgb, seq, captured, quality))
                seq += 1
                report.skipped = sender.superseded + sender.failed
                elapsed = max(time.monotonic() - started, 1e-6)
                p50 = report.latency_p50
                progress.update(
                    task,
                    advance=1,
                    stats=f"{report.poses / elapsed:5.1f} pose/s  "
                    f"p50 {p50 if p50 is not None else 0:5.1f} ms  dropped {report.dropped}",
                )
            with contextlib.suppress(TimeoutError):
                await sender.flush(timeout=5)
            report.skipped = sender.superseded + sender.failed
            done.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(receiver, timeout=10)
        receiver.cancel()
        await sender.close()
        with contextlib.suppress(Exception):
            await client.stop(stream_id)
    return report


def _held(rgb: np.ndarray, seq: int, captured: float, quality: int) -> HeldFrame:
    """A captured frame, encoded when its credit is there (`LatestFrameSender`)."""
    return HeldFrame(encode_jpeg(rgb, quality), seq, captured)
