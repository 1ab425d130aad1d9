"""Per-result cost of the pipeline's stages and sinks, in µs, measured with perf counters.

    python -m posestudio.bench.steps [--frames 120] [--repeat 20]

MediaPipe infers the real person video once (untimed); then each step runs `repeat`
times over every frame's result: the smoothing stage, building the `pose_v1` reply, the
history sink, and the reply and viewer sinks with a channel that encodes the message as
Socket.IO does for the wire (what `emit` costs the loop before the bytes leave).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import statistics
import time
from collections.abc import Callable
from typing import Any

from socketio import packet

from posestudio.client.sources import read_frames, test_video_path
from posestudio.engines.mediapipe import MediaPipePoseEngine
from posestudio.history import HistorySink, PoseHistory
from posestudio.metrics import SinkCounters
from posestudio.pipeline.frames import FrameMeta
from posestudio.pipeline.ratelimit import TokenBucket
from posestudio.pipeline.reply import ReplySink
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.sinks import SinkFeed, SinkSet
from posestudio.pipeline.stages import SmoothingStage
from posestudio.pipeline.stream import Stream
from posestudio.pipeline.viewers import ViewerSink
from posestudio.protocol import SmoothingConfig, StartRequest
from posestudio.protocol.packet import FastPacket
from posestudio_core.auth import Principal


async def _encode(event: str, payload: dict[str, Any]) -> None:
    FastPacket(packet.EVENT, data=[event, payload], namespace="/pose").encode()


def _stream() -> Stream:
    return Stream(
        id="st_bench0000000",
        name="bench",
        owner=Principal(subject="bench"),
        connection="bench",
        engine_name="mediapipe",
        options=StartRequest(stream_id="bench", smoothing=True),
        channel=_encode,
        bucket=TokenBucket(rate=30.0, capacity=30.0),
        history=PoseHistory(120.0, 3601),
        sinks=SinkSet(),
    )


def _results(stream: Stream, frames: int) -> list[PoseResult]:
    engine = MediaPipePoseEngine()
    results = []
    try:
        for i, rgb in enumerate(read_frames(test_video_path(), size=(1280, 720), limit=frames)):
            results.append(
                PoseResult(
                    stream=stream,
                    meta=FrameMeta(seq=i, capture_ts=i * 1000 / 30),
                    received=i / 30,
                    image=(1280, 720),
                    persons=engine.process(rgb),
                    timing={"queue_ms": 0.1, "decode_ms": 2.0, "infer_ms": 20.0},
                )
            )
    finally:
        engine.close()
    return results


def _fresh(result: PoseResult) -> PoseResult:
    return PoseResult(
        stream=result.stream,
        meta=result.meta,
        received=result.received,
        image=result.image,
        persons=result.persons,
        timing=dict(result.timing),
    )


async def measure(frames: int, repeat: int) -> dict[str, float]:
    stream = _stream()
    results = _results(stream, frames)
    viewers = ViewerSink(stream)
    viewers.viewers["one"] = _encode
    steps: dict[str, Callable[[PoseResult], object]] = {}
    smoothing = SmoothingStage(SmoothingConfig())
    steps["stage smoothing"] = smoothing
    steps["reply build (pose_v1 dict)"] = PoseResult.wire
    steps["sink history"] = HistorySink(stream.history).deliver
    steps["sink reply (+ Socket.IO encode)"] = ReplySink(stream).deliver
    steps["sink viewers, 1 viewer (+ encode)"] = viewers.deliver
    # The sink machinery itself: what the loop pays per result to hand it to the reply and
    # history sinks through their feeds (both inline while idle).
    sinks = SinkSet()
    for sink in (ReplySink(stream), HistorySink(stream.history)):
        sinks.add(SinkFeed(sink, 8, SinkCounters(), lambda _: None))
    steps["publish: reply + history through their feeds"] = sinks.publish
    out: dict[str, float] = {}
    for name, step in steps.items():
        samples = []
        for _ in range(repeat):
            for result in results:
                fresh = _fresh(result)
                if name.startswith(("sink", "publish")):
                    fresh.wire()  # built once in the worker; sinks share it
                began = time.perf_counter()
                done = step(fresh)
                if inspect.isawaitable(done):
                    await done
                samples.append(time.perf_counter() - began)
        out[name] = round(statistics.median(samples) * 1e6, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.frames, args.repeat))
    width = max(map(len, figures))
    for name, us in figures.items():
        print(f"{name:<{width}}  {us:8.1f} µs (median per result)")


if __name__ == "__main__":
    main()
