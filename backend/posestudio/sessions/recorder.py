"""The recorder sink and what one recording holds between the event loop and the writer.

The sink runs on the event loop and only appends the result (a reference to its
`pose_v1` dict, built once in the worker, and the JPEG bytes) under a short lock; the
writer thread (`writer.py`) takes the pending frames about once a second and does the
serialising and storing. So recording costs the live path one list append per frame.
A frame that came as video (WebRTC) has no JPEG: with `video` on, the pending entry keeps
a reference to the decoded image the pose was inferred on, and the writer encodes it
(`RECORD_JPEG_QUALITY`), so the session holds the same frames and poses as over Socket.IO.
Those images are large (2.7 MB at 1280x720): a stream holds at most `PENDING_RGB_BYTES`
of them for the writer; beyond that (a writer that fell behind), a frame keeps its pose
and loses its picture, counted in `video_skipped` and said once in the log.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from posestudio.errors import PoseStudioError

if TYPE_CHECKING:
    import numpy as np

    from posestudio.pipeline.results import PoseResult
    from posestudio.pipeline.stream import Channel, Stream
    from posestudio.protocol import Person


RECORD_JPEG_QUALITY = 80
"""JPEG quality of recorded frames that came as video (about the studio's 0.8)."""

PENDING_RGB_BYTES = 256 * 1024 * 1024
"""Decoded images one stream's recording holds for the writer to encode (about 3 s of
1280x720 at 30 fps; the writer takes them every second)."""

log = logging.getLogger(__name__)


@dataclass
class Pending:
    message: dict[str, Any]
    raw: list[Person] | None
    jpeg: bytes | None
    arrival_ts: float
    seq: int
    capture_ts: float
    width: int
    height: int
    rgb: np.ndarray | None = None
    """The decoded image, for the writer to encode, when the frame came without a JPEG."""


class StreamRecording:
    """One stream's part of a session."""

    def __init__(self, session: SessionRecording, stream: Stream, row_id: int) -> None:
        self.session = session
        self.stream = stream
        self.key = stream.id
        self.name = stream.name
        self.row_id = row_id
        self.smoothing = stream.options.smoothing_config() is not None
        self.drops_at_start = stream.dropped
        # Results are numbered by the stream's `processed` count as they are published;
        # the sink sees those after `start_count`. A stop keeps every result published
        # before it (`stop_at`), even the ones still in the sink's buffer.
        self.start_count = stream.processed
        self.seen = 0
        self.stop_at: int | None = None
        self._lock = threading.Lock()
        self._pending: list[Pending] = []
        self._pending_rgb = 0
        """Bytes of the decoded images in `_pending`."""
        self.video_skipped = 0
        """Frames recorded without their picture: `PENDING_RGB_BYTES` was reached."""
        # The writer's side (only the writer thread touches these).
        self.next_index = 0
        self.next_chunk = 0
        self.frames = 0
        self.bytes = 0
        self.first_ts: float | None = None
        self.last_ts: float | None = None
        self.image: tuple[int, int] | None = None
        self.ended = False
        # Its connection dropped: until this `time.monotonic()`, the same person's stream
        # of the same name may `rebind` here (the page reconnecting) and record on.
        self.rejoin_until: float | None = None
        self.drops_before = 0

    @property
    def finished(self) -> bool:
        """Ended, and no longer waiting for its stream to come back."""
        return self.ended and (self.rejoin_until is None or time.monotonic() >= self.rejoin_until)

    @property
    def waiting(self) -> bool:
        """Ended by its connection dropping, and its stream may still come back."""
        return self.ended and not self.finished

    def rebind(self, stream: Stream) -> None:
        """On the loop: record on from `stream`, the same name's restart after a reconnect
        (same key, frame numbering and session clock; the drops add up)."""
        self.drops_before = self.drops
        self.stream = stream
        self.drops_at_start = stream.dropped
        self.start_count = stream.processed
        self.seen = 0
        # Live again before the wait ends, so the writer never sees it ended and not waiting.
        self.ended = False
        self.rejoin_until = None

    def append(self, result: PoseResult) -> None:
        """On the loop: keep the result for the next flush (no serialising here)."""
        self.seen += 1
        if self.ended or (self.stop_at is not None and self.start_count + self.seen > self.stop_at):
            return
        arrival = time.time() - (time.monotonic() - result.received)
        width, height = result.image
        rgb = result.rgb if self.session.video and result.jpeg is None else None
        if rgb is not None and self._pending_rgb + rgb.nbytes > PENDING_RGB_BYTES:
            if not self.video_skipped:
                log.warning(
                    "recording %s, stream %s: the writer is behind; frames keep their pose "
                    "but not their picture until it catches up",
                    self.session.id,
                    self.key,
                )
            self.video_skipped += 1
            rgb = None
        pending = Pending(
            message=result.wire(),
            raw=result.raw,
            jpeg=result.jpeg if self.session.video else None,
            arrival_ts=arrival,
            seq=result.meta.seq,
            capture_ts=float(result.meta.capture_ts),
            width=width,
            height=height,
            rgb=rgb,
        )
        with self._lock:
            self._pending.append(pending)
            if rgb is not None:
                self._pending_rgb += rgb.nbytes

    @property
    def drained(self) -> bool:
        """Stopped, and every result published before the stop has been taken in."""
        if self.ended:
            return True
        return self.stop_at is not None and self.start_count + self.seen >= self.stop_at

    def take(self) -> list[Pending]:
        with self._lock:
            pending, self._pending = self._pending, []
            self._pending_rgb = 0
        return pending

    @property
    def drops(self) -> int:
        return self.drops_before + max(0, self.stream.dropped - self.drops_at_start)


@dataclass(eq=False)
class SessionRecording:
    """A session while it records: its streams, who hears of its progress, how it ends."""

    id: str
    owner: str
    video: bool
    started_at: datetime
    started_wall: float
    quota_base: int
    channel: Channel | None
    rejoin_s: float = 0.0
    """How long a stream whose connection dropped may come back (`record_rejoin_seconds`)."""
    streams: list[StreamRecording] = field(default_factory=list)
    stop_reason: str | None = None
    stop_requested: float | None = None
    """`time.monotonic()` of the stop request."""
    error: PoseStudioError | None = None
    bytes: int = 0
    done: concurrent.futures.Future[dict[str, Any]] = field(
        default_factory=concurrent.futures.Future
    )
    telemetry: list[dict[str, Any]] = field(default_factory=list)
    """Robot telemetry samples not yet published (`add_telemetry`, the writer takes them)."""
    telemetry_chunks: int = 0
    _telemetry_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_telemetry(self, robot_id: str, sample: dict[str, Any]) -> None:
        """Keep a telemetry sample of a robot its owner controls, at session seconds."""
        if self.stop_reason is not None:
            return
        ts = max(0.0, round(time.time() - self.started_wall, 6))
        with self._telemetry_lock:
            self.telemetry.append({"ts": ts, "robot_id": robot_id, "telemetry": sample})

    def take_telemetry(self) -> list[dict[str, Any]]:
        with self._telemetry_lock:
            taken, self.telemetry = self.telemetry, []
        return taken

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.streams)

    def request_stop(self, reason: str, error: PoseStudioError | None = None) -> None:
        """Take no frame published after now; the writer flushes and finishes the session."""
        if self.stop_reason is not None:
            return
        self.stop_reason = reason
        self.error = error
        self.stop_requested = time.monotonic()
        for stream in self.streams:
            stream.stop_at = stream.stream.processed

    def halt(self) -> None:
        """Take no frame at all any more (finished or failed)."""
        for stream in self.streams:
            stream.ended = True


class RecorderSink:
    """The lossless sink on a recorded stream."""

    name = "recorder"
    lossless = True
    inline = False

    def __init__(self, recording: StreamRecording, wake: threading.Event) -> None:
        self.recording = recording
        self.stream = recording.stream
        self._wake = wake

    async def deliver(self, result: PoseResult) -> None:
        self.recording.append(result)

    async def close(self) -> None:
        # The stream ended: the writer flushes what is pending and lets the session go on
        # with its other streams (or completes it when this was the last). One whose
        # connection dropped may come back within the session's `rejoin_s` first.
        recording = self.recording
        if recording.stream is not self.stream:
            return  # an earlier stream's sink: the part records from a newer one
        if self.stream.disconnected and recording.session.rejoin_s > 0:
            recording.rejoin_until = time.monotonic() + recording.session.rejoin_s
        recording.ended = True
        self._wake.set()
