"""Chunk files: one flush of one stream's frames (docs/sessions.md, "Storage").

A pose chunk is a Parquet file, one row per frame; its `jpeg_offset`/`jpeg_length`
index the flush's JPEG file, which is published first. Names carry the chunk number, the
first frame's session time in milliseconds and its index, so a reader finds the chunks of a time
range from the listing alone.
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from posestudio.errors import NotFound
from posestudio.storage import Storage

POSE_SCHEMA = pa.schema(
    [
        ("index", pa.int64()),
        ("ts", pa.float64()),
        ("seq", pa.int64()),
        ("capture_ts", pa.float64()),
        ("arrival_ts", pa.float64()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("persons", pa.int16()),
        ("pose", pa.string()),
        ("raw", pa.string()),
        ("jpeg_offset", pa.int64()),
        ("jpeg_length", pa.int32()),
    ]
)
_POSE_NAME = re.compile(r"(\d{8})-(\d{10})-(\d{10})\.parquet$")


@dataclass
class FrameRecord:
    """One recorded frame, as the writer thread turns it into a row."""

    index: int
    ts: float
    seq: int
    capture_ts: float
    arrival_ts: float
    width: int
    height: int
    message: dict[str, Any]
    raw: list[dict[str, Any]] | None
    jpeg: bytes | None


def stream_prefix(session_id: str, key: str) -> str:
    return f"sessions/{session_id}/{key}"


def session_prefix(session_id: str) -> str:
    return f"sessions/{session_id}/"


def pose_key(session_id: str, key: str, number: int, first_ts: float, first_index: int) -> str:
    ms = max(0, min(int(first_ts * 1000), 9_999_999_999))
    name = f"{number:08d}-{ms:010d}-{first_index:010d}.parquet"
    return f"{stream_prefix(session_id, key)}/poses/{name}"


def telemetry_prefix(session_id: str) -> str:
    """Robot telemetry kept with a session (no stream key starts with `robots`)."""
    return f"{session_prefix(session_id)}robots/telemetry/"


def telemetry_key(session_id: str, number: int) -> str:
    return f"{telemetry_prefix(session_id)}{number:08d}.jsonl"


def jpeg_key(session_id: str, key: str, number: int) -> str:
    return f"{stream_prefix(session_id, key)}/jpeg/{number:08d}.bin"


def encode(records: list[FrameRecord]) -> tuple[bytes, bytes | None]:
    """(the Parquet chunk, the JPEG chunk or None): runs in the writer thread."""
    jpegs = io.BytesIO()
    offsets: list[int | None] = []
    lengths: list[int | None] = []
    for record in records:
        if record.jpeg is None:
            offsets.append(None)
            lengths.append(None)
        else:
            offsets.append(jpegs.tell())
            lengths.append(len(record.jpeg))
            jpegs.write(record.jpeg)
    columns = {
        "index": [r.index for r in records],
        "ts": [r.ts for r in records],
        "seq": [r.seq for r in records],
        "capture_ts": [float(r.capture_ts) for r in records],
        "arrival_ts": [r.arrival_ts for r in records],
        "width": [r.width for r in records],
        "height": [r.height for r in records],
        "persons": [len(r.message.get("persons", ())) for r in records],
        "pose": [orjson.dumps(r.message).decode() for r in records],
        "raw": [None if r.raw is None else orjson.dumps(r.raw).decode() for r in records],
        "jpeg_offset": offsets,
        "jpeg_length": lengths,
    }
    table = pa.Table.from_pydict(columns, schema=POSE_SCHEMA)
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    jpeg_bytes = jpegs.getvalue()
    return out.getvalue(), (jpeg_bytes if any(o is not None for o in offsets) else None)


def read(storage: Storage, key: str, columns: list[str] | None = None) -> pa.Table:
    """One pose chunk (only `columns`, when given: a reader that needs no JSON skips it).

    A chunk listed a moment ago and gone now belongs to a session deleted meanwhile: that
    is NOT_FOUND (a streamed response already under way is cut short, visibly)."""
    try:
        data = storage.get(key)
    except FileNotFoundError:
        raise NotFound("the session was deleted meanwhile", details={"chunk": key}) from None
    return pq.read_table(io.BytesIO(data), schema=POSE_SCHEMA, columns=columns)


@dataclass(frozen=True)
class ChunkName:
    key: str
    number: int
    first_ts: float
    first_index: int


def list_pose_chunks(storage: Storage, session_id: str, key: str) -> list[ChunkName]:
    names = []
    for name in storage.list(f"{stream_prefix(session_id, key)}/poses/"):
        match = _POSE_NAME.search(name)
        if match:
            number, ms, index = (int(g) for g in match.groups())
            names.append(ChunkName(name, number, ms / 1000, index))
    names.sort(key=lambda c: c.number)
    return names


def chunks_in(chunks: list[ChunkName], start: float, end: float | None) -> list[ChunkName]:
    """The chunks that may hold frames with `start <= ts <= end` (chunks are in time order)."""
    firsts = [c.first_ts for c in chunks]
    begin = max(0, bisect.bisect_right(firsts, start) - 1)
    stop = len(chunks) if end is None else bisect.bisect_right(firsts, end)
    return chunks[begin:stop]


def rows(
    storage: Storage,
    session_id: str,
    key: str,
    start: float = 0.0,
    end: float | None = None,
    columns: list[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Rows of one stream with `start <= ts <= end`, in order, one chunk in memory at a time
    (only `columns`, which must include `ts`, when given)."""
    for chunk in chunks_in(list_pose_chunks(storage, session_id, key), start, end):
        table = read(storage, chunk.key, columns)
        for row in table.to_pylist():
            if row["ts"] < start:
                continue
            if end is not None and row["ts"] > end:
                return
            row["chunk"] = chunk.number
            yield row


def chunk_of_index(chunks: list[ChunkName], index: int) -> ChunkName | None:
    firsts = [c.first_index for c in chunks]
    at = bisect.bisect_right(firsts, index) - 1
    return chunks[at] if at >= 0 else None
