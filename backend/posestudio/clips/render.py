"""A span of one recorded stream as an H.264 MP4 (PyAV's bundled libx264).

Each recorded frame becomes one video frame at its own session time (variable frame
rate, millisecond time base), so the clip lasts as long as the span did. With video, the
recorded JPEG is the picture; without (a pose-only session), a dark canvas of the
recorded image size. With `overlay` (always, without video), the skeleton is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import simplejpeg

from posestudio.protocol.landmarks import SKELETON_EDGES
from posestudio.sessions import chunks
from posestudio.storage import Storage

CODEC = "libx264"
TIME_BASE = Fraction(1, 1000)
# Frames carry their own session times; the muxer shows the last one for 1/NOMINAL_RATE s.
NOMINAL_RATE = 30
# Landmarks less visible than this are left out of the drawing.
MIN_VISIBILITY = 0.5
CANVAS_RGB = (24, 26, 32)
BONE_RGB = (80, 220, 120)
JOINT_RGB = (255, 255, 255)
DEFAULT_SIZE = (640, 480)


class Cancelled(Exception):
    """The render was cancelled (or ran past its deadline) between two frames."""


@dataclass(frozen=True)
class Rendered:
    frames: int
    duration_s: float
    width: int
    height: int


def draw_skeleton(rgb: np.ndarray, persons: list[dict[str, Any]]) -> None:
    """Draw each person's bones and joints onto an RGB image, in place."""
    import cv2

    height, width = rgb.shape[:2]
    thickness = max(1, round(min(width, height) / 160))
    for person in persons:
        rows = person.get("landmarks") or []
        points: list[tuple[int, int] | None] = []
        for row in rows:
            visible = len(row) < 4 or row[3] >= MIN_VISIBILITY
            points.append((round(row[0] * width), round(row[1] * height)) if visible else None)
        for a, b in SKELETON_EDGES:
            if a < len(points) and b < len(points):
                pa, pb = points[a], points[b]
                if pa is not None and pb is not None:
                    cv2.line(rgb, pa, pb, BONE_RGB, thickness, cv2.LINE_AA)
        for point in points:
            if point is not None:
                cv2.circle(rgb, point, thickness + 1, JOINT_RGB, -1, cv2.LINE_AA)


def _even(size: int) -> int:
    # 4:2:0 chroma needs even dimensions.
    return max(2, size - size % 2)


class _JpegChunks:
    """The JPEG chunk of the frames being rendered, read whole once (about a second of
    frames) rather than one storage read, an S3 request, per frame."""

    def __init__(self, storage: Storage, session_id: str, key: str) -> None:
        self.storage, self.session_id, self.key = storage, session_id, key
        self.number: int | None = None
        self.blob = b""

    def jpeg(self, row: dict[str, Any]) -> bytes:
        if row["chunk"] != self.number:
            self.blob = self.storage.get(chunks.jpeg_key(self.session_id, self.key, row["chunk"]))
            self.number = row["chunk"]
        offset: int = row["jpeg_offset"]
        return self.blob[offset : offset + row["jpeg_length"]]


def _picture(jpegs: _JpegChunks, row: dict[str, Any], size: tuple[int, int]) -> np.ndarray:
    width, height = size
    if row["jpeg_offset"] is None:
        canvas = np.empty((height, width, 3), np.uint8)
        canvas[:] = CANVAS_RGB
        return canvas
    rgb = simplejpeg.decode_jpeg(jpegs.jpeg(row), colorspace="RGB")
    if rgb.shape[1] != width or rgb.shape[0] != height:
        import cv2

        rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def render(
    storage: Storage,
    session_id: str,
    key: str,
    start: float,
    end: float,
    out: Path,
    *,
    overlay: bool,
    progress: Callable[[float], None],
    cancelled: Callable[[], bool],
) -> Rendered:
    """Encode the frames of `key` with `start <= ts <= end` into `out` (an MP4 file)."""
    import av

    span = max(end - start, 1e-6)
    frames, first_ts, last_pts = 0, 0.0, -1
    size: tuple[int, int] = DEFAULT_SIZE
    last_ts = start
    jpegs = _JpegChunks(storage, session_id, key)
    with av.open(str(out), mode="w", format="mp4", options={"movflags": "+faststart"}) as box:
        stream: Any = None
        for row in chunks.rows(storage, session_id, key, start, end):
            if cancelled():
                raise Cancelled("the clip was cancelled")
            if stream is None:
                if row["width"] and row["height"]:
                    size = (_even(row["width"]), _even(row["height"]))
                stream = box.add_stream(CODEC, rate=NOMINAL_RATE)
                stream.width, stream.height = size
                stream.pix_fmt = "yuv420p"
                stream.time_base = TIME_BASE
                stream.codec_context.time_base = TIME_BASE
                stream.options = {"preset": "veryfast", "crf": "23"}
                first_ts = row["ts"]
            rgb = _picture(jpegs, row, size)
            if overlay or row["jpeg_offset"] is None:
                draw_skeleton(rgb, orjson.loads(row["pose"]).get("persons", []))
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            # Millisecond times from the session clock; strictly increasing for the muxer.
            pts = max(round((row["ts"] - first_ts) * 1000), last_pts + 1)
            frame.pts, frame.time_base = pts, TIME_BASE
            box.mux(stream.encode(frame))
            frames, last_pts, last_ts = frames + 1, pts, row["ts"]
            progress(0.95 * min(1.0, (row["ts"] - start) / span))
        if stream is not None:
            box.mux(stream.encode(None))
    duration = last_ts - first_ts if frames else 0.0
    return Rendered(frames=frames, duration_s=duration, width=size[0], height=size[1])
