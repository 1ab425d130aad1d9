"""An engine that decodes on its device (nvJPEG on a GPU) gets a batch's JPEGs in one
decode call, and its own images to infer: the frames never pass through CPU pixels.

No GPU here: `DeviceEngine` stands in for one. Its `decode_jpegs` wraps what it decodes
in `DeviceImage`, which no other code can produce, so the engine sees which frames the
scheduler decoded on the device and which on the CPU. Real server, real Socket.IO."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
import simplejpeg

from posestudio.client import PoseClient
from posestudio.engines import EngineRegistry
from posestudio.engines.base import BatchPoseEngine
from posestudio.protocol import Person
from posestudio.settings import Settings
from tests.utils.frames import video_jpegs
from tests.utils.server import LiveServer

BATCH = 4


class DeviceImage:
    """An image "on the device": only `DeviceEngine.decode_jpegs` makes one."""

    def __init__(self, array: np.ndarray) -> None:
        self.shape = array.shape


class Log:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.decodes: list[int] = []
        """JPEGs per `decode_jpegs` call."""
        self.widths: list[int] = []
        """Of each image decoded on the device."""
        self.inferred: list[str] = []
        """Per image inferred: "device" or "cpu"."""
        self.device_fault = False
        """Set: the device decoder fails every call, as out of memory would."""


LOG = Log()


class DeviceEngine(BatchPoseEngine[None]):
    name = "device"
    device = "cuda"
    decodes_on_device = True

    def new_state(self) -> None:
        return None

    def decode_jpegs(self, jpegs: Sequence[bytes]) -> list[Any]:
        with LOG.lock:
            LOG.decodes.append(len(jpegs))
            if LOG.device_fault:
                raise RuntimeError("CUDA error: out of memory")
        # Like nvJPEG on a batch: one corrupt JPEG fails the whole call.
        images = [simplejpeg.decode_jpeg(j, colorspace="RGB", strict=True) for j in jpegs]
        with LOG.lock:
            LOG.widths += [image.shape[1] for image in images]
        return [DeviceImage(image) for image in images]

    def infer_batch(self, items: Sequence[tuple[None, Any]]) -> list[list[Person]]:
        with LOG.lock:
            LOG.inferred += ["device" if isinstance(i, DeviceImage) else "cpu" for _, i in items]
        return [[] for _ in items]

    def warm_up(self) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    registry = EngineRegistry({"device": (DeviceEngine, "decodes on its device")}, max_idle=2)
    settings = Settings(
        environment="test",
        engines=["device"],
        default_engine="device",
        workers=1,
        max_fps=1000,
        max_width=640,
        max_height=480,
        batch_max_size=BATCH,
        batch_max_wait_ms=1000,
    )
    live = LiveServer(settings, registry=registry).start()
    yield live
    live.stop()


async def answers(client: PoseClient, count: int) -> dict[str, dict[str, Any]]:
    """The next `count` replies (poses or errors), by stream."""
    out: dict[str, dict[str, Any]] = {}
    while len(out) < count:
        message = await client.next(30)
        out[message.data["stream_id"]] = {"event": message.event, **message.data}
    return out


async def test_a_batch_of_jpegs_is_decoded_in_one_call_on_the_device(server: LiveServer) -> None:
    LOG.__init__()
    jpeg = video_jpegs(320, 240)[0]
    async with PoseClient(server.url, server.token) as client:
        names = [f"cam{i}" for i in range(BATCH)]
        for name in names:
            await client.start(name)
        for name in names:
            await client.send(name, jpeg)
        replies = await answers(client, BATCH)
    assert all(r["event"] == "pose" for r in replies.values()), replies
    assert all(r["image"] == {"width": 320, "height": 240} for r in replies.values()), replies
    # Frames that arrive within the batch's wait go in one decode call.
    assert sum(LOG.decodes) == BATCH and len(LOG.decodes) < BATCH, LOG.decodes
    assert LOG.inferred == ["device"] * BATCH


async def test_a_bad_frame_is_refused_alone_and_pixel_stages_decode_on_the_cpu(
    server: LiveServer,
) -> None:
    LOG.__init__()
    good = video_jpegs(320, 240)[1]
    async with PoseClient(server.url, server.token) as client:
        await client.start("good")
        await client.start("corrupt")
        await client.start("large")
        await client.start("hands", hands=True)  # the hands stage reads CPU pixels
        await client.send("good", good)
        await client.send("corrupt", good[: len(good) // 2])
        await client.send("large", video_jpegs(800, 600)[0])
        await client.send("hands", good)
        replies = await answers(client, 4)
    assert replies["good"]["event"] == "pose" and replies["hands"]["event"] == "pose", replies
    assert replies["corrupt"]["code"] == "BAD_FRAME", replies
    assert replies["large"]["code"] == "FRAME_TOO_LARGE", replies
    # The oversized frame never reached the decoder (its header said so); the good frame
    # was decoded on the device even beside the corrupt one, the hands frame on the CPU.
    assert LOG.widths == [320], LOG.widths
    assert sorted(LOG.inferred) == ["cpu", "device"]


async def test_a_device_fault_decodes_on_the_cpu_instead_of_refusing_the_frames(
    server: LiveServer,
) -> None:
    LOG.__init__()
    LOG.device_fault = True
    good = video_jpegs(320, 240)[2]
    async with PoseClient(server.url, server.token) as client:
        await client.start("good")
        await client.start("corrupt")
        await client.send("good", good)
        await client.send("corrupt", good[: len(good) // 2])
        replies = await answers(client, 2)
    # The good frame is inferred from the CPU's decode; the corrupt one is still refused.
    assert replies["good"]["event"] == "pose", replies
    assert replies["corrupt"]["code"] == "BAD_FRAME", replies
    assert LOG.inferred == ["cpu"]
