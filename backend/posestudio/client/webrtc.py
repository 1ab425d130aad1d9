"""The reference WebRTC client: frames as a video track, poses back on the `pose` channel.

    async with WebRTCPoseClient(url, token) as client:
        ack = await client.start({"stream_id": "cam"})
        client.send(rgb)                       # the newest frame replaces an unsent one
        message = await client.next(timeout=5)  # Message("pose" | "error", data)

The track's timestamps are the frames' capture times on the 90 kHz RTP clock, so the
server's `capture_ts` (from the RTCP sender reports) is this machine's clock. aiortc's
sender reports pair the last packet's RTP time with the moment it was sent, so that
`capture_ts` runs late by this side's encode time; `FrameTrack.captured` keeps the true
capture time of every frame the encoder took, in order, which the server numbers `seq`
(on a network that loses no frame), and `capture_of(pose)` reads it.

The stream is started with `credits` (as `posestudio stream` over Socket.IO): the track
hands the encoder its newest frame only when the server has granted one (`credit` events
and `granted` in the ack and each pose, on the data channel), so no frame is encoded,
sent and decoded only to be dropped in the server's slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time
from pathlib import Path
from typing import IO, Any

import av
import httpx
import numpy as np
import numpy.typing as npt
import orjson
from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from posestudio.client.connection import Message, PoseClientError
from posestudio.client.credits import Credits
from posestudio.client.run import StreamReport
from posestudio.client.sources import read_frames

VIDEO_TIME_BASE = fractions.Fraction(1, 90_000)


CREDIT_STALL_S = 2.0
"""No grant for this long: assume one was lost (a frame lost on the network is never
received, so its credit never comes back) and send the newest frame anyway."""


def video_frame(rgb: np.ndarray) -> av.VideoFrame:
    """The frame as the VP8 encoder takes it: planar YUV 4:2:0 (BT.601, as PyAV's own
    conversion). OpenCV converts a 640x480 frame in about 0.2 ms; an RGB frame was left to
    aiortc's `reformat` (swscale) in the encoder thread, 1-3 ms of each frame's latency
    (docs/benchmarks.md, "WebRTC (#16)"). Odd sides (no 4:2:0 layout in OpenCV) stay RGB."""
    import cv2

    image: npt.NDArray[np.uint8] = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width = image.shape[:2]
    if height % 2 or width % 2:
        return av.VideoFrame.from_ndarray(image, format="rgb24")
    i420 = np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(i420, format="yuv420p")


class FrameTrack(MediaStreamTrack):
    """A video track fed by `put`: the sender takes the newest frame when it is ready and,
    once `credits` are set, the server has granted one."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.credits: Credits | None = None
        self._frame: tuple[np.ndarray, float] | None = None
        self._ready = asyncio.Event()
        self._start = time.time()
        self.superseded = 0
        self.captured: list[float] = []
        """Epoch seconds of each frame handed to the encoder, in order."""

    def put(self, rgb: np.ndarray, captured: float | None = None) -> None:
        if self._frame is not None:
            self.superseded += 1
        self._frame = (rgb, time.time() if captured is None else captured)
        self._ready.set()

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._ready.wait()
        if self.credits is not None:
            await self.credits.wait()
            self.credits.spend()
        self._ready.clear()
        assert self._frame is not None
        (rgb, captured), self._frame = self._frame, None
        self.captured.append(captured)
        frame = video_frame(rgb)
        frame.pts = int((captured - self._start) * 90_000)
        frame.time_base = VIDEO_TIME_BASE
        return frame


class WebRTCPoseClient:
    def __init__(self, url: str, token: str, *, connect_timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.connect_timeout = connect_timeout
        self.track = FrameTrack()
        self.pc: RTCPeerConnection | None = None
        self.peer: str | None = None
        self.info: dict[str, Any] = {}
        self._messages: asyncio.Queue[Message] = asyncio.Queue()
        self._open = asyncio.Event()
        self._early_grant = 0
        self.sent = 0

    async def __aenter__(self) -> WebRTCPoseClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _request(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(timeout=self.connect_timeout) as http:
            response = await http.request(method, self.url + path, json=body, headers=headers)
        data: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise PoseClientError(data.get("error", {"code": "BAD_REQUEST", "message": data}))
        return data

    async def start(self, start: dict[str, Any]) -> dict[str, Any]:
        """Offer the track and a `pose` channel with the stream's options; the start ack.
        The stream has credits unless `start` says `"credits": False`.

        Returns once the data channel is open (PoseClientError, or TimeoutError when ICE
        does not connect within `connect_timeout`)."""
        self.info = await self._request("GET", "/api/webrtc")
        if not self.info["enabled"]:
            raise PoseClientError({"code": "WEBRTC_DISABLED", "message": "WebRTC is off"})
        servers = [
            RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
            for s in self.info["ice_servers"]
        ]
        pc = self.pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        # Unordered, no retransmits: a late pose is worth nothing.
        channel = pc.createDataChannel(
            self.info.get("data_channel", "pose"), ordered=False, maxRetransmits=0
        )

        @channel.on("open")  # type: ignore[misc]
        def on_open() -> None:
            self._open.set()

        @channel.on("message")  # type: ignore[misc]
        def on_message(text: str | bytes) -> None:
            data = orjson.loads(text)
            if "event" in data and "schema" not in data:
                if data["event"] == "credit":
                    self._grant(data["data"].get("granted"))
                else:
                    self._messages.put_nowait(Message(data["event"], data["data"]))
            else:
                self._grant(data.get("granted"))
                self._messages.put_nowait(Message("pose", data))

        pc.addTransceiver(self.track, direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        answer = await self._request(
            "POST",
            "/api/webrtc/offer",
            {"type": "offer", "sdp": pc.localDescription.sdp, "start": {"credits": True, **start}},
        )
        self.peer = answer["peer"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        stream: dict[str, Any] = answer["stream"]
        if isinstance(stream.get("granted"), int):
            self.track.credits = Credits(stream["granted"], stall_s=CREDIT_STALL_S)
            self.track.credits.grant(self._early_grant)
        await asyncio.wait_for(self._open.wait(), self.connect_timeout)
        return stream

    def _grant(self, granted: Any) -> None:
        if not isinstance(granted, int):
            return
        if self.track.credits is None:
            self._early_grant = max(self._early_grant, granted)
        else:
            self.track.credits.grant(granted)

    def capture_of(self, pose: dict[str, Any]) -> float:
        """The pose's frame's capture time (epoch ms): this side's own record when it has
        one for the pose's `seq`, else the server's `capture_ts`."""
        seq: int = pose["seq"]
        if 0 <= seq < len(self.track.captured):
            return self.track.captured[seq] * 1000
        capture_ts: float = pose["capture_ts"]
        return capture_ts

    def send(self, rgb: np.ndarray, captured: float | None = None) -> None:
        """Hand the track a frame (RGB, HxWx3 uint8) captured at `captured` (epoch s)."""
        self.track.put(rgb, captured)
        self.sent += 1

    async def next(self, timeout: float | None = None) -> Message:
        return await asyncio.wait_for(self._messages.get(), timeout)

    async def close(self) -> None:
        self.track.stop()
        if self.pc is not None:
            await self.pc.close()
            self.pc = None


async def sent_bytes(client: WebRTCPoseClient) -> int:
    """RTP bytes the video track has sent so far (the sender's own count)."""
    if client.pc is None:
        return 0
    report = await client.pc.getStats()
    return sum(int(getattr(s, "bytesSent", 0)) for s in report.values() if s.type == "outbound-rtp")


async def stream_source_webrtc(
    source: str | int | Path,
    *,
    url: str,
    token: str,
    fps: float,
    size: tuple[int, int] | None,
    out: IO[str] | None,
    stream_id: str = "cli",
    engine: str | None = None,
    smoothing: bool = False,
    limit: int | None = None,
    credits: bool = True,
) -> StreamReport:
    """`stream_source` over WebRTC: the frames as a video track at `fps`, poses collected
    (without `credits`: every frame to the encoder, as a camera track without pacing)."""
    report = StreamReport()
    frames = read_frames(source, size=size, limit=limit)
    async with WebRTCPoseClient(url, token, connect_timeout=30) as client:
        start: dict[str, Any] = {
            "stream_id": stream_id,
            "smoothing": smoothing or None,
            "credits": credits,
        }
        if engine:
            start["engine"] = engine
        await client.start(start)

        def take(message: Message) -> None:
            if message.event != "pose":
                report.errors.append(message.data)
                return
            pose = message.data
            report.poses += 1
            report.with_person += bool(pose["persons"])
            report.dropped = pose["dropped"]
            report.latencies_ms.append(message.received * 1000 - client.capture_of(pose))
            if out is not None:
                out.write(orjson.dumps(pose).decode() + "\n")

        async def receive() -> None:
            while True:
                take(await client.next())

        receiver = asyncio.create_task(receive())
        interval, next_at = 1.0 / fps, time.monotonic()
        while (rgb := await asyncio.to_thread(next, frames, None)) is not None:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            client.send(rgb)
            report.sent += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_settle(report), timeout=3)
        report.skipped = client.track.superseded
        report.bytes_sent = await sent_bytes(client)
        receiver.cancel()
    return report


async def _settle(report: StreamReport) -> None:
    """Until the last poses are in (no new one for half a second)."""
    seen = -1
    while seen != report.poses:
        seen = report.poses
        await asyncio.sleep(0.5)  # polling the count the receiver task updates
