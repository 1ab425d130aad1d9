"""Reading a recorded stream back: poses over a time range, one frame's JPEG."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from posestudio.errors import NotFound
from posestudio.sessions import chunks
from posestudio.sessions.skeletons import SolvedStream
from posestudio.storage import Storage


def pose_lines(
    storage: Storage,
    session_id: str,
    key: str,
    start: float,
    end: float | None,
    skeletons: SolvedStream | None = None,
) -> Iterator[bytes]:
    """JSON lines `{ts, index, arrival_ts, pose, raw?}`; `pose` is the stored `pose_v1`
    text as it was sent (spliced in, not parsed and re-encoded). With `skeletons`, a pose
    recorded without a `skeleton` gets the solved one spliced in."""
    for row in chunks.rows(storage, session_id, key, start, end):
        head = orjson.dumps(
            {"ts": row["ts"], "index": row["index"], "arrival_ts": row["arrival_ts"]}
        )
        pose = row["pose"].encode()
        if skeletons is not None:
            pose = _with_skeleton(pose, skeletons.at(row["ts"]))
        line = head[:-1] + b',"pose":' + pose
        if row["raw"] is not None:
            line += b',"raw":' + row["raw"].encode()
        yield line + b"}\n"


def _with_skeleton(pose: bytes, skeleton: dict[str, Any] | None) -> bytes:
    """`pose` (a JSON object's text) with `skeleton` added, unless it has one already or
    nobody is in it."""
    if skeleton is None or b'"skeleton"' in pose or not orjson.loads(pose).get("persons"):
        return pose
    return pose.rstrip()[:-1] + b',"skeleton":' + orjson.dumps(skeleton) + b"}"


@dataclass(frozen=True)
class FrameImage:
    index: int
    ts: float
    jpeg: bytes


def _image(
    storage: Storage, session_id: str, key: str, chunk: int, row: dict[str, Any]
) -> FrameImage:
    if row["jpeg_offset"] is None:
        raise NotFound("this session keeps no video", details={"index": row["index"]})
    data = storage.get_range(
        chunks.jpeg_key(session_id, key, chunk), row["jpeg_offset"], row["jpeg_length"]
    )
    return FrameImage(row["index"], row["ts"], data)


def frame_at(storage: Storage, session_id: str, key: str, index: int) -> FrameImage:
    names = chunks.list_pose_chunks(storage, session_id, key)
    chunk = chunks.chunk_of_index(names, index)
    if chunk is not None:
        for row in chunks.read(storage, chunk.key).to_pylist():
            if row["index"] == index:
                return _image(storage, session_id, key, chunk.number, row)
    raise NotFound("no such frame", details={"index": index})


def frame_near(storage: Storage, session_id: str, key: str, ts: float) -> FrameImage:
    names = chunks.list_pose_chunks(storage, session_id, key)
    if not names:
        raise NotFound("no frame recorded yet", details={"ts": ts})
    candidates = chunks.chunks_in(names, ts, ts)
    at = names.index(candidates[-1]) if candidates else 0
    best: tuple[float, int, dict[str, Any]] | None = None
    for chunk in names[max(0, at - 1) : at + 2]:
        for row in chunks.read(storage, chunk.key).to_pylist():
            distance = abs(row["ts"] - ts)
            if best is None or distance < best[0]:
                best = (distance, chunk.number, row)
    assert best is not None
    return _image(storage, session_id, key, best[1], best[2])
